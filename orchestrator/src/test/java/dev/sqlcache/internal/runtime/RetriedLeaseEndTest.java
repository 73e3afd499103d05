package dev.sqlcache.internal.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlcache.internal.guard.CacheWrites;
import dev.sqlcache.internal.membership.SessionLock;
import dev.sqlcache.internal.store.CacheStore;
import dev.sqlcache.internal.store.NearChannel;
import dev.sqlcache.internal.store.RedisCacheStore;
import dev.sqlcache.internal.store.VersionTokens;
import dev.sqlcache.testing.HoldingRelay;
import dev.sqlcache.testing.RedisServerFixture;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.RedisClient;

/**
 * Review rS of hS (#13): an auto-commit write's end tells nobody only when its lease was answered by one attempt
 * that ran once (CacheWrites.lease). The store's client retries a command once, on a fresh connection, when the
 * first one's connection died (RedisCommands.run): that retry is answered, but the first attempt may have carried
 * the lease script to the server and land late, after the key was lost and a reader made a fresh token of its own
 * (under which another JVM's near cache may have copied the table as it was before the write), placing the write's
 * token bare again. The held run then begun over that token by another write (hS's origin rule), or the bare token
 * itself (session 26's rule), makes the end tell nobody: that copy is never dropped. Driven with a relay that hangs
 * up on the first attempt and delivers it after the retry was answered.
 */
class RetriedLeaseEndTest {

    private static final String KEY = "sql:items:version:db1:k:0123456789abcdef0123456789abcdef";
    private static final String NOTICES = "sql:_near:notices";

    @Test
    void aLeaseRetriedOnAFreshConnectionLandingLateUnderAnotherWritesRunStillTells() throws Exception {
        assertEquals(1, publishesOfTheEnd(true), "the end names the other JVM's near cache");
    }

    @Test
    void aLeaseRetriedOnAFreshConnectionLandingLateAloneStillTells() throws Exception {
        assertEquals(1, publishesOfTheEnd(false), "the end names the other JVM's near cache");
    }

    /** The near-cache notices naming the key that the end of such a write publishes (0: it told nobody). */
    private static long publishesOfTheEnd(boolean anotherWriteJoins) throws Exception {
        try (RedisServerFixture server = RedisServerFixture.start();
             HoldingRelay relay = HoldingRelay.to(server.port());
             RedisClient inspector = RedisClient.create("127.0.0.1", server.port());
             RelayedRuntime relayed = RelayedRuntime.through(server, relay)) {
            RedisCacheStore store = relayed.store();
            CacheRuntime runtime = relayed.runtime();
            // Another JVM keeps a near cache, live for the whole test.
            server.command("ZADD", NearChannel.MEMBERS_KEY, Long.toString(System.currentTimeMillis() + 600_000),
                    "another-jvm");
            server.command("SET", KEY, "a-plain-token");
            CacheWrites writes = runtime.writes();
            String[] keys = {KEY};

            relay.holdNextContaining(KEY);
            CacheWrites.WriteLeases leases = writes.leaseWrite(keys, 30_000, SessionLock.NONE);
            assertTrue(relay.holding(), "the first attempt was kept, and its connection closed");
            assertEquals(leases.tokens()[0], inspector.get(KEY), "the retry placed the lease");

            // While the write runs: the key is lost, a reader makes a fresh token (and another JVM copies the
            // table under it, as it was before this write), then the first attempt lands.
            server.command("DEL", KEY);
            server.command("SET", KEY, "a-reader-recreated-it");
            relay.releaseHeld();
            assertEquals(leases.tokens()[0], inspector.get(KEY), "the late attempt placed the write's token again");
            if (anotherWriteJoins) {
                store.leaseVersions(keys, new String[] {VersionTokens.freshLease()}, 30_000,
                        new CacheStore.Notice("other-writer", VersionTokens.fresh()));
                assertTrue(inspector.get(KEY).startsWith("lease:held:"), "another write joined");
            }

            try (Notices notices = new Notices(server.port())) {
                writes.endWrite(keys, leases.tokens(), leases.acknowledged(), leases.runs(), new long[] {0},
                        SessionLock.NONE);
                return notices.namingUntilNow(inspector, KEY);
            }
        }
    }

    /** What another JVM's near cache hears on the notices channel, from its subscription on. */
    private static final class Notices implements AutoCloseable {
        private final List<String> heard = new CopyOnWriteArrayList<>();
        private final CountDownLatch subscribed = new CountDownLatch(1);
        private final JedisPubSub subscriber = new JedisPubSub() {
            @Override
            public void onSubscribe(String channel, int count) {
                subscribed.countDown();
            }

            @Override
            public void onMessage(String channel, String message) {
                heard.add(message);
            }
        };
        private final Jedis jedis;

        Notices(int port) throws InterruptedException {
            jedis = new Jedis("127.0.0.1", port);
            Thread thread = new Thread(() -> jedis.subscribe(subscriber, NOTICES), "notices");
            thread.setDaemon(true);
            thread.start();
            assertTrue(subscribed.await(10, TimeUnit.SECONDS), "subscribed");
        }

        /** The notices naming key heard so far: a last message sent now comes after all of them. */
        long namingUntilNow(RedisClient publisher, String key) throws InterruptedException {
            String last = "last " + VersionTokens.fresh();
            publisher.publish(NOTICES, last);
            for (int i = 0; i < 1000 && !heard.contains(last); i++) {
                Thread.sleep(10);
            }
            assertTrue(heard.contains(last), "the last message was heard");
            return heard.stream().filter(m -> m.startsWith("N\n") && m.contains("\n" + key)).count();
        }

        @Override
        public void close() {
            subscriber.unsubscribe();
            jedis.close();
        }
    }
}
