package dev.sqlcache.consistency;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlcache.testing.RedisSentinelFixture;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The two-JVM checker on a Redis Sentinel group (one primary, one replica, three sentinels), on PostgreSQL: the full
 * mix, and midway the primary is killed ({@code kill -9}) so that the sentinels promote the replica while both JVMs
 * read and write. A promoted replica may lack the last writes (replication is asynchronous): each JVM must treat it
 * like a server restarted from an older snapshot. 0 stale answers and 0 application errors; the cache must have
 * taken part; the fraction of reads served from the cache before, during and after the failover is printed.
 */
class SentinelWorkloadTest {

    @Test
    void postgresqlWithThePrimaryKilledMidway() throws Exception {
        long seconds = Harness.soakSeconds();
        try (RedisSentinelFixture sentinel = RedisSentinelFixture.start()) {
            Map<String, String> settings = sentinel.properties();
            int[] ports = {-1, -1};
            long[] promotedAfter = {-1};
            Report report = Harness.run(Target.postgres(), settings, settings, Harness.Run.full(seconds, true),
                    (merged, running) -> {
                        long waited = running.awaitReads(200, seconds / 3);
                        TimeUnit.MILLISECONDS.sleep(Math.max(1_000, seconds * 1_000 / 2 - waited));
                        long killed = System.nanoTime();
                        long killedAt = System.currentTimeMillis();
                        ports[0] = sentinel.killPrimary();
                        merged.add("faults.primaryKilled", 1);
                        ports[1] = sentinel.awaitFailover(ports[0], 30_000);
                        merged.fault("primary-killed", killedAt, System.currentTimeMillis());
                        promotedAfter[0] = (System.nanoTime() - killed) / 1_000_000;
                    });
            String summary = "sentinel/postgresql: " + report.summary() + ", replica promoted " + promotedAfter[0]
                    + " ms after the kill";
            System.out.println(summary);
            assertAll(
                    () -> assertEquals(1, report.get("faults.primaryKilled"), summary),
                    () -> assertNotEquals(ports[0], ports[1], "the primary after the failover, " + summary),
                    () -> assertEquals(0, report.get("violations"), "violations, " + summary),
                    () -> assertEquals(0, report.get("errors"), "application errors, " + summary),
                    () -> assertTrue(report.get("reads") > 1000, "too few reads to mean anything, " + summary),
                    () -> assertTrue(report.get("cache.hits") >= 100, "the cache barely took part, " + summary),
                    () -> assertTrue(report.get("cache.stores") > 0, "nothing stored, " + summary));
        }
    }
}
