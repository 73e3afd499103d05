package dev.sqlcache.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlcache.internal.config.RedisSettings;
import dev.sqlcache.testing.HoldingRelay;
import dev.sqlcache.testing.RedisServerFixture;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

/**
 * Review rL (session 28): {@code RedisCommands} sends a script again, on a fresh connection, when the first attempt's
 * connection died, and that first attempt may still reach the server later (a proxy or a split TCP path delivers it
 * after the retry was answered; review rS accepted this for leases). A script that writes a fresh token must then
 * not write the same token twice: the retry's token is the one readers store under, and a late first attempt that
 * puts it back after a later write moved the key on makes what they stored before that write current again, a
 * stale answer until the entry's time to live. Driven with a relay that hangs up on the first attempt and delivers it
 * once the later write has ended. Both cases failed when each attempt carried the same tokens.
 */
class LateTokenAttemptTest {

    private static final String KEY = "sql:items:version:db1";
    private static final String ENTRY = "sql:items:data:q1";

    /** An end (or a bump) retried on a fresh connection, its first attempt landing after a later write ended. */
    @Test
    void anEndsLateFirstAttemptNeverBringsBackATokenReadersStoredUnder() throws Exception {
        try (RedisServerFixture server = RedisServerFixture.start();
             HoldingRelay relay = HoldingRelay.to(server.port());
             RedisCacheStore relayed = new RedisCacheStore(throughRelay(server, relay));
             RedisCacheStore direct = new RedisCacheStore(RedisTransport.TCP.settings(server));
             RedisClient inspector = RedisClient.create("127.0.0.1", server.port())) {
            String[] key = {KEY};
            String[] lease = relayed.leaseVersions(key, 60_000);

            relay.holdNextContaining(KEY);
            relayed.endLeases(key, lease);
            assertTrue(relay.holding(), "the first attempt was kept, and its connection closed");
            assertStaleAfterTheLateAttempt(relay, direct, inspector);
        }
    }

    /** A lookup that creates the missing token, retried, its first attempt landing after the key was lost again. */
    @Test
    void aLookupsLateFirstAttemptNeverBringsBackATokenReadersStoredUnder() throws Exception {
        try (RedisServerFixture server = RedisServerFixture.start();
             HoldingRelay relay = HoldingRelay.to(server.port());
             RedisCacheStore relayed = new RedisCacheStore(throughRelay(server, relay));
             RedisCacheStore direct = new RedisCacheStore(RedisTransport.TCP.settings(server));
             RedisClient inspector = RedisClient.create("127.0.0.1", server.port())) {
            String[] key = {KEY};
            // The script that creates it, not the plain read before it, which finds the token missing.
            relay.holdNextContaining("EVALSHA");
            relayed.lookup(ENTRY, key, new long[] {0});
            assertTrue(relay.holding(), "the first attempt was kept, and its connection closed");
            // The later write's end leaves a fresh token; the key is then lost (evicted, deleted), so that the late
            // lookup finds it missing and creates a token again.
            assertStaleAfterTheLateAttempt(relay, direct, inspector, () -> server.command("DEL", KEY));
        }
    }

    /**
     * The change feed's key, which comes back with a fresh token after it expired so that nothing stored before the
     * gap matches it again (refresh_feed_key.lua): a late first attempt must not bring back the retry's token.
     */
    @Test
    void aFeedKeysLateFirstAttemptNeverBringsBackATokenReadersStoredUnder() throws Exception {
        String feedKey = "sql:_database:feed:db1";
        try (RedisServerFixture server = RedisServerFixture.start();
             HoldingRelay relay = HoldingRelay.to(server.port());
             RedisCacheStore relayed = new RedisCacheStore(throughRelay(server, relay));
             RedisClient inspector = RedisClient.create("127.0.0.1", server.port())) {
            relay.holdNextContaining(feedKey);
            relayed.feed().refreshFeedKey(feedKey, 60_000);
            assertTrue(relay.holding(), "the first attempt was kept, and its connection closed");
            String stored = inspector.get(feedKey);
            assertTrue(stored != null, "the retry made the key, which entries are stored under");

            inspector.del(feedKey); // expired: the feed stopped refreshing it for a while
            relay.releaseHeld();
            String back = inspector.get(feedKey);
            assertTrue(back != null, "the late attempt made the key again");
            assertNotEquals(stored, back, "the feed key came back as the token entries were stored under");
        }
    }

    private static void assertStaleAfterTheLateAttempt(HoldingRelay relay, RedisCacheStore direct,
                                                       RedisClient inspector) throws Exception {
        assertStaleAfterTheLateAttempt(relay, direct, inspector, () -> { });
    }

    /**
     * The retry's token stands; a reader stores what it read under it; a later write leases and ends; then the first
     * attempt lands. The key must not hold the token the reader stored under.
     */
    private static void assertStaleAfterTheLateAttempt(HoldingRelay relay, RedisCacheStore direct,
                                                       RedisClient inspector, Runnable afterTheWrite)
            throws Exception {
        String[] key = {KEY};
        String stored = inspector.get(KEY);
        assertTrue(stored != null && !CacheStore.isLease(stored), "the retry left a plain token: " + stored);
        assertTrue(direct.putIfVersions(ENTRY, "before".getBytes(StandardCharsets.UTF_8), 600, key,
                new String[] {stored}), "a reader stored under the retry's token");

        String[] later = direct.leaseVersions(key, 60_000);
        direct.endLeases(key, later);
        assertNotEquals(stored, inspector.get(KEY), "the later write moved the key on");
        afterTheWrite.run();

        relay.releaseHeld();
        CacheStore.Lookup read = direct.lookup(ENTRY, key, new long[] {0});
        assertEquals("before", new String(read.entry(), StandardCharsets.UTF_8), "the entry is still there");
        assertNotEquals(stored, read.versions()[0],
                "the late first attempt brought back the token the entry was stored under: it would be served");
    }

    private static RedisSettings throughRelay(RedisServerFixture server, HoldingRelay relay) {
        return RedisTransport.TCP.settings(server, Map.of("sqlcache.redis.port", Integer.toString(relay.port())));
    }
}
