package dev.sqlcache.consistency;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlcache.testing.RedisClusterFixture;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The two-JVM checker on a Redis Cluster (three masters, one replica for the master of sqlcache's slot), on
 * PostgreSQL: the full mix, and midway the slot's master is killed ({@code kill -9}) so that its replica is promoted
 * while both JVMs read and write. 0 stale answers and 0 application errors; the cache must have taken part.
 */
class ClusterWorkloadTest {

    private static final int SLOT = redis.clients.jedis.util.JedisClusterCRC16.getSlot("sqlcache");

    @Test
    void postgresqlWithTheSlotsMasterKilledMidway() throws Exception {
        long seconds = Harness.soakSeconds();
        try (RedisClusterFixture cluster = RedisClusterFixture.start()) {
            int master = cluster.masterOf(SLOT);
            int replica = cluster.addReplicaOf(master);
            Map<String, String> settings = new java.util.LinkedHashMap<>(cluster.properties());
            // Near caches stay off on a cluster whatever the setting; saying so keeps the checker from expecting them.
            settings.put("sqlcache.nearCache.maxBytes", "0");
            long[] promotedAfter = {-1};
            Report report = Harness.run(Target.postgres(), settings, settings,
                    Harness.Run.full(seconds, true), merged -> {
                        TimeUnit.SECONDS.sleep(Math.max(1, seconds / 2));
                        long killed = System.nanoTime();
                        cluster.kill(master);
                        merged.add("faults.masterKilled", 1);
                        int promoted = cluster.awaitNewMaster(SLOT, master, 30_000);
                        assertEquals(replica, promoted);
                        promotedAfter[0] = (System.nanoTime() - killed) / 1_000_000;
                    });
            String summary = "cluster/postgresql: " + report.summary() + ", replica promoted " + promotedAfter[0]
                    + " ms after the kill";
            System.out.println(summary);
            assertAll(
                    () -> assertEquals(1, report.get("faults.masterKilled"), summary),
                    () -> assertEquals(0, report.get("violations"), "violations, " + summary),
                    () -> assertEquals(0, report.get("errors"), "application errors, " + summary),
                    () -> assertTrue(report.get("reads") > 1000, "too few reads to mean anything, " + summary),
                    () -> assertTrue(report.get("cache.hits") >= 100, "the cache barely took part, " + summary),
                    () -> assertTrue(report.get("cache.stores") > 0, "nothing stored, " + summary));
        }
    }
}
