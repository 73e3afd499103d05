package dev.sqlcache.consistency;

import dev.sqlcache.testing.RedisServerFixture;
import dev.sqlcache.testing.TcpRelay;
import org.h2.tools.Server;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Shared plumbing of the checker's tests: databases, the forked JVM, fault injection. */
final class Harness {

    /** Length of each mixed run: short in CI, minutes for a soak ({@code -Dsqlcache.soak.seconds=600}). */
    static long soakSeconds() {
        return Long.getLong("sqlcache.soak.seconds", 20);
    }

    private Harness() {
    }

    /** An H2 TCP server on loopback, so that a forked JVM shares the in-memory database. */
    static Server startH2() throws SQLException {
        return Server.createTcpServer("-tcpPort", Integer.toString(freePort()), "-ifNotExists").start();
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port: " + e.getMessage(), e);
        }
    }

    static void createSchema(Target target) throws SQLException {
        target.requireReachable();
        try (Connection raw = target.raw()) {
            Schema.create(raw);
        }
    }

    /** The class path of this test JVM, for the forked one (surefire puts the real one in a property). */
    static String classPath() {
        return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    }

    static Process fork(Class<?> main, Path log, List<String> arguments) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx256m");
        command.add("-XX:+UseSerialGC");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        command.add("-cp");
        command.add(classPath());
        command.add(main.getName());
        command.addAll(arguments);
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    /**
     * How a two-JVM run is made, per JVM: its length, whether Redis faults are injected, the mix of readers
     * and writers, the bank's threads and whether its readers are naive, and settings added to the cache's.
     */
    record Run(long seconds, boolean faults, Workload.Mix mix, int readers, int writers, int bankWriters,
               int bankReaders, boolean naiveBank, Map<String, String> extraSettings,
               Map<String, String> firstJvmSettings) {

        Run(long seconds, boolean faults, Workload.Mix mix, int readers, int writers, int bankWriters,
            int bankReaders, boolean naiveBank, Map<String, String> extraSettings) {
            this(seconds, faults, mix, readers, writers, bankWriters, bankReaders, naiveBank, extraSettings, Map.of());
        }

        /** Everything: the original checks, the key-level ones and the bank; 3 readers, 2 writers, 2 bank writers and 1 bank reader. */
        static Run full(long seconds, boolean faults) {
            return new Run(seconds, faults, Workload.Mix.FULL, 3, 2, 2, 1, false, Map.of());
        }

        /** Key lookups, sums and key-pinned joins under key-pinned writes, no bank. */
        static Run keyed(long seconds, boolean faults) {
            return new Run(seconds, faults, Workload.Mix.KEYED, 3, 2, 0, 0, false, Map.of());
        }

        /** The bank alone: 3 writers and 3 readers, which skip their transaction when {@code naive}. */
        static Run bank(long seconds, boolean faults, boolean naive) {
            return new Run(seconds, faults, Workload.Mix.FULL, 0, 0, 3, 3, naive, Map.of());
        }

        /** What the summary lines say about the run. */
        String describe() {
            return mix + " mix, " + readers + " readers + " + writers + " writers, bank " + bankReaders
                    + (naiveBank ? " naive" : "") + " readers + " + bankWriters + " writers per JVM, "
                    + (faults ? "faults" : "no faults") + (extraSettings.isEmpty() ? "" : ", " + extraSettings)
                    + (firstJvmSettings.isEmpty() ? "" : ", jvm-1 only " + firstJvmSettings);
        }

        Run with(String setting, String value) {
            Map<String, String> more = new java.util.LinkedHashMap<>(extraSettings);
            more.put(setting, value);
            return new Run(seconds, faults, mix, readers, writers, bankWriters, bankReaders, naiveBank, more,
                    firstJvmSettings);
        }

        /** A setting of the first JVM alone (it wins over the same one in {@link #extraSettings}). */
        Run withFirstJvm(String setting, String value) {
            Map<String, String> more = new java.util.LinkedHashMap<>(firstJvmSettings);
            more.put(setting, value);
            return new Run(seconds, faults, mix, readers, writers, bankWriters, bankReaders, naiveBank,
                    extraSettings, more);
        }
    }

    static Report runMixed(Target target, RedisServerFixture redis, long seconds, boolean faults) throws Exception {
        return run(target, redis, Run.full(seconds, faults));
    }

    /**
     * One process here and one forked, on one database and one Redis, with Redis paused, killed and restarted
     * during the run when {@code run.faults()}. Returns the merged report; on PostgreSQL it holds the scans the
     * database made of each table ({@code scans.<table>}) next to the statements sent ({@code sent.<table>}).
     */
    static Report run(Target target, RedisServerFixture redis, Run run) throws Exception {
        redis.flushAll();
        // The forked JVM reaches Redis through a relay, so that it alone can be cut off while this one is not.
        TcpRelay relay = TcpRelay.to(redis.port());
        try {
            Map<String, String> relayed = new java.util.LinkedHashMap<>(redis.tcpProperties());
            relayed.put("sqlcache.redis.port", Integer.toString(relay.port()));
            return run(target, redis.tcpProperties(), relayed, run,
                    (merged, running) -> injectFaults(redis, relay, run.seconds(), merged));
        } finally {
            relay.close();
            if (redis.isRunning()) {
                redis.resume();
            }
        }
    }

    /**
     * Faults injected on the test's thread while the workloads run; given the report to count them in and the
     * forked JVMs, to kill one.
     */
    interface Faults {
        void inject(Report merged, Running running) throws Exception;
    }

    /** The run as faults see it: the forked JVMs, and what this JVM's workload has counted so far. */
    record Running(ForkedJvms forked, Report here) {

        /**
         * Waits until this JVM's workload has answered {@code reads} reads, at most {@code timeoutSeconds}: a JVM
         * starts slowly on a loaded machine, and a fault before the first reads would test nothing. Returns the
         * milliseconds waited.
         */
        long awaitReads(long reads, long timeoutSeconds) throws InterruptedException {
            long start = System.nanoTime();
            long deadline = start + TimeUnit.SECONDS.toNanos(timeoutSeconds);
            while (here.get("reads") < reads && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(50);
            }
            return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        }
    }

    /**
     * The forked JVMs of a run: the first, and each started after the one before was killed ({@code kill -9}). A
     * killed JVM leaves no report, only the violations it echoed to its log; every other must finish its run and
     * write one.
     */
    static final class ForkedJvms {
        private final Path dir;
        private final Workload.Settings settings;
        private final List<Process> processes = new ArrayList<>();
        private final List<Path> reports = new ArrayList<>();
        private final List<Path> logs = new ArrayList<>();
        private final List<Integer> killed = new ArrayList<>();

        ForkedJvms(Path dir, Workload.Settings settings) {
            this.dir = dir;
            this.settings = settings;
        }

        /** Forks a JVM that runs the workload for {@code seconds}; the n-th is called jvm-(n+1). */
        synchronized void start(long seconds) throws IOException {
            int n = processes.size() + 2;
            Workload.Settings s = settings;
            Workload.Settings these = new Workload.Settings(s.target(), s.cacheSettings(), s.watermarks(), seconds,
                    n, "jvm-" + n, s.readers(), s.writers(), s.writePauseMicros(), s.maxOperationsPerThread(),
                    s.mix(), s.bankWriters(), s.bankReaders(), s.naiveBank());
            Path report = dir.resolve("jvm-" + n + ".report");
            Path log = dir.resolve("jvm-" + n + ".log");
            List<String> args = new ArrayList<>();
            args.add(report.toString());
            args.addAll(these.toArguments());
            processes.add(fork(Workload.class, log, args));
            reports.add(report);
            logs.add(log);
        }

        /** SIGKILL of the JVM started last: no goodbye, its membership left to lapse. */
        synchronized void killLast() throws InterruptedException {
            int last = processes.size() - 1;
            killed.add(last);
            processes.get(last).destroyForcibly();
            if (!processes.get(last).waitFor(10, TimeUnit.SECONDS)) {
                throw new AssertionError("jvm-" + (last + 2) + " still alive 10 s after SIGKILL");
            }
        }

        /** The reports of the JVMs, by name; of a killed one, the violations it echoed before it died. */
        synchronized Map<String, Report> awaitReports(long seconds) throws Exception {
            Map<String, Report> out = new java.util.LinkedHashMap<>();
            for (int i = 0; i < processes.size(); i++) {
                Process child = processes.get(i);
                if (!child.waitFor(seconds, TimeUnit.SECONDS)) {
                    child.destroyForcibly();
                    throw new AssertionError("forked workload did not finish; log: " + Files.readString(logs.get(i)));
                }
                if (killed.contains(i)) {
                    // No report, but the violations it saw before it died are in its log.
                    out.put("jvm-" + (i + 2) + " (killed)", Report.readEchoed(logs.get(i)));
                    continue;
                }
                if (child.exitValue() != 0 || !Files.exists(reports.get(i))) {
                    throw new AssertionError("forked workload failed (exit " + child.exitValue() + "): "
                            + Files.readString(logs.get(i)));
                }
                out.put("jvm-" + (i + 2), Report.read(reports.get(i)));
            }
            return out;
        }

        synchronized void killAll() {
            for (Process child : processes) {
                if (child.isAlive()) {
                    child.destroyForcibly();
                }
            }
        }
    }

    /**
     * {@link #run(Target, RedisServerFixture, Run)} on any Redis: this JVM with {@code redisSettings}, the forked
     * one with {@code forkedRedisSettings}, and {@code faults} run when {@code run.faults()}. Redis must be empty.
     */
    static Report run(Target target, Map<String, String> redisSettings, Map<String, String> forkedRedisSettings,
                      Run run, Faults faultInjection) throws Exception {
        long seconds = run.seconds();
        boolean faults = run.faults();
        createSchema(target);
        String[] measured = measuredTables();
        Map<String, Long> scansBefore = null;
        if (target.isPostgres()) {
            try (Connection raw = target.raw()) {
                scansBefore = TableScans.settled(raw, measured);
            }
        }
        Path dir = Files.createTempDirectory("sqlcache-consistency-");
        Path watermarkFile = dir.resolve("watermarks");
        try (Watermarks watermarks = Watermarks.open(watermarkFile, Schema.WATERMARK_SLOTS)) {
            Schema.initWatermarks(watermarks);
        }
        Map<String, String> cache = new java.util.LinkedHashMap<>(redisSettings);
        if (!Checks.nearCacheOn()) {
            cache.put("sqlcache.nearCache.maxBytes", "0");
        }
        cache.putAll(run.extraSettings());
        Map<String, String> relayed = new java.util.LinkedHashMap<>(cache);
        relayed.putAll(forkedRedisSettings);
        long pauseMicros = 40_000;
        Map<String, String> first = new java.util.LinkedHashMap<>(cache);
        first.putAll(run.firstJvmSettings());
        Workload.Settings here = new Workload.Settings(target, first, watermarkFile, seconds, 1, "jvm-1",
                run.readers(), run.writers(), pauseMicros, 5_000_000, run.mix(), run.bankWriters(), run.bankReaders(),
                run.naiveBank());
        Workload.Settings there = new Workload.Settings(target, relayed, watermarkFile, seconds, 2, "jvm-2",
                run.readers(), run.writers(), pauseMicros, 5_000_000, run.mix(), run.bankWriters(), run.bankReaders(),
                run.naiveBank());
        ForkedJvms forked = new ForkedJvms(dir, there);
        forked.start(seconds);
        Report merged = new Report();
        Report[] local = new Report[1];
        Report live = new Report();
        Throwable[] localFailure = new Throwable[1];
        Thread runner = new Thread(() -> {
            try {
                local[0] = Workload.run(here, live);
            } catch (Throwable t) {
                localFailure[0] = t;
            }
        }, "jvm-1-workload");
        runner.start();
        Map<String, Report> remote;
        try {
            if (faults) {
                faultInjection.inject(merged, new Running(forked, live));
            }
            runner.join(TimeUnit.SECONDS.toMillis(seconds + 120));
            remote = forked.awaitReports(seconds + 120);
        } finally {
            forked.killAll();
        }
        if (localFailure[0] != null) {
            throw new AssertionError("workload failed in this JVM", localFailure[0]);
        }
        if (local[0] == null) {
            throw new AssertionError("workload in this JVM did not finish");
        }
        System.out.println("[" + target.name() + "] jvm-1: " + local[0].summary());
        merged.merge(local[0]);
        remote.forEach((name, report) -> {
            System.out.println("[" + target.name() + "] " + name + ": " + report.summary());
            merged.merge(report);
        });
        if (scansBefore != null) {
            try (Connection raw = target.raw()) {
                Map<String, Long> after = TableScans.settled(raw, measured);
                for (String table : measured) {
                    merged.add("scans." + table, after.get(table) - scansBefore.get(table));
                }
            }
        }
        Phases.addTo(merged);
        System.out.println("[" + target.name() + "] total (" + run.describe() + "): " + merged.summary());
        System.out.println("[" + target.name() + "] " + databaseWork(merged));
        return merged;
    }

    /** The tables whose scans are counted: the key-level ones and the bank. */
    static String[] measuredTables() {
        String[] tables = java.util.Arrays.copyOf(KeyedSchema.TABLES, KeyedSchema.TABLES.length + 1);
        tables[tables.length - 1] = "bank_account";
        return tables;
    }

    /**
     * Scans the database made per statement sent, over the tables of {@link KeyedSchema} (the ones whose every
     * statement the workload counts), or NaN when nothing was measured (not PostgreSQL) or sent.
     */
    static double scansPerStatement(Report report) {
        long scans = 0;
        long sent = 0;
        for (String table : KeyedSchema.TABLES) {
            scans += report.get("scans." + table);
            sent += report.get("sent." + table);
        }
        return sent == 0 || report.counters().keySet().stream().noneMatch(k -> k.startsWith("scans.")) ? Double.NaN
                : (double) scans / sent;
    }

    /**
     * One line: the database's scans per statement sent, per table and over the key-level tables, next to the hit
     * ratio; the bank's table on its own.
     */
    static String databaseWork(Report report) {
        StringBuilder out = new StringBuilder("database work (pg_stat_user_tables seq_scan + idx_scan per statement "
                + "sent):");
        if (report.counters().keySet().stream().noneMatch(k -> k.startsWith("scans."))) {
            return out.append(" not measured").toString();
        }
        for (String table : measuredTables()) {
            long sent = report.get("sent." + table);
            if (sent > 0) {
                out.append(String.format(" %s %d/%d=%.2f", table, report.get("scans." + table), sent,
                        (double) report.get("scans." + table) / sent));
            }
        }
        double overall = scansPerStatement(report);
        return out.append(Double.isNaN(overall) ? "" : String.format("; key-level tables %.2f", overall))
                .append(String.format(" at hit ratio %.1f%%", 100 * report.hitRatio())).toString();
    }

    /**
     * In every cycle of the run: cuts the forked JVM off from Redis while this one still reaches it (a partition),
     * pauses (SIGSTOP) Redis, kills and restarts it, and pauses it again; the last seconds stay quiet so that the
     * run ends on a healthy cache.
     */
    static void injectFaults(RedisServerFixture redis, TcpRelay relay, long seconds, Report report)
            throws InterruptedException {
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(Math.max(seconds - 3, 1));
        int cycles = 0;
        while (System.nanoTime() < end && cycles++ < 10_000) {
            if (!sleepUntilOrEnd(end, 2_000)) {
                break;
            }
            // The partition first: it is the fault a loaded machine must not crowd out of a short run.
            fault("partition", report, relay::cut);
            Thread.sleep(3_000);
            fault("heal", null, relay::restore);
            if (!sleepUntilOrEnd(end, 2_000)) {
                break;
            }
            fault("pause", report, redis::pause);
            Thread.sleep(1_500);
            fault("resume", null, redis::resume);
            if (!sleepUntilOrEnd(end, 2_000)) {
                break;
            }
            fault("kill", report, redis::stop);
            Thread.sleep(1_000);
            fault("restart", null, redis::restart);
            if (!sleepUntilOrEnd(end, 2_000)) {
                break;
            }
            fault("pause", report, redis::pause);
            Thread.sleep(2_000);
            fault("resume", null, redis::resume);
            sleepUntilOrEnd(end, 2_000);
        }
    }

    private static void fault(String name, Report report, Runnable action) {
        action.run();
        System.out.println("fault: " + name + " at " + java.time.LocalTime.now());
        if (report != null) {
            report.count("faults." + name);
        }
    }

    private static boolean sleepUntilOrEnd(long end, long millis) throws InterruptedException {
        long left = TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime());
        if (left <= 0) {
            return false;
        }
        Thread.sleep(Math.min(left, millis));
        return System.nanoTime() < end;
    }
}
