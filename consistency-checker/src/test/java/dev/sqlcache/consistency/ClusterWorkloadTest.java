package dev.sqlcache.consistency;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlcache.testing.RedisClusterFixture;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The two-JVM checker on a Redis Cluster, on PostgreSQL, with the full mix and the faults of issue #15: the slot's
 * master killed ({@code kill -9}) midway so that its replica is promoted; and, in a second run, sqlcache's slot
 * moved to another master as {@code redis-cli --cluster reshard} does, then the forked JVM killed ({@code kill -9})
 * and another started, all while the JVMs read and write. 0 stale answers and 0 application errors; the cache must
 * have taken part, near caches included. The fraction of reads served from the cache before, during and after each
 * fault is printed.
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
            long[] promotedAfter = {-1};
            Report report = Harness.run(Target.postgres(), settings, settings,
                    Harness.Run.full(seconds, true), (merged, running) -> {
                        long waited = running.awaitReads(200, seconds / 3);
                        TimeUnit.MILLISECONDS.sleep(Math.max(1_000, seconds * 1_000 / 2 - waited));
                        long killed = System.nanoTime();
                        long killedAt = System.currentTimeMillis();
                        cluster.kill(master);
                        merged.add("faults.masterKilled", 1);
                        int promoted = cluster.awaitNewMaster(SLOT, master, 30_000);
                        merged.fault("master-killed", killedAt, System.currentTimeMillis());
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
                    () -> assertTrue(!Checks.nearCacheOn() || report.get("cache.nearHits") > 0,
                            "the near cache served nothing, " + summary),
                    () -> assertTrue(report.get("cache.stores") > 0, "nothing stored, " + summary));
        }
    }

    /**
     * Once this JVM reads, and 3 s more, the slot is moved to another master in batches (clients meet ASK and MOVED, and the JVMs fence
     * themselves until a renewal vouches for the new master); 3 s after it, the forked JVM is killed with SIGKILL and a
     * new one started: the dead one's membership lapses only after {@code sqlcache.fenceTimeout}, set to its minimum
     * (5 s) here, during which no JVM serves from the cache.
     */
    @Test
    void postgresqlWithTheSlotMigratedAndAJvmKilled() throws Exception {
        // Longer than the other runs: the fence after the kill alone keeps every JVM off the cache for 5 s.
        long seconds = Math.max(30, Harness.soakSeconds());
        try (RedisClusterFixture cluster = RedisClusterFixture.start()) {
            Map<String, String> settings = new java.util.LinkedHashMap<>(cluster.properties());
            int source = cluster.masterOf(SLOT);
            int target = java.util.Arrays.stream(cluster.ports()).filter(p -> p != source).findFirst().orElseThrow();
            Harness.Run run = Harness.Run.full(seconds, true).with("sqlcache.fenceTimeout", "5s");
            Report report = Harness.run(Target.postgres(), settings, settings, run, (merged, running) -> {
                long start = System.nanoTime();
                running.awaitReads(200, seconds / 3);
                TimeUnit.SECONDS.sleep(3);
                long migrating = System.currentTimeMillis();
                cluster.migrateSlot(SLOT, target, 50, 20);
                merged.fault("slot-migrated", migrating, System.currentTimeMillis());
                merged.add("faults.slotMigrated", 1);
                assertEquals(target, cluster.masterOf(SLOT), "the slot's master after the migration");
                TimeUnit.SECONDS.sleep(3);
                long killedAt = System.currentTimeMillis();
                running.forked().killLast();
                merged.fault("jvm-killed", killedAt, System.currentTimeMillis());
                merged.add("faults.jvmKilled", 1);
                long left = seconds - TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
                running.forked().start(Math.max(2, left));
            });
            String summary = "cluster/postgresql, slot migrated and a JVM killed: " + report.summary();
            System.out.println(summary);
            assertAll(
                    () -> assertEquals(1, report.get("faults.slotMigrated"), summary),
                    () -> assertEquals(1, report.get("faults.jvmKilled"), summary),
                    () -> assertEquals(0, report.get("violations"), "violations, " + summary),
                    () -> assertEquals(0, report.get("errors"), "application errors, " + summary),
                    () -> assertTrue(report.get("reads") > 1000, "too few reads to mean anything, " + summary),
                    () -> assertTrue(report.get("cache.hits") >= 100, "the cache barely took part, " + summary),
                    () -> assertTrue(!Checks.nearCacheOn() || report.get("cache.nearHits") > 0,
                            "the near cache served nothing, " + summary),
                    () -> assertTrue(report.get("cache.stores") > 0, "nothing stored, " + summary));
        }
    }
}
