package dev.sqlcache.bench.throughput;

import org.apache.commons.rng.UniformRandomProvider;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every target shares the harness's JVM, so a round must not pay for the garbage of the round before it: each
 * starts after a full collection, outside every round's figure, and each round says what the JVM's GC and JIT did
 * during it (issues #10 and #13: direct's rounds measured 1.6x slower after the near cache's than without them).
 */
class RoundIndependenceTest {

    @Test
    void namesTheJvmsGcAndJitThreads() {
        assertTrue(JvmUse.isGc("GC Thread#0"));
        assertTrue(JvmUse.isGc("G1 Conc#0"));
        assertTrue(JvmUse.isGc("G1 Refine#0"));
        assertTrue(JvmUse.isGc("G1 Main Marker"));
        assertTrue(JvmUse.isJit("C2 CompilerThre"));
        assertTrue(JvmUse.isJit("C1 CompilerThre"));
        assertFalse(JvmUse.isGc("bench-direct-0"));
        assertFalse(JvmUse.isJit("sqlcache-near 3"));
        assertFalse(JvmUse.isGc(null));
    }

    @Test
    void sumsTheGcAndJitThreadsTicksUnderProc(@org.junit.jupiter.api.io.TempDir Path tasks) throws Exception {
        thread(tasks, 1, "GC Thread#0", 10, 5);
        thread(tasks, 2, "G1 Conc#0", 3, 2);
        thread(tasks, 3, "C2 CompilerThre", 40, 1);
        thread(tasks, 4, "bench-direct-0", 900, 900);
        JvmUse use = JvmUse.now(tasks);
        assertEquals(20 * 10_000_000L, use.gcCpuNanos());
        assertEquals(41 * 10_000_000L, use.jitCpuNanos());
    }

    @Test
    void aCollectionShowsInTheReading() {
        JvmUse before = JvmUse.now();
        System.gc();
        JvmUse used = JvmUse.now().since(before);
        assertTrue(used.gcCount() >= 1, used.toString());
        if (Files.isDirectory(Path.of("/proc/self/task"))) {
            assertNotEquals(CpuUse.UNKNOWN, used.gcCpuNanos(), used.toString());
            assertNotEquals(CpuUse.UNKNOWN, used.jitCpuNanos(), used.toString());
        }
    }

    /**
     * The harness collects between every two rounds, warm-ups included: the JVM's collection count when a round's
     * client is bound is above its count at the last operation of the round before. Without the settling the count
     * stays put, since nothing between two rounds allocates enough to fill the young generation.
     */
    @Test
    void everyRoundStartsOnAFreshlyCollectedHeap() throws Exception {
        String h2 = "jdbc:h2:mem:round_independence_" + System.nanoTime() + ";DB_CLOSE_DELAY=-1";
        Map<String, String> login = Map.of("user", "sa", "password", "");
        List<TargetSpec> targets = List.of(
                new TargetSpec(Targets.DIRECT, "H2", h2, null, login, null, false, null, Set.of()),
                new TargetSpec("other", "H2 again", h2, null, login, null, false, null, Set.of()));
        CountsCollections workload = new CountsCollections();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        HarnessConfig config = new HarnessConfig(h2, login, "settle_", targets, List.of(workload), 1, 2, 0.3, 0.3,
                true, 3L, 30, Map.of(), new PrintStream(log, true, StandardCharsets.UTF_8), 1, 0.1);

        RunResult run = new Harness(config).run();

        String progress = log.toString(StandardCharsets.UTF_8);
        assertNull(run.abortedBecause, progress);
        // a warm-up and two measured rounds per target
        assertEquals(6, run.rounds.size(), progress);
        assertEquals(6, workload.rounds.size(), progress);
        for (int i = 1; i < workload.rounds.size(); i++) {
            assertTrue(workload.rounds.get(i)[0] > workload.rounds.get(i - 1)[1],
                    "round " + i + " started without a collection since round " + (i - 1) + "'s last operation: "
                            + progress);
        }
        for (RoundResult r : run.rounds) {
            assertNull(r.error(), r.error());
            assertTrue(r.jvm().gcCount() >= 0 && r.jvm().gcMillis() >= 0, r.jvm().toString());
        }
        Path out = Files.createTempDirectory("round-independence");
        ReportWriter.write(run, Summary.of(run), out);
        String header = Files.readAllLines(out.resolve("rounds.csv")).get(0);
        assertTrue(header.contains(",jit_ms,gc_count,gc_ms,gc_cpu_us,jit_cpu_us,"), header);
        String report = Files.readString(out.resolve("report.md"));
        assertTrue(report.contains("| JIT s | GC | hits/op |"), report);
        assertTrue(report.contains("a full collection and 0.100 s idle"), report);
    }

    private static long collections() {
        long count = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            count += Math.max(0, gc.getCollectionCount());
        }
        return count;
    }

    private static void thread(Path tasks, int id, String name, long utime, long stime) throws Exception {
        Path dir = Files.createDirectories(tasks.resolve(Integer.toString(id)));
        Files.writeString(dir.resolve("stat"), id + " (" + name + ") S 1 1 1 0 -1 4194368 0 0 0 0 " + utime + " "
                + stime + " 0 0 20 0 1 0 1 1 1");
    }

    /**
     * Does no work on the database; notes the JVM's collection count when each round's client is bound and at each
     * operation, one client thread per target.
     */
    private static final class CountsCollections implements Workload {
        /** Per round in run order: the count at its start and at its last operation. */
        final List<long[]> rounds = new ArrayList<>();

        @Override
        public String name() {
            return "count-collections";
        }

        @Override
        public String description() {
            return "no statements";
        }

        @Override
        public int writePercent() {
            return 0;
        }

        @Override
        public String dataset() {
            return "none";
        }

        @Override
        public List<String> tables() {
            return List.of();
        }

        @Override
        public void load(Connection connection) {
        }

        @Override
        public Client client(Connection connection) {
            return new Client() {
                @Override
                public void use(UniformRandomProvider random) {
                    long now = collections();
                    synchronized (rounds) {
                        rounds.add(new long[] {now, now});
                    }
                }

                @Override
                public boolean execute(OpCounter counter) {
                    long now = collections();
                    synchronized (rounds) {
                        rounds.get(rounds.size() - 1)[1] = now;
                    }
                    try {
                        // little allocation, so no collection of its own between two rounds
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return false;
                }

                @Override
                public void close() {
                }
            };
        }
    }
}
