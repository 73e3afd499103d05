package dev.sqlcache.consistency;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlcache.driver.SqlCacheConnection;
import dev.sqlcache.stats.CacheStatistics;
import dev.sqlcache.testing.RedisSentinelFixture;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What {@code min-replicas-to-write 1} buys against a Sentinel split brain, on PostgreSQL: the primary loses its
 * replica (as an old primary cut off with a few clients while the sentinels promote the replica elsewhere), and
 * from then on refuses every write with {@code NOREPLICAS}, sqlcache's leases and invalidations included, while it
 * still answers reads. A JVM that writes then cannot invalidate, exactly as with Redis down: its statement still
 * commits, and neither it nor another JVM reading the same primary may serve the answer from before the write.
 * They stop serving from the cache because no membership can be renewed on that primary either.
 */
class SplitBrainTest {

    private static final String READ = "SELECT val FROM cc_counter WHERE id = 5";

    @Test
    void postgresqlWriteOnAPrimaryThatLostItsReplica() throws Exception {
        Target target = Target.postgres();
        Harness.createSchema(target);
        try (RedisSentinelFixture group = RedisSentinelFixture.start()) {
            int primary = group.primaryPort();
            assertEquals("OK", group.command(primary, "CONFIG", "SET", "min-replicas-to-write", "1").toString());
            assertEquals("OK", group.command(primary, "CONFIG", "SET", "min-replicas-max-lag", "1").toString());
            Map<String, String> settings = group.properties();
            try (AgentProcess other = new AgentProcess(target, settings); Connection here = target.cached(settings)) {
                SqlCacheConnection sqlcache = here.unwrap(SqlCacheConnection.class);
                CacheStatistics start = sqlcache.statistics();
                for (int i = 0; i < 3; i++) {
                    assertEquals("0", other.query(READ));
                    assertEquals("0", read(here));
                }
                assertTrue(sqlcache.statistics().since(start).hits() > 0, "the cache served this JVM before");

                group.cutReplication();
                awaitWritesRefused(group, primary);
                CacheStatistics refused = sqlcache.statistics();
                long writing = System.nanoTime();
                assertEquals(1, Fixtures.execute(here, "UPDATE cc_counter SET val = 1 WHERE id = 5"),
                        "the write commits although its invalidation is refused");
                long writeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - writing);
                for (int i = 0; i < 20; i++) {
                    assertEquals("1", other.query(READ), "the other JVM, read " + i + " after the write");
                    assertEquals("1", read(here), "this JVM, read " + i + " after the write");
                    TimeUnit.MILLISECONDS.sleep(100);
                }
                CacheStatistics after = sqlcache.statistics().since(refused);
                System.out.printf("SplitBrainTest: the write took %d ms; this JVM since writes were refused: hits=%d "
                                + "redisErrors=%d bypasses=%s%n", writeMillis, after.hits(), after.redisErrors(),
                        after.bypasses());
                assertTrue(after.redisErrors() > 0, "the refused writes count as failures of the store");
            }
        }
    }

    private static String read(Connection c) throws Exception {
        try (Statement s = c.createStatement(); java.sql.ResultSet rs = s.executeQuery(READ)) {
            assertTrue(rs.next());
            return rs.getString(1);
        }
    }

    private static void awaitWritesRefused(RedisSentinelFixture group, int primary) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            Object reply = dev.sqlcache.testing.RespClient.tryCall(primary, "SET", "split-brain-probe", "x");
            if (String.valueOf(reply).startsWith("-NOREPLICAS")) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the primary did not refuse writes with NOREPLICAS within 30 s of losing its "
                        + "replica; last reply: " + reply);
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
    }
}
