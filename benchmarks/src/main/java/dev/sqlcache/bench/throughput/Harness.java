package dev.sqlcache.bench.throughput;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * Runs every workload against every target in alternating rounds (A B C A B C ...), after one warm-up round each,
 * so that a change in what else the machine does hits all targets alike.
 *
 * <p>Each target has a copy of the data in a schema of its own, loaded through the target itself (pgpool-II's
 * behind its back, see {@link Targets}): a cache never sees writes that went around it (direct PostgreSQL's writes
 * would otherwise leave pgpool's and sqlcache's entries stale, and a stale hit is a faster wrong answer). Each
 * schema is emptied once at the start of the run, directly, and each dataset is loaded once per run, so no table
 * is dropped and recreated under a cache that has seen it: pgpool-II keeps what it learnt about a table's OID for
 * as long as it runs ({@code relcache_expire = 0}).
 */
final class Harness {
    /**
     * The share of a warm-up alternation's wall time the JIT may have spent compiling for the code to count as
     * compiled: on a loaded machine a C2 compilation of pgjdbc's receive path took 10 s of wall time and came a
     * minute into the run, so a fixed warm-up left the measured rounds running code still being compiled, and the
     * target that happened to run while it was compiled looked slower.
     */
    static final double JIT_QUIET_SHARE = 0.02;

    private final HarnessConfig config;
    /** {@code target/dataset} pairs loaded in this run. */
    private final Set<String> loaded = new HashSet<>();

    Harness(HarnessConfig config) {
        this.config = config;
    }

    RunResult run() throws SQLException {
        RunResult result = new RunResult(config);
        Properties admin = new Properties();
        admin.putAll(config.adminProperties());
        try (Connection adminConnection = DriverManager.getConnection(config.adminUrl(), admin)) {
            emptySchemas(adminConnection);
            for (Workload workload : config.workloads()) {
                try {
                    runWorkload(workload, adminConnection, result);
                } catch (IllegalStateException | InterruptedException e) {
                    result.abortedBecause = workload.name() + ": " + e.getMessage();
                    config.log().println("run stopped: " + result.abortedBecause);
                    if (e instanceof InterruptedException) {
                        Thread.currentThread().interrupt();
                    }
                    break;
                }
            }
        } finally {
            result.finished = Instant.now();
        }
        return result;
    }

    private void emptySchemas(Connection admin) throws SQLException {
        boolean autoCommit = admin.getAutoCommit();
        admin.setAutoCommit(true);
        try (Statement s = admin.createStatement()) {
            for (TargetSpec target : config.targets()) {
                if (target.unavailable() == null) {
                    String schema = target.schema(config.schemaPrefix());
                    s.execute("drop schema if exists " + schema + " cascade");
                    s.execute("create schema " + schema);
                }
            }
        } finally {
            admin.setAutoCommit(autoCommit);
        }
    }

    private void runWorkload(Workload workload, Connection admin, RunResult result)
            throws SQLException, InterruptedException {
        log("%s: %s", workload.name(), workload.description());
        List<TargetSession> sessions = new ArrayList<>();
        try {
            for (TargetSpec target : config.targets()) {
                if (!target.runs(workload)) {
                    continue;
                }
                if (target.unavailable() != null) {
                    result.notAvailable(workload.name(), target.name(), target.unavailable());
                    continue;
                }
                String schema = target.schema(config.schemaPrefix());
                try {
                    if (!loaded.contains(target.name() + "/" + workload.dataset())) {
                        load(workload, target, schema, admin);
                        loaded.add(target.name() + "/" + workload.dataset());
                    }
                    sessions.add(TargetSession.open(target, schema, workload, config.threads(),
                            config.autoCommit()));
                } catch (SQLException e) {
                    String why = "SQLState " + e.getSQLState() + ": " + e.getMessage();
                    log("  %s not available: %s", target.name(), why);
                    result.notAvailable(workload.name(), target.name(), why);
                }
            }
            List<TargetSession> running = new ArrayList<>(sessions);
            if (config.warmupSeconds() > 0) {
                for (int warmup = 1; ; warmup++) {
                    long jitBefore = CpuUse.jitMillisNow();
                    long started = System.nanoTime();
                    alternate(workload, 0, config.warmupSeconds(), running, result);
                    double share = jitShare(jitBefore, CpuUse.jitMillisNow(), System.nanoTime() - started);
                    if (warmedUp(warmup, config.warmupRoundsMax(), share)) {
                        break;
                    }
                    log("  the JIT compiled for %.0f%% of warm-up %d: another warm-up round (at most %d)",
                            share * 100, warmup, config.warmupRoundsMax());
                }
            }
            for (int round = 1; round <= config.rounds(); round++) {
                alternate(workload, round, config.roundSeconds(), running, result);
            }
        } finally {
            for (TargetSession session : sessions) {
                session.close();
            }
        }
    }

    /** One round of every target still running, in order; a target whose round failed leaves {@code running}. */
    private void alternate(Workload workload, int round, double seconds, List<TargetSession> running,
                           RunResult result) throws SQLException, InterruptedException {
        for (TargetSession session : List.copyOf(running)) {
            settle();
            RoundResult r = RoundRunner.run(session, workload.name(), round, seconds, config.seed(),
                    (long) (config.overrunSeconds() * 1000));
            record(result, r);
            if (r.error() != null) {
                // Its figure is void; the others go on alternating without it.
                running.remove(session);
            }
        }
    }

    /**
     * Hands the JVM to the next round in the same state whoever ran before: a full collection, then an idle pause.
     * Every target shares the JVM, and without it a round could pay for what the round before it allocated (the
     * near cache's rounds allocate hundreds of MB a second; the young collection they made due, or a concurrent
     * cycle, would land in the next target's round, on 2 cores taking CPU from its client threads and the
     * database's backends). The collection runs outside every round, so its time is in no figure; the pause lets
     * what the previous round left running (sqlcache's background threads, a backend finishing up) end before
     * the next round's counters are read. Each round's {@link JvmUse} shows what was left.
     */
    private void settle() throws InterruptedException {
        if (config.settleSeconds() <= 0) {
            return;
        }
        System.gc();
        Thread.sleep((long) (config.settleSeconds() * 1000));
    }

    /**
     * Whether {@code warmups} alternations of warm-up rounds are enough: the JIT compiled for at most
     * {@link #JIT_QUIET_SHARE} of the last ({@code jitShare}), or the JVM cannot tell, or there were {@code max}.
     */
    static boolean warmedUp(int warmups, int max, double jitShare) {
        return warmups >= max || Double.isNaN(jitShare) || jitShare <= JIT_QUIET_SHARE;
    }

    /** The share of {@code elapsedNanos} the JIT spent compiling between two readings; NaN when it cannot tell. */
    static double jitShare(long jitBefore, long jitAfter, long elapsedNanos) {
        if (jitBefore == CpuUse.UNKNOWN || jitAfter == CpuUse.UNKNOWN || elapsedNanos <= 0) {
            return Double.NaN;
        }
        return (jitAfter - jitBefore) * 1e6 / elapsedNanos;
    }

    /** Fresh tables through the target itself, then planner statistics on the database directly. */
    private void load(Workload workload, TargetSpec target, String schema, Connection admin) throws SQLException {
        long start = System.nanoTime();
        // Multi-row inserts: loading 200,000 rows one by one would take longer than the measurement.
        Map<String, String> loading = SchemaUrls.isPostgres(target.loadUrl())
                ? Map.of("reWriteBatchedInserts", "true") : Map.of();
        try (Connection c = TargetSession.connectForLoading(target, schema, loading)) {
            workload.load(c);
        }
        if (SchemaUrls.isPostgres(config.adminUrl())) {
            boolean autoCommit = admin.getAutoCommit();
            admin.setAutoCommit(true);
            try (Statement s = admin.createStatement()) {
                for (String table : workload.tables()) {
                    // VACUUM sets the visibility map, so index-only scans work from the first round on.
                    s.execute("vacuum analyze " + schema + "." + table);
                }
            } finally {
                admin.setAutoCommit(autoCommit);
            }
        }
        log("  %s: loaded %s in %.1f s", target.name(), workload.tables(), (System.nanoTime() - start) / 1e9);
    }

    private void record(RunResult result, RoundResult round) {
        result.rounds.add(round);
        log("  %s round %s: %,.0f ops/s, %d ops (%d writing), p50 %.3f ms, p99 %.3f ms,"
                        + " mean read %.0f µs, mean write %.0f µs, JIT %d ms, GC %d (%d ms), load %s%s",
                round.target(), round.warmup() ? "warm-up" : Integer.toString(round.round()),
                round.operationsPerSecond(), round.counts().operations, round.counts().writeOperations,
                round.latency().getValueAtPercentile(50) / 1e6, round.latency().getValueAtPercentile(99) / 1e6,
                round.counts().readMicros(), round.counts().writeMicros(),
                round.cpu().jitMillis(), round.jvm().gcCount(), round.jvm().gcMillis(), round.loadAfter().raw(), round.error() == null ? "" : ", FAILED: " + round.error());
    }

    private void log(String format, Object... args) {
        config.log().println(String.format(Locale.ROOT, format, args));
    }
}
