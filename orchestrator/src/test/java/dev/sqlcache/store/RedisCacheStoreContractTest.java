package dev.sqlcache.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlcache.testing.RedisServerFixture;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The contract on Redis, plus Redis specifics; one subclass per transport, each with its own private server. */
abstract class RedisCacheStoreContractTest extends CacheStoreContractTest {

    protected static RedisServerFixture server;
    protected static RedisCacheStore store;

    static void open(RedisTransport transport) {
        server = RedisServerFixture.start();
        store = new RedisCacheStore(transport.settings(server));
    }

    @AfterAll
    static void close() {
        if (store != null) {
            store.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Override
    protected CacheStore store() {
        return store;
    }

    @Override
    protected OptionalLong ttlSeconds(String key) {
        long ttl = Long.parseLong(server.command("TTL", key).substring(1));
        return ttl < 0 ? OptionalLong.empty() : OptionalLong.of(ttl);
    }

    private static String fence() {
        return store.lookup("no-entry", new String[] {CacheStore.FENCE_KEY}).versions()[0];
    }

    private static void forgetMembers() {
        server.command("DEL", CacheStore.MEMBERS_KEY, CacheStore.FENCE_KEY);
    }

    @Test
    void theFenceLivesUntilTheEarliestMembershipLapsesAndALapsedOneIsNeverRevived() throws Exception {
        forgetMembers();
        assertTrue(store.renewMembership("a", true, 300, 60_000));
        String first = fence();
        assertTrue(first != null);
        assertTrue(store.renewMembership("b", true, 5_000, 60_000));
        long pttl = Long.parseLong(server.command("PTTL", CacheStore.FENCE_KEY).substring(1));
        assertTrue(pttl > 0 && pttl <= 300, "the fence expires with the earliest member, not the latest: " + pttl);

        Thread.sleep(400);
        assertEquals(null, fence(), "a lapsed member takes the fence down by itself");
        assertTrue(store.renewMembership("b", false, 5_000, 60_000));
        assertEquals(null, fence(), "it stays down while the lapsed member remains");
        assertFalse(store.renewMembership("a", false, 300, 60_000), "a late renewal does not revive it");
        assertEquals(null, fence());

        assertTrue(store.renewMembership("a", true, 5_000, 60_000));
        String again = fence();
        assertTrue(again != null && !again.equals(first), "back up with a fresh token: nothing older matches");
    }

    @Test
    void aMemberLapsedForLongerThanTheFenceTimeoutIsDropped() throws Exception {
        forgetMembers();
        assertTrue(store.renewMembership("silent", true, 100, 60_000));
        assertTrue(store.renewMembership("alive", true, 5_000, 60_000));
        Thread.sleep(250);
        assertTrue(store.renewMembership("alive", false, 5_000, 60_000));
        assertEquals(null, fence());
        assertTrue(store.renewMembership("alive", false, 5_000, 100));
        assertEquals(":1", server.command("ZCARD", CacheStore.MEMBERS_KEY));
        assertTrue(fence() != null, "without the silent member the fence is back");
        assertFalse(store.renewMembership("silent", false, 100, 100), "the dropped member must join again");
    }

    @Test
    void leavingKeepsTheFenceForTheOthers() {
        forgetMembers();
        assertTrue(store.renewMembership("a", true, 5_000, 60_000));
        assertTrue(store.renewMembership("b", true, 5_000, 60_000));
        String token = fence();
        store.leaveMembership("b");
        assertEquals(":1", server.command("ZCARD", CacheStore.MEMBERS_KEY));
        assertEquals(token, fence());
        store.leaveMembership("a");
        assertEquals(":0", server.command("EXISTS", CacheStore.MEMBERS_KEY));
        assertEquals(token, fence(), "the last member leaving does not invalidate anything");
        assertEquals(":-1", server.command("PTTL", CacheStore.FENCE_KEY));
    }

    @Test
    void flushingKeepsTheMembership() {
        forgetMembers();
        assertTrue(store.renewMembership("a", true, 5_000, 60_000));
        assertTrue(store.deleteMatching("sql:*") >= 1);
        assertEquals(":1", server.command("ZCARD", CacheStore.MEMBERS_KEY));
        assertEquals(null, fence(), "the fence is data: deleted, and back fresh on the next renewal");
        assertTrue(store.renewMembership("a", false, 5_000, 60_000));
        assertTrue(fence() != null);
    }

    @Test
    void versionKeysHaveNoTimeToLive() {
        String[] keys = {"vt:a", "vt:b"};
        store.initVersions(keys);
        assertEquals(":-1", server.command("TTL", "vt:a"));
        store.bumpVersions(keys);
        assertEquals(":-1", server.command("TTL", "vt:a"));
        assertEquals(":-1", server.command("TTL", "vt:b"));
    }

    @Test
    void putStillWorksAfterTheServerForgotTheScript() {
        String[] keys = {"script:v"};
        String[] tokens = store.initVersions(keys);
        assertTrue(store.putIfVersions("script:e1", new byte[] {1}, 60, keys, tokens));
        assertEquals("+OK", server.command("SCRIPT", "FLUSH"));
        assertTrue(store.putIfVersions("script:e2", new byte[] {2}, 60, keys, tokens));
    }
}
