package dev.sqlcache.bench.throughput;

import dev.sqlcache.bench.PrivateRedis;
import dev.sqlcache.stats.CacheStatistics;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every workload for one second on H2, directly and through sqlcache with a private Redis: what the client threads
 * counted must add up (operations, statements, the write share, one latency sample per operation), and every
 * SELECT sqlcache saw must be a hit, a miss or a bypass. A harness whose counts do not add up measures nothing.
 */
class HarnessCountsTest {
    private static PrivateRedis redis;

    @BeforeAll
    static void startRedis() throws Exception {
        redis = PrivateRedis.start();
    }

    @AfterAll
    static void stopRedis() throws Exception {
        redis.close();
    }

    @Test
    void everyWorkloadsCountsAddUp() throws Exception {
        String h2 = "jdbc:h2:mem:harness_counts_" + System.nanoTime() + ";DB_CLOSE_DELAY=-1";
        Map<String, String> login = Map.of("user", "sa", "password", "");
        List<TargetSpec> targets = Targets.standard(h2, login, null, "no pgpool in this test",
                new TargetSpec.RedisEndpoint("127.0.0.1", redis.port, 0), Map.of(), Map.of(), Map.of(),
                List.of(Targets.DIRECT, Targets.SQLCACHE_REDIS));
        List<Workload> workloads = new ArrayList<>();
        for (Workload w : Workloads.select(List.of("all"))) {
            // The join's figure does not matter here; loading 200,000 orders twice into H2 would dominate.
            workloads.add(w instanceof JoinAggregateWorkload ? new JoinAggregateWorkload(w.writePercent(), 5_000) : w);
        }
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        // A warm-up round first, so that the measured round of a read-only workload finds its entries cached.
        HarnessConfig config = new HarnessConfig(h2, login, "counts_", targets, workloads, 4, 1, 1.0, 1.0, true, 7L,
                30, Map.of(), new PrintStream(log, true, StandardCharsets.UTF_8));

        RunResult run = new Harness(config).run();

        String progress = log.toString(StandardCharsets.UTF_8);
        assertNull(run.abortedBecause, progress);
        assertTrue(run.notAvailable.isEmpty(), () -> run.notAvailable + "\n" + progress);
        assertEquals(2 * workloads.size() * targets.size(), run.rounds.size(), progress);
        for (RoundResult r : run.rounds) {
            Workload w = workloads.stream().filter(x -> x.name().equals(r.workload())).findFirst().orElseThrow();
            String where = r.workload() + " on " + r.target() + " round " + r.round() + ": ";
            OpCounter c = r.counts();
            assertNull(r.error(), where + r.error());
            assertTrue(c.operations > 0, where + "no operation at all");
            assertEquals(c.operations, r.latency().getTotalCount(), where + "one latency sample per operation");
            assertEquals(c.writeOperations, c.updates, where + "every writing operation is one update");
            // The time split by kind is the per-operation budget's evidence: it must be the whole round's time.
            double total = r.latency().getMean() * r.latency().getTotalCount();
            assertEquals(total, c.readNanos + c.writeNanos, total * 0.01,
                    where + "the reads' and the writes' time make up every operation's");
            assertTrue(w.writePercent() == 0 ? c.writeNanos == 0 : c.writeMicros() > 0, where + c.writeNanos);
            long readOperations = c.operations - c.writeOperations;
            if (w instanceof EpinionsWorkload) {
                // One of its five read transactions runs two SELECTs.
                assertTrue(c.selects > readOperations && c.selects < 2 * readOperations, where + c.selects);
            } else {
                assertEquals(readOperations, c.selects, where + "every reading operation is one SELECT");
            }
            assertTrue(c.rows >= c.selects / 2, where + "SELECTs return rows: " + c.rows);
            assertWriteShare(where, w.writePercent(), c);
            assertTrue(r.cpu().jvmNanos() > 0 && c.cpuNanos > 0, where + "operations cost this JVM CPU: " + r.cpu());
            assertEquals(CpuUse.UNKNOWN, r.cpu().postgresNanos(), where + "H2 has no backends under /proc");
            assertTrue(r.cpu().jitMillis() >= 0, where + "the JIT's time is read: " + r.cpu());

            CacheStatistics st = r.statistics();
            if (r.target().equals(Targets.DIRECT)) {
                assertNull(st, where + "no sqlcache statistics for the real driver");
                assertTrue(r.redis().isEmpty(), where + "no Redis for the real driver");
                assertEquals(CpuUse.UNKNOWN, r.cpu().redisMicros(), where + "nor Redis CPU");
                continue;
            }
            assertEquals(c.selects, st.hits() + st.misses() + st.totalBypasses(),
                    where + "every SELECT is a hit, a miss or a bypass: " + st);
            assertTrue(st.stores() <= st.misses(), where + st);
            assertTrue(r.cpu().redisMicros() >= 0, where + "Redis CPU is read: " + r.cpu());
            // A lookup is MGET (with GETRANGE and PTTL) once its tokens exist, the lookup script when one is missing.
            assertTrue(r.redis().getOrDefault("mget", 0L) + r.redis().getOrDefault("evalsha", 0L) > 0,
                    where + "lookups reach Redis: " + r.redis());
            if (w.writePercent() == 0) {
                assertTrue(r.warmup() || st.hits() > 0, where + "a read-only workload through sqlcache must hit: "
                        + st);
                assertEquals(0, st.totalBypasses(), where + st);
            }
        }

        List<Summary> summaries = Summary.of(run);
        assertEquals(workloads.size() * targets.size(), summaries.size());
        for (Summary s : summaries) {
            assertEquals("ok", s.status(), s.toString());
            if (s.target().equals(Targets.DIRECT)) {
                assertEquals(1.0, s.ratio(), 1e-9);
            }
        }
        Path out = Files.createTempDirectory("harness-counts");
        ReportWriter.write(run, summaries, out);
        assertEquals(1 + run.rounds.size(), Files.readAllLines(out.resolve("rounds.csv")).size());
        assertEquals(1 + summaries.size(), Files.readAllLines(out.resolve("summary.csv")).size());
        String report = Files.readString(out.resolve("report.md"));
        for (Workload w : workloads) {
            assertTrue(report.contains("#### " + w.name()), w.name());
        }
        assertTrue(report.contains("| JVM µs/op (client threads) | Redis µs/op | PostgreSQL µs/op |"), report);
        // The policy's switches per target and round: a figure the policy moved says so.
        assertTrue(report.contains("| bypasses/op by reason | policy switches |"), report);
        assertTrue(report.lines().anyMatch(l -> l.startsWith("| " + Targets.SQLCACHE_REDIS + " ")
                && l.contains("w1 ") && l.contains("r1 ")), report);
        assertTrue(Files.readAllLines(out.resolve("rounds.csv")).get(0)
                .contains(",shapes_off,shapes_on,shapes_off_at_end,tables_off,"), "rounds.csv's header");
        List<String> summary = Files.readAllLines(out.resolve("summary.csv"));
        int jvm = List.of(summary.get(0).split(",")).indexOf("jvm_cpu_us_per_op");
        assertTrue(jvm > 0, summary.get(0));
        for (String line : summary.subList(1, summary.size())) {
            // commas inside quoted fields (the Redis commands) are no separators
            assertTrue(Double.parseDouble(line.split(",(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)")[jvm]) > 0, line);
        }
    }

    /**
     * The bounded-staleness target writes through a second runtime, as another JVM would: the runtime that reads
     * must see the rows change (its near cache may serve orders up to 1 s late, never after its own write) without
     * having run a single write itself.
     */
    @Test
    void theBoundedStalenessTargetWritesFromAnotherRuntime() throws Exception {
        String h2 = "jdbc:h2:mem:harness_stale_" + System.nanoTime() + ";DB_CLOSE_DELAY=-1";
        Map<String, String> login = Map.of("user", "sa", "password", "");
        List<TargetSpec> targets = Targets.standard(h2, login, null, "no pgpool in this test",
                new TargetSpec.RedisEndpoint("127.0.0.1", redis.port, 0), Map.of(),
                Map.of("sqlcache.nearCache.maxBytes", "8mb"),
                Map.of("sqlcache.tableNearCache", "orders=1s"), List.of(Targets.DIRECT, Targets.SQLCACHE_NEAR_STALE));
        List<Workload> workloads = List.of(new JoinAggregateWorkload(5, 5_000));
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        HarnessConfig config = new HarnessConfig(h2, login, "stale_", targets, workloads, 2, 1, 1.0, 1.0, true, 7L,
                30, Map.of(), new PrintStream(log, true, StandardCharsets.UTF_8));

        RunResult run = new Harness(config).run();

        String progress = log.toString(StandardCharsets.UTF_8);
        assertNull(run.abortedBecause, progress);
        RoundResult measured = run.rounds.stream()
                .filter(r -> r.target().equals(Targets.SQLCACHE_NEAR_STALE) && !r.warmup()).findFirst().orElseThrow();
        assertNull(measured.error(), progress);
        assertTrue(measured.counts().writeOperations > 0, progress);
        assertEquals(0, measured.statistics().invalidations(),
                "the reading runtime ran no write: " + measured.statistics());
        assertTrue(measured.statistics().hits() > 0, "and it serves: " + measured.statistics());
    }

    /** The share of writing operations is binomial: within five standard deviations of the workload's. */
    private static void assertWriteShare(String where, int writePercent, OpCounter c) {
        double p = writePercent / 100.0;
        double observed = (double) c.writeOperations / c.operations;
        double allowed = 5 * Math.sqrt(p * (1 - p) / c.operations) + 1e-9;
        assertTrue(Math.abs(observed - p) <= allowed,
                where + "write share " + observed + ", expected " + p + " ± " + allowed);
    }
}
