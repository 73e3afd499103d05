package dev.sqlcache.bench.throughput;

import dev.sqlcache.bench.PrivateRedis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * On PostgreSQL with a private pgpool-II and a private Redis, exactly as {@code benchmarks/throughput.sh} runs them:
 * pgpool's query cache and sqlcache are really in the way (their counters move, and a read-only workload hits),
 * what they count agrees with what the clients did, a target whose settings sqlcache rejects is reported as not
 * available while the run goes on, and after the run each cache still answers a write's effect at once (a cache
 * figure from stale answers would be worthless).
 */
class CachesInTheWayTest {
    private static final String PREFIX = "harness_test_";
    private static PrivateRedis redis;
    private static PrivatePgpool pgpool;

    @BeforeAll
    static void start() throws Exception {
        TestPostgres.connect().close();
        redis = PrivateRedis.start();
        pgpool = PrivatePgpool.start("127.0.0.1", 5432, 8);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (pgpool != null) {
                pgpool.close();
            }
            if (redis != null) {
                redis.close();
            }
        } finally {
            TestPostgres.dropSchemas(PREFIX);
        }
    }

    @Test
    void pgpoolAndSqlcacheReallyCache() throws Exception {
        String pgpoolUrl = "jdbc:postgresql://127.0.0.1:" + pgpool.port + "/"
                + TestPostgres.URL.substring(TestPostgres.URL.lastIndexOf('/') + 1) + "?preferQueryMode=simple";
        List<TargetSpec> targets = Targets.standard(TestPostgres.URL, TestPostgres.LOGIN, pgpoolUrl, null,
                new TargetSpec.RedisEndpoint("127.0.0.1", redis.port, 0), Map.of(),
                Map.of("sqlcache.nearCache.maxBytes", "64mb"), Map.of("sqlcache.tableNearCache", "orders=1s"),
                List.of(Targets.DIRECT, Targets.PGPOOL, Targets.SQLCACHE_REDIS, Targets.SQLCACHE_NEAR));
        List<Workload> workloads = Workloads.select(List.of("pk-reads"));
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        HarnessConfig config = new HarnessConfig(TestPostgres.URL, TestPostgres.LOGIN, PREFIX, targets, workloads,
                4, 1, 1.5, 1.0, true, 11L, 30, Map.of(), new PrintStream(log, true, StandardCharsets.UTF_8));

        RunResult run = new Harness(config).run();

        String progress = log.toString(StandardCharsets.UTF_8);
        assertNull(run.abortedBecause, progress);
        for (Workload w : workloads) {
            String near = run.whyNotAvailable(w.name(), Targets.SQLCACHE_NEAR);
            assertTrue(near == null || near.startsWith("SQLState HY024"),
                    "a target is either measured or rejected by the driver's validation: " + near);
        }
        for (RoundResult r : run.rounds) {
            String where = r.workload() + " on " + r.target() + " round " + r.round() + ": ";
            OpCounter c = r.counts();
            assertNull(r.error(), where + r.error());
            boolean readOnly = r.workload().equals("pk-reads-ro");
            switch (r.target()) {
                case Targets.PGPOOL -> {
                    // In simple-protocol mode pgpool counts each SELECT once: as a hit or as sent to the database.
                    assertEquals(c.selects, r.pgpool().hits() + r.pgpool().selects(), where + r.pgpool());
                    if (readOnly && !r.warmup()) {
                        assertTrue(r.pgpool().hits() > 0, where + "pgpool's cache must answer: " + r.pgpool());
                    }
                }
                case Targets.SQLCACHE_REDIS, Targets.SQLCACHE_NEAR -> {
                    assertEquals(c.selects, r.statistics().hits() + r.statistics().misses()
                            + r.statistics().totalBypasses(), where + r.statistics());
                    if (readOnly && !r.warmup()) {
                        assertTrue(r.statistics().hits() > 0, where + "sqlcache must answer: " + r.statistics());
                    }
                }
                case Targets.DIRECT -> {
                    assertNull(r.statistics(), where);
                    assertNull(r.pgpool(), where);
                }
                default -> throw new AssertionError(where);
            }
        }
        for (TargetSpec target : targets) {
            if (run.whyNotAvailable("pk-reads-5w", target.name()) == null) {
                assertWritesAreSeenAtOnce(target);
            }
        }
    }

    /** Reads a row through the target until it is cached, updates it through the target, reads it back. */
    private static void assertWritesAreSeenAtOnce(TargetSpec target) throws SQLException {
        try (Connection c = TargetSession.connect(target, target.schema(PREFIX), Map.of());
             PreparedStatement read = c.prepareStatement("select stock from pk_items where id = ?");
             PreparedStatement write = c.prepareStatement("update pk_items set stock = ? where id = ?")) {
            for (int i = 0; i < 3; i++) {
                stock(read);
            }
            int changed = stock(read) + 1_000_000;
            write.setInt(1, changed);
            write.setInt(2, 1);
            assertEquals(1, write.executeUpdate());
            assertEquals(changed, stock(read), target.name() + " answered a stale row after a write through it");
        }
    }

    private static int stock(PreparedStatement read) throws SQLException {
        read.setInt(1, 1);
        try (ResultSet rs = read.executeQuery()) {
            assertTrue(rs.next());
            return rs.getInt(1);
        }
    }
}
