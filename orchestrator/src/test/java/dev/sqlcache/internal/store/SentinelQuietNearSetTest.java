package dev.sqlcache.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlcache.internal.config.InvalidConfigurationException;
import dev.sqlcache.internal.config.RedisSettings;
import dev.sqlcache.internal.config.SqlCacheConfig;
import dev.sqlcache.testing.RedisSentinelFixture;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The writers' {@code ~quiet} mark in {@code sql:_near:members} says no near lease can be live, so a write publishes
 * nothing and waits for nobody. A replica Sentinel promotes may hold that mark without the renewal that ended it
 * (the first near cache's, which created the set on the old primary): before the marks, that replica had no set,
 * and its writers published and waited out a near lease. Right after a change of primary a writer behind Sentinel
 * must not trust the mark (r4; without the check in RedisNearChannel.recipientsOf this test fails: the write
 * answers "nobody").
 */
class SentinelQuietNearSetTest {

    private static final String KEY = "sql:items:version:db1";

    private static RedisSettings settings(Map<String, String> properties) throws InvalidConfigurationException {
        Map<String, String> all = new HashMap<>(properties);
        all.put("sqlcache.redis.socketTimeout", "1s");
        return SqlCacheConfig.load(Map.of(), all).redis();
    }

    @Test
    void aQuietMarkOnAJustPromotedReplicaIsNotTrusted() throws Exception {
        try (RedisSentinelFixture group = RedisSentinelFixture.start();
             RedisCacheStore store = new RedisCacheStore(settings(group.properties()))) {
            int first = group.primaryPort();
            // The mark as writers leave it, replicated; the renewal that would end it is what the replica lacks.
            group.command(first, "ZADD", NearChannel.MEMBERS_KEY, "0", "~quiet");
            // Until the replica holds it: WAIT's timeout passes silently on a loaded machine, and a failover before
            // the mark arrived would test nothing (and fail below with nothing wrong).
            long replicated = System.nanoTime();
            while (group.command(group.otherDataPort(first), "ZSCORE", NearChannel.MEMBERS_KEY, "~quiet") == null) {
                assertTrue(System.nanoTime() - replicated < 30_000_000_000L, "the mark reached the replica in 30 s");
                Thread.sleep(20);
            }
            store.initVersions(new String[] {KEY});

            assertEquals(first, group.manualFailover());
            int second = group.awaitFailover(first, 30_000);
            CacheStore.Recipients landed = null;
            long start = System.nanoTime();
            while (landed == null && System.nanoTime() - start < 30_000_000_000L) {
                String lease = VersionTokens.freshLease(30_000);
                try {
                    CacheStore.Recipients recipients = store.leaseVersions(new String[] {KEY},
                            new String[] {lease}, 30_000, new CacheStore.Notice("writer-jvm", VersionTokens.fresh()));
                    if (lease.equals(group.command(second, "GET", KEY))) {
                        landed = recipients;
                    }
                } catch (CacheStoreException stillOnTheOldPrimary) {
                    Thread.sleep(50);
                }
            }
            assertTrue(landed != null, "a write reached the new primary within 30 s");
            assertTrue(group.command(second, "ZSCORE", NearChannel.MEMBERS_KEY, "~quiet") != null,
                    "the promoted replica holds the mark");
            assertFalse(landed.none(), "the first write after the change waits out a near lease instead");
        }
    }
}
