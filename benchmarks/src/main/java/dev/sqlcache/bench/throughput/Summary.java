package dev.sqlcache.bench.throughput;

import dev.sqlcache.stats.BypassReason;
import dev.sqlcache.stats.CacheStatistics;
import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One target on one workload over the measured rounds: the median of the rounds' throughputs (the figure), their
 * spread, latency percentiles over every measured operation, and the counters that explain the figure.
 *
 * @param status     {@code ok}, or why there is no figure ({@code not available: ...}, {@code failed: ...})
 * @param ratio      median throughput divided by direct's median on the same workload; NaN without both
 * @param statistics sqlcache's counters summed over the measured rounds, or null
 * @param redis      Redis commands summed over the measured rounds
 * @param pgpool     pgpool's cache counters summed over the measured rounds, or null
 * @param cpu        CPU time summed over the measured rounds (client threads' in {@code counts}), or null
 *                   without a measured round
 * @param jvm        this JVM's collections and its GC and JIT threads' CPU summed over the measured rounds, or null
 * @param loadMin    lowest 1-minute load average seen at the start or end of a measured round
 */
record Summary(String workload, String target, String status, int rounds, double medianOpsPerSecond,
               double minOpsPerSecond, double maxOpsPerSecond, double ratio, Histogram latency, OpCounter counts,
               CacheStatistics statistics, Map<String, Long> redis, PgpoolCacheStats pgpool, CpuUse cpu,
               JvmUse jvm, double loadMin, double loadMax) {

    boolean ok() {
        return status.equals("ok");
    }

    /** Summaries for every workload and target of a run, in run order. */
    static List<Summary> of(RunResult run) {
        List<Summary> summaries = new ArrayList<>();
        for (Workload workload : run.config.workloads()) {
            double direct = Double.NaN;
            List<Summary> forWorkload = new ArrayList<>();
            for (TargetSpec target : run.config.targets()) {
                if (!target.runs(workload)) {
                    continue;
                }
                Summary s = of(run, workload.name(), target.name());
                if (target.name().equals(Targets.DIRECT) && s.ok()) {
                    direct = s.medianOpsPerSecond;
                }
                forWorkload.add(s);
            }
            for (Summary s : forWorkload) {
                summaries.add(s.withRatio(s.ok() ? s.medianOpsPerSecond / direct : Double.NaN));
            }
        }
        return summaries;
    }

    private static Summary of(RunResult run, String workload, String target) {
        String unavailable = run.whyNotAvailable(workload, target);
        List<RoundResult> rounds = run.rounds.stream()
                .filter(r -> r.workload().equals(workload) && r.target().equals(target) && !r.warmup())
                .toList();
        String status;
        if (unavailable != null) {
            status = "not available: " + unavailable;
        } else if (rounds.isEmpty()) {
            status = "not run" + (run.abortedBecause == null ? "" : " (run stopped: " + run.abortedBecause + ")");
        } else {
            status = rounds.stream().filter(r -> r.error() != null).findFirst()
                    .map(r -> "failed in round " + r.round() + ": " + r.error()).orElse("ok");
        }
        double[] throughputs = rounds.stream().mapToDouble(RoundResult::operationsPerSecond).sorted().toArray();
        Histogram latency = new Histogram(3);
        OpCounter counts = new OpCounter();
        CacheStatistics statistics = null;
        Map<String, Long> redis = new TreeMap<>();
        PgpoolCacheStats pgpool = null;
        CpuUse cpu = null;
        JvmUse jvm = null;
        double loadMin = Double.NaN;
        double loadMax = Double.NaN;
        for (RoundResult r : rounds) {
            latency.add(r.latency());
            counts.add(r.counts());
            if (r.statistics() != null) {
                statistics = statistics == null ? r.statistics() : plus(statistics, r.statistics());
            }
            r.redis().forEach((command, calls) -> redis.merge(command, calls, Long::sum));
            if (r.pgpool() != null) {
                pgpool = pgpool == null ? r.pgpool() : pgpool.plus(r.pgpool());
            }
            cpu = cpu == null ? r.cpu() : cpu.plus(r.cpu());
            jvm = jvm == null ? r.jvm() : jvm.plus(r.jvm());
            for (MachineLoad load : List.of(r.loadBefore(), r.loadAfter())) {
                loadMin = Double.isNaN(loadMin) ? load.one() : Math.min(loadMin, load.one());
                loadMax = Double.isNaN(loadMax) ? load.one() : Math.max(loadMax, load.one());
            }
        }
        return new Summary(workload, target, status, rounds.size(), median(throughputs),
                throughputs.length == 0 ? Double.NaN : throughputs[0],
                throughputs.length == 0 ? Double.NaN : throughputs[throughputs.length - 1], Double.NaN, latency,
                counts, statistics, redis, pgpool, cpu, jvm, loadMin, loadMax);
    }

    private Summary withRatio(double ratio) {
        return new Summary(workload, target, status, rounds, medianOpsPerSecond, minOpsPerSecond, maxOpsPerSecond,
                ratio, latency, counts, statistics, redis, pgpool, cpu, jvm, loadMin, loadMax);
    }

    /** This JVM's CPU per operation in µs; NaN without it. */
    double jvmMicrosPerOp() {
        return cpu == null ? Double.NaN : CpuUse.microsPerOp(cpu.jvmNanos(), counts.operations);
    }

    /** The client threads' CPU per operation in µs (the part of the JVM's that ran the operations). */
    double clientMicrosPerOp() {
        return cpu == null ? Double.NaN : CpuUse.microsPerOp(counts.cpuNanos, counts.operations);
    }

    /** The Redis server's CPU per operation in µs; NaN for a target without Redis. */
    double redisMicrosPerOp() {
        return cpu == null || cpu.redisMicros() == CpuUse.UNKNOWN ? Double.NaN
                : CpuUse.microsPerOp(cpu.redisMicros() * 1000, counts.operations);
    }

    /** The database backends' CPU per operation in µs; NaN where it cannot be read. */
    double postgresMicrosPerOp() {
        return cpu == null ? Double.NaN : CpuUse.microsPerOp(cpu.postgresNanos(), counts.operations);
    }

    static double median(double[] sorted) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    static CacheStatistics plus(CacheStatistics a, CacheStatistics b) {
        Map<BypassReason, Long> bypasses = new EnumMap<>(BypassReason.class);
        a.bypasses().forEach((reason, n) -> bypasses.merge(reason, n, Long::sum));
        b.bypasses().forEach((reason, n) -> bypasses.merge(reason, n, Long::sum));
        Map<dev.sqlcache.stats.EntryRejection, Long> rejections = new EnumMap<>(dev.sqlcache.stats.EntryRejection.class);
        a.rejections().forEach((cause, n) -> rejections.merge(cause, n, Long::sum));
        b.rejections().forEach((cause, n) -> rejections.merge(cause, n, Long::sum));
        Map<BypassReason, Long> rejected = new EnumMap<>(BypassReason.class);
        a.rejected().forEach((reason, n) -> rejected.merge(reason, n, Long::sum));
        b.rejected().forEach((reason, n) -> rejected.merge(reason, n, Long::sum));
        // Latencies and tables are not summed: the report shows counts only.
        return new CacheStatistics(a.hits() + b.hits(), a.misses() + b.misses(), a.stores() + b.stores(), bypasses,
                a.invalidations() + b.invalidations(), a.redisErrors() + b.redisErrors(), rejected, null, null, null,
                null, rejections, a.nearHits() + b.nearHits(), a.skippedWrites() + b.skippedWrites(),
                Math.max(a.skipPermits(), b.skipPermits()), a.fenceWaits() + b.fenceWaits(),
                a.policy().plus(b.policy()), a.unreadableFingerprints() + b.unreadableFingerprints());
    }
}
