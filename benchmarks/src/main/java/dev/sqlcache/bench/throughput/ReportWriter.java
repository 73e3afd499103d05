package dev.sqlcache.bench.throughput;

import dev.sqlcache.stats.CacheStatistics;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Writes a run as Markdown ({@code report.md}, ready to paste into docs/performance.md) and as raw CSV
 * ({@code rounds.csv}: every round, warm-ups included; {@code summary.csv}: one line per workload and target).
 */
final class ReportWriter {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);

    private ReportWriter() {
    }

    static void write(RunResult run, List<Summary> summaries, Path directory) throws IOException {
        Files.createDirectories(directory);
        Files.writeString(directory.resolve("report.md"), markdown(run, summaries));
        Files.writeString(directory.resolve("rounds.csv"), roundsCsv(run));
        Files.writeString(directory.resolve("summary.csv"), summaryCsv(summaries));
    }

    static String markdown(RunResult run, List<Summary> summaries) {
        HarnessConfig c = run.config;
        StringBuilder md = new StringBuilder();
        md.append("### Throughput run of ").append(TIME.format(run.started)).append(" to ")
                .append(TIME.format(run.finished)).append("\n\n");
        md.append(String.format(Locale.ROOT, "%d client threads, READ COMMITTED, %s; %d rounds of %s s per target,"
                        + " alternated (%s), after warm-up rounds of %s s. Figure: median of the rounds' ops/s;"
                        + " p50/p99 over every measured operation; counters per operation, summed over the measured"
                        + " rounds. Redis commands include those"
                        + " run inside sqlcache's scripts (`mget`, `evalsha` and `eval` are its round trips);"
                        + " those under 0.005 per operation (membership renewals) are in rounds.csv only. CPU per"
                        + " operation, over the measured rounds: this JVM's (process CPU time; its client threads'"
                        + " alone in brackets), the private Redis server's (INFO cpu) and the benchmark database's"
                        + " PostgreSQL backends' (/proc, Linux only); CPU moves far less than throughput with what"
                        + " else the machine runs. JIT s: how long the JIT compiled during the measured rounds (the"
                        + " JVM's, all targets share it; seconds there mean code was still being compiled; warm-up"
                        + " rounds, alternated, go on until the JIT compiled for under 2%% of one, at most %d"
                        + " per target). GC: this JVM's collections during the measured rounds, their time as the"
                        + " JVM reports it (G1: pauses) and, in brackets, its GC threads' CPU (/proc, concurrent"
                        + " marking included); %s. Load:"
                        + " 1-minute load average at the start and end of the rounds (min–max).\n\n",
                c.threads(), c.autoCommit() ? "auto-commit" : "one transaction per operation", c.rounds(),
                number(c.roundSeconds()),
                c.targets().stream().map(TargetSpec::name).collect(Collectors.joining(", ")),
                number(c.warmupSeconds()), c.warmupRoundsMax(), c.settleSeconds() > 0
                        ? "before every round (warm-ups too) a full collection and " + number(c.settleSeconds())
                        + " s idle, so that no round pays for the garbage of the round before it"
                        : "rounds ran straight after each other, each paying for what the one before left"));
        if (!c.environment().isEmpty()) {
            md.append("| | |\n|---|---|\n");
            c.environment().entrySet().stream().sorted(Map.Entry.comparingByKey())
                    .forEach(e -> md.append("| ").append(e.getKey()).append(" | ").append(cell(e.getValue()))
                            .append(" |\n"));
            md.append('\n');
        }
        md.append("| target | what |\n|---|---|\n");
        for (TargetSpec t : c.targets()) {
            md.append("| ").append(t.name()).append(" | ").append(cell(t.description()))
                    .append(t.workloads().isEmpty() ? "" : " (only " + String.join(", ", t.workloads()) + ")")
                    .append(" |\n");
        }
        if (run.abortedBecause != null) {
            md.append("\n**The run stopped early:** ").append(cell(run.abortedBecause)).append("\n");
        }
        for (Workload w : c.workloads()) {
            md.append("\n#### ").append(w.name()).append("\n\n").append(w.description()).append("\n\n");
            md.append("| target | ops/s | rounds min–max | × direct | p50 | p99 | JVM µs/op (client threads)"
                    + " | Redis µs/op | PostgreSQL µs/op | JIT s | GC | hits/op | misses/op | stores/op"
                    + " | bypasses/op by reason | policy switches | Redis commands/op | pgpool cache hit ratio"
                    + " | load |\n");
            md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---|---|---|---|---|\n");
            for (Summary s : summaries) {
                if (!s.workload().equals(w.name())) {
                    continue;
                }
                if (!s.ok() && s.rounds() == 0) {
                    md.append("| ").append(s.target()).append(" | ").append(cell(s.status()))
                            .append(" | | | | | | | | | | | | | | | | | |\n");
                    continue;
                }
                long ops = s.counts().operations;
                CacheStatistics st = s.statistics();
                md.append("| ").append(s.target()).append(s.ok() ? "" : " (" + cell(s.status()) + ")")
                        .append(" | ").append(String.format(Locale.ROOT, "%,.0f", s.medianOpsPerSecond()))
                        .append(" | ").append(String.format(Locale.ROOT, "%,.0f–%,.0f", s.minOpsPerSecond(),
                                s.maxOpsPerSecond()))
                        .append(" | ").append(Double.isNaN(s.ratio()) ? "" : String.format(Locale.ROOT, "%.2f×",
                                s.ratio()))
                        .append(" | ").append(millis(s.latency(), 50)).append(" | ").append(millis(s.latency(), 99))
                        .append(" | ").append(jvmCpu(s))
                        .append(" | ").append(micros1(s.redisMicrosPerOp()))
                        .append(" | ").append(micros1(s.postgresMicrosPerOp()))
                        .append(" | ").append(s.cpu() == null || s.cpu().jitMillis() == CpuUse.UNKNOWN ? ""
                                : String.format(Locale.ROOT, "%.1f", s.cpu().jitMillis() / 1e3))
                        .append(" | ").append(gc(s.jvm()))
                        .append(" | ").append(st == null ? "" : perOp(st.hits(), ops))
                        .append(" | ").append(st == null ? "" : perOp(st.misses(), ops))
                        .append(" | ").append(st == null ? "" : perOp(st.stores(), ops))
                        .append(" | ").append(st == null ? "" : bypasses(st, ops))
                        .append(" | ").append(st == null ? "" : switches(s, run))
                        .append(" | ").append(commands(s.redis(), ops, 0.005))
                        .append(" | ").append(pgpool(s.pgpool()))
                        .append(" | ").append(String.format(Locale.ROOT, "%.2f–%.2f", s.loadMin(), s.loadMax()))
                        .append(" |\n");
            }
        }
        List<Goals.Outcome> outcomes = Goals.evaluate(summaries);
        if (!outcomes.isEmpty()) {
            md.append("\n#### Targets of issues #10 and #13\n\n| issue | workload | target | goal | measured | met |\n"
                    + "|---|---|---|---|---:|---|\n");
            for (Goals.Outcome o : outcomes) {
                md.append("| ").append(o.goal().issue()).append(" | ").append(o.goal().workload()).append(" | ")
                        .append(o.goal().target()).append(" | ").append(Goals.describe(o.goal())).append(" | ")
                        .append(Double.isNaN(o.ratio()) ? "" : String.format(Locale.ROOT, "%.2f×", o.ratio()))
                        .append(" | ").append(cell(o.verdict())).append(" |\n");
            }
        }
        return md.toString();
    }

    static String roundsCsv(RunResult run) {
        StringBuilder csv = new StringBuilder("workload,target,round,started_utc,seconds,operations,"
                + "write_operations,selects,updates,rows,ops_per_s,p50_us,p90_us,p99_us,max_us,load1_before,"
                + "load1_after,loadavg_before,loadavg_after,hits,misses,stores,invalidations,redis_errors,bypasses,"
                + "shapes_off,shapes_on,shapes_off_at_end,tables_off,redis_commands,pgpool_hits,pgpool_selects,jvm_cpu_us,client_threads_cpu_us,redis_cpu_us,"
                + "postgres_cpu_us,jit_ms,gc_count,gc_ms,gc_cpu_us,jit_cpu_us,"
                // where a round's time went: its reads' and writes' (client wall time), sqlcache's hits, misses
                // and bypasses (its own timers), and how many hits were near ones
                + "read_us_mean,write_us_mean,near_hits,hit_us_mean,miss_us_mean,bypass_us_mean,error\n");
        for (RoundResult r : run.rounds) {
            CacheStatistics st = r.statistics();
            List<Object> row = new ArrayList<>(List.of(r.workload(), r.target(), r.round(), TIME.format(r.started()),
                    number(r.elapsedNanos() / 1e9), r.counts().operations, r.counts().writeOperations,
                    r.counts().selects, r.counts().updates, r.counts().rows, number(r.operationsPerSecond()),
                    micros(r.latency(), 50), micros(r.latency(), 90), micros(r.latency(), 99),
                    number(r.latency().getMaxValue() / 1e3), number(r.loadBefore().one()),
                    number(r.loadAfter().one()), r.loadBefore().raw(), r.loadAfter().raw()));
            row.addAll(st == null ? List.of("", "", "", "", "", "", "", "", "", "")
                    : List.of(st.hits(), st.misses(), st.stores(), st.invalidations(), st.redisErrors(),
                    st.bypasses().entrySet().stream().map(e -> e.getKey().name().toLowerCase(Locale.ROOT) + "="
                            + e.getValue()).collect(Collectors.joining(";")), st.policy().shapesOff(),
                    st.policy().shapesOn(), st.policy().shapesOffNow(), st.policy().tablesOff()));
            row.add(r.redis().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                    .collect(Collectors.joining(";")));
            row.add(r.pgpool() == null ? "" : r.pgpool().hits());
            row.add(r.pgpool() == null ? "" : r.pgpool().selects());
            row.add(known(r.cpu().jvmNanos(), 1e3));
            row.add(number(r.counts().cpuNanos / 1e3));
            row.add(known(r.cpu().redisMicros(), 1));
            row.add(known(r.cpu().postgresNanos(), 1e3));
            row.add(known(r.cpu().jitMillis(), 1));
            row.add(r.jvm().gcCount());
            row.add(r.jvm().gcMillis());
            row.add(known(r.jvm().gcCpuNanos(), 1e3));
            row.add(known(r.jvm().jitCpuNanos(), 1e3));
            row.add(number(r.counts().readMicros()));
            row.add(number(r.counts().writeMicros()));
            row.add(st == null ? "" : st.nearHits());
            row.add(st == null ? "" : number(st.hitLatency().meanNanos() / 1e3));
            row.add(st == null ? "" : number(st.missLatency().meanNanos() / 1e3));
            row.add(st == null ? "" : number(st.bypassLatency().meanNanos() / 1e3));
            row.add(r.error() == null ? "" : r.error());
            csv.append(csvLine(row));
        }
        return csv.toString();
    }

    static String summaryCsv(List<Summary> summaries) {
        StringBuilder csv = new StringBuilder("workload,target,status,rounds,median_ops_per_s,min_ops_per_s,"
                + "max_ops_per_s,ratio_to_direct,p50_us,p99_us,operations,hits_per_op,misses_per_op,stores_per_op,"
                + "bypasses_per_op,redis_commands_per_op,pgpool_hit_ratio,jvm_cpu_us_per_op,"
                + "client_threads_cpu_us_per_op,redis_cpu_us_per_op,postgres_cpu_us_per_op,jit_ms,gc_count,gc_ms,gc_cpu_ms,"
                + "load1_min,load1_max\n");
        for (Summary s : summaries) {
            long ops = s.counts().operations;
            CacheStatistics st = s.statistics();
            csv.append(csvLine(List.of(s.workload(), s.target(), s.status(), s.rounds(),
                    number(s.medianOpsPerSecond()), number(s.minOpsPerSecond()), number(s.maxOpsPerSecond()),
                    number(s.ratio()), micros(s.latency(), 50), micros(s.latency(), 99), ops,
                    st == null ? "" : perOp(st.hits(), ops), st == null ? "" : perOp(st.misses(), ops),
                    st == null ? "" : perOp(st.stores(), ops), st == null ? "" : bypasses(st, ops),
                    commands(s.redis(), ops, 0), s.pgpool() == null ? "" : number(s.pgpool().hitRatio()),
                    number(s.jvmMicrosPerOp()), number(s.clientMicrosPerOp()), number(s.redisMicrosPerOp()),
                    number(s.postgresMicrosPerOp()), s.cpu() == null ? "" : known(s.cpu().jitMillis(), 1),
                    s.jvm() == null ? "" : s.jvm().gcCount(), s.jvm() == null ? "" : s.jvm().gcMillis(),
                    s.jvm() == null ? "" : known(s.jvm().gcCpuNanos(), 1e6),
                    number(s.loadMin()), number(s.loadMax()))));
        }
        return csv.toString();
    }

    /** Reads by bypass reason, then writes that skipped their lease (a table nobody caches), when any did. */
    private static String bypasses(CacheStatistics st, long ops) {
        String reads = st.bypasses().entrySet().stream()
                .map(e -> e.getKey().name().toLowerCase(Locale.ROOT) + " " + perOp(e.getValue(), ops))
                .collect(Collectors.joining(", "));
        return st.skippedWrites() == 0 ? reads : reads + "; writes skipping their lease " + perOp(st.skippedWrites(), ops);
    }

    /**
     * What the policy switched in each round, warm-ups first ({@code w1}, ...; then {@code r1}, ...): shapes off and
     * back on, shapes off at the round's end, whole tables off, e.g. {@code w1 2↓0↑ (2 off), r1 0↓1↑ (1 off)};
     * {@code ∅} for a round with no switch and no shape off. Said per round because a switch in the first seconds of
     * a cold JVM explains a round's figure (issue #10).
     */
    private static String switches(Summary s, RunResult run) {
        List<String> rounds = new ArrayList<>();
        int warmups = 0;
        for (RoundResult r : run.rounds) {
            if (!r.workload().equals(s.workload()) || !r.target().equals(s.target()) || r.statistics() == null) {
                continue;
            }
            dev.sqlcache.stats.PolicySwitches p = r.statistics().policy();
            String round = r.warmup() ? "w" + ++warmups : "r" + r.round();
            rounds.add(round + " " + (p.shapesOff() == 0 && p.shapesOn() == 0 && p.shapesOffNow() == 0
                    && p.tablesOff() == 0 ? "∅" : p.shapesOff() + "↓" + p.shapesOn() + "↑ (" + p.shapesOffNow()
                    + " off" + (p.tablesOff() == 0 ? "" : ", " + p.tablesOff() + " tables off") + ")"));
        }
        return String.join(", ", rounds);
    }

    /** Most frequent first; those below {@code floor} per operation (background renewals) left out. */
    private static String commands(Map<String, Long> redis, long ops, double floor) {
        return redis.entrySet().stream()
                .filter(e -> ops > 0 && (double) e.getValue() / ops >= floor)
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .map(e -> e.getKey() + " " + perOp(e.getValue(), ops))
                .collect(Collectors.joining(", "));
    }

    /** The JVM's CPU per operation, its client threads' in brackets. */
    private static String jvmCpu(Summary s) {
        String jvm = micros1(s.jvmMicrosPerOp());
        String client = micros1(s.clientMicrosPerOp());
        return jvm.isEmpty() ? client : client.isEmpty() ? jvm : jvm + " (" + client + ")";
    }

    /** Collections, their time and the GC threads' CPU, e.g. {@code 3, 41 ms (230 ms CPU)}; empty without. */
    private static String gc(JvmUse jvm) {
        if (jvm == null) {
            return "";
        }
        return jvm.gcCount() + ", " + jvm.gcMillis() + " ms" + (jvm.gcCpuNanos() == CpuUse.UNKNOWN ? ""
                : " (" + jvm.gcCpuNanos() / 1_000_000 + " ms CPU)");
    }

    /** Microseconds with one decimal, or empty for NaN. */
    private static String micros1(double micros) {
        return Double.isNaN(micros) ? "" : String.format(Locale.ROOT, "%.1f", micros);
    }

    /** A CPU time in microseconds, from {@code unit}s per microsecond; empty when unknown. */
    private static String known(long value, double unit) {
        return value == CpuUse.UNKNOWN ? "" : number(value / unit);
    }

    private static String pgpool(PgpoolCacheStats p) {
        return p == null ? "" : String.format(Locale.ROOT, "%.2f (%d hits, %d to db)", p.hitRatio(), p.hits(),
                p.selects());
    }

    private static String perOp(long count, long ops) {
        return ops == 0 ? "" : String.format(Locale.ROOT, "%.2f", (double) count / ops);
    }

    private static String millis(Histogram h, double percentile) {
        if (h.getTotalCount() == 0) {
            return "";
        }
        double ms = h.getValueAtPercentile(percentile) / 1e6;
        return String.format(Locale.ROOT, ms >= 10 ? "%.1f ms" : ms >= 1 ? "%.2f ms" : "%.3f ms", ms);
    }

    private static String micros(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? "" : number(h.getValueAtPercentile(percentile) / 1e3);
    }

    private static String number(double value) {
        if (Double.isNaN(value)) {
            return "";
        }
        return value == Math.rint(value) ? Long.toString((long) value) : String.format(Locale.ROOT, "%.3f", value);
    }

    private static String cell(String text) {
        return text.replace("|", "\\|").replace("\n", " ");
    }

    private static String csvLine(List<Object> fields) {
        return fields.stream().map(f -> {
            String s = String.valueOf(f);
            return s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains(";")
                    ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
        }).collect(Collectors.joining(",")) + "\n";
    }
}
