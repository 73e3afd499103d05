package dev.sqlcache.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlcache.internal.config.RedisSettings;
import dev.sqlcache.internal.config.SqlCacheConfig;
import dev.sqlcache.internal.membership.Membership;
import dev.sqlcache.internal.membership.RedisMembershipStore;
import dev.sqlcache.internal.time.Clock;
import dev.sqlcache.testing.RedisSentinelFixture;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.ConnectionPoolConfig;

/**
 * Jedis switches to a new primary in three steps: it publishes the new address, builds the new pool, then publishes
 * the pool. Commands borrow from the pool, so between the first and the last step they still run on the old
 * primary. A renewal that starts there must not count as a renewal on the new primary: it has not replaced the
 * fence the promoted replica still holds, and lookups there would be trusted with the entries, tokens and fence
 * from before the last writes (a stale read after {@code SENTINEL FAILOVER}, seen once in
 * {@code SentinelFailoverTest} and reproduced 1 time in 20 by repeating it).
 *
 * <p>The test holds Jedis's sentinel listener exactly there, inside the new pool's construction, on a real
 * 1-primary/1-replica/3-sentinel group, and lets a lookup's doubt and a scheduled renewal run meanwhile.
 */
class SentinelSwitchMidwayTest {

    @Test
    void aRenewalOnTheOldPrimaryDuringTheSwitchDoesNotVouchForTheNewOne() throws Exception {
        try (RedisSentinelFixture group = RedisSentinelFixture.start()) {
            Map<String, String> properties = new HashMap<>(group.properties());
            properties.put("sqlcache.redis.socketTimeout", "1s");
            RedisSettings settings = SqlCacheConfig.load(Map.of(), properties).redis();
            HeldPoolConfig pools = new HeldPoolConfig(settings);
            try (RedisCommands redis = new RedisCommands(settings, pools)) {
                try {
                    // Renewals queued by a doubted lookup run on the calling thread: the order is the test's.
                    Membership membership = new Membership(new RedisMembershipStore(redis), redis.describe(),
                            30_000, () -> true, redis::reconnects, Runnable::run, Clock.SYSTEM);
                    membership.renew();
                    int first = group.primaryPort();
                    assertEquals(first, portServing(redis));
                    assertTrue(membership.vouchesForStore());

                    pools.holdNextPool();
                    group.manualFailover();
                    assertTrue(pools.awaitHeld(30, TimeUnit.SECONDS), "Jedis began to switch within 30 s");
                    // Jedis now reports the new address, but lends connections to the old primary.
                    assertEquals(first, portServing(redis), "still the old primary's pool");
                    membership.vouchesForStore(); // a lookup that ran on the old primary now
                    membership.renew(); // the scheduled renewal, on the old primary too

                    pools.release();
                    int second = group.otherDataPort(first);
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    while (portServing(redis) != second && System.nanoTime() < deadline) {
                        Thread.sleep(20);
                    }
                    assertEquals(second, portServing(redis), "Jedis lends connections to the new primary");
                    assertFalse(membership.vouchesForStore(), "a lookup on the new primary is trusted before any "
                            + "renewal ran there: it may read the fence, tokens and entries from before the last "
                            + "writes");
                    // That call ran the renewal it queued, on the new primary: trusted from now on.
                    assertTrue(membership.vouchesForStore(), "trusted after a renewal on the new primary");
                } finally {
                    pools.release(); // never leave Jedis's listener thread waiting
                }
            }
        }
    }

    /** The port of the node that a command through {@code redis} runs on now. */
    private static int portServing(RedisCommands redis) {
        return redis.execute("port", () -> Integer.parseInt(redis.client().configGet("port").get("port")));
    }

    /**
     * The store's pool settings, plus a hold: once armed, the next pool Jedis builds (on a change of primary,
     * after it published the new address and before it publishes the pool) waits until released.
     */
    private static final class HeldPoolConfig extends ConnectionPoolConfig {

        private final AtomicBoolean armed = new AtomicBoolean();
        private final CountDownLatch held = new CountDownLatch(1);
        private final CountDownLatch released = new CountDownLatch(1);

        HeldPoolConfig(RedisSettings settings) {
            setMaxTotal(settings.maxConnections());
            setMaxIdle(settings.maxConnections());
            setMinIdle(0);
            setBlockWhenExhausted(true);
            setMaxWait(Duration.ofMillis(settings.connectTimeoutMillis()));
            setTestOnBorrow(false);
            setJmxEnabled(false);
            setTimeBetweenEvictionRuns(Duration.ofMillis(-1));
        }

        void holdNextPool() {
            armed.set(true);
        }

        boolean awaitHeld(long timeout, TimeUnit unit) throws InterruptedException {
            return held.await(timeout, unit);
        }

        void release() {
            released.countDown();
        }

        /** Read once by every pool's constructor (commons-pool2's GenericObjectPool). */
        @Override
        public String getJmxNamePrefix() {
            if (armed.compareAndSet(true, false)) {
                held.countDown();
                try {
                    released.await(60, TimeUnit.SECONDS); // bounded: a failed test must not hang the build
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return super.getJmxNamePrefix();
        }
    }
}
