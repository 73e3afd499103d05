package dev.sqlcache.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlcache.internal.config.InvalidConfigurationException;
import dev.sqlcache.internal.config.RedisSettings;
import dev.sqlcache.internal.config.SqlCacheConfig;
import dev.sqlcache.testing.RedisSentinelFixture;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Redis store behind Sentinel, on a real 1-primary/1-replica/3-sentinel group: it finds the primary, follows
 * a failover, counts the change of primary among the reasons to doubt the store, and leaves no thread behind.
 */
class SentinelStoreTest {

    private static RedisSettings settings(Map<String, String> properties) throws InvalidConfigurationException {
        Map<String, String> all = new HashMap<>(properties);
        all.put("sqlcache.redis.socketTimeout", "1s");
        return SqlCacheConfig.load(Map.of(), all).redis();
    }

    /**
     * A manual failover ({@code SENTINEL FAILOVER}) leaves the old primary running as a replica: no connection
     * breaks, so only the store's own count of primary changes tells the membership that what it reads now comes
     * from another server, which may lack the last writes. Without it, lookups would be trusted at once.
     */
    @Test
    void followsAFailoverAndCountsTheChangeOfPrimary() throws Exception {
        try (RedisSentinelFixture group = RedisSentinelFixture.start();
             RedisCacheStore store = new RedisCacheStore(settings(group.properties()))) {
            assertTrue(store.describe().startsWith("redis sentinel master " + RedisSentinelFixture.MASTER + " via "),
                    store.describe());
            int first = group.primaryPort();
            store.initVersions(new String[] {"sql:t1:version"});
            assertEquals("OK", group.command(first, "SET", "probe", "first").toString());
            long doubts = store.reconnects();

            assertEquals(first, group.manualFailover());
            int second = group.awaitFailover(first, 30_000);
            long start = System.nanoTime();
            boolean written = false;
            while (!written && System.nanoTime() - start < 30_000_000_000L) {
                try {
                    store.initVersions(new String[] {"sql:t2:version"}); // a write: refused by a replica
                    written = group.command(second, "EXISTS", "sql:t2:version").equals(1L);
                } catch (CacheStoreException stillOnTheOldPrimary) {
                    Thread.sleep(50);
                }
            }
            assertTrue(written, "the store reached the new primary within 30 s");
            System.out.printf("SentinelStoreTest: writes reached the new primary %d ms after the sentinels agreed%n",
                    (System.nanoTime() - start) / 1_000_000);
            assertTrue(store.reconnects() > doubts, "the change of primary is a reason to doubt the store");
        }
        assertNoListenerThreads();
    }

    @Test
    void unreachableSentinelsFailFastAndOpenNothing() throws Exception {
        try (RedisCacheStore store = new RedisCacheStore(settings(Map.of("sqlcache.redis.sentinels",
                "127.0.0.1:1,127.0.0.1:2", "sqlcache.redis.sentinelMaster", "nobody")))) {
            long start = System.nanoTime();
            assertFalse(store.ping());
            assertFalse(store.ping()); // the second fails at once: the sentinels are asked again only after 1 s
            assertTrue(System.nanoTime() - start < 5_000_000_000L, "bounded");
        }
        assertNoListenerThreads();
    }

    /**
     * Sentinels that accept connections and never answer cost a socket timeout each. One thread pays it; the
     * others must not queue behind it, since their statements are waiting.
     */
    @Test
    void whileOneThreadAsksSilentSentinelsTheOthersFailAtOnce() throws Exception {
        try (ServerSocket silent1 = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             ServerSocket silent2 = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             RedisCacheStore store = new RedisCacheStore(settings(Map.of("sqlcache.redis.sentinels",
                     "127.0.0.1:" + silent1.getLocalPort() + ",127.0.0.1:" + silent2.getLocalPort(),
                     "sqlcache.redis.sentinelMaster", "m")))) {
            // Jedis's client already asked once while the store was created (it probes a connection for the
            // protocol); after the 1 s in which a failed attempt is not repeated, a ping asks again.
            Thread.sleep(1_200);
            CompletableFuture<Boolean> asking = CompletableFuture.supplyAsync(store::ping);
            Thread.sleep(300); // that ping is now waiting for the first silent sentinel (1 s timeout)
            assertFalse(asking.isDone(), "still asking");
            long start = System.nanoTime();
            assertFalse(store.ping());
            long waitedMillis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(waitedMillis < 500, "waited " + waitedMillis + " ms behind the thread asking the sentinels");
            assertFalse(asking.get(10, TimeUnit.SECONDS));
        }
        assertNoListenerThreads();
    }

    private static void assertNoListenerThreads() throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (Thread.getAllStackTraces().keySet().stream()
                    .noneMatch(t -> t.isAlive() && t.getName().contains("SentinelListener"))) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("sentinel listener threads outlived the store");
    }
}
