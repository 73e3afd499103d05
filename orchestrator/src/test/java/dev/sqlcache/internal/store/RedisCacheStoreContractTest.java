package dev.sqlcache.internal.store;

import dev.sqlcache.internal.membership.MembershipStore;
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
        return store.lookup("no-entry", new String[] {MembershipStore.FENCE_KEY}).versions()[0];
    }

    /** A renewal (ticket null) or join; whether the member is alive afterwards. */
    private static boolean renew(String member, String ticket, long memberMillis, long fenceMillis) {
        return renewAt(member, ticket, memberMillis, fenceMillis, MembershipStore.NO_CAP) >= 0;
    }

    /** The same with a cap; the store-clock time it ran, or a negative answer. */
    private static long renewAt(String member, String ticket, long memberMillis, long fenceMillis, long notAfter) {
        return store.membership().renew(member, ticket, memberMillis, fenceMillis, notAfter, "").at();
    }

    private static boolean join(String member, long memberMillis, long fenceMillis) {
        String ticket = "t-" + member + "-" + System.nanoTime();
        store.membership().joinTicket(ticket, 1_000);
        return renew(member, ticket, memberMillis, fenceMillis);
    }

    /**
     * Review rB of hB: a version key of another type (hostile or broken content: a list holding the very token
     * expected) refuses the store, which writes nothing, and is not an error (GET failed the script before hB).
     */
    @Test
    void aVersionKeyOfAnotherTypeRefusesTheStoreAndWritesNoEntry() {
        String prefix = "test:" + VersionTokens.fresh().substring(0, 12) + ":";
        String[] keys = {prefix + "v1", prefix + "v2"};
        String[] tokens = store.initVersions(keys);
        server.command("DEL", keys[1]);
        server.command("RPUSH", keys[1], tokens[1]);
        assertFalse(store.putIfVersions(prefix + "e", "x".getBytes(java.nio.charset.StandardCharsets.UTF_8), 60,
                keys, tokens));
        assertEquals(":0", server.command("EXISTS", prefix + "e"));
        assertEquals(":1", server.command("LLEN", keys[1]), "the key of another type is left as it was");
    }

    @Test
    void aJoinNeedsALiveTicketSoThatOneDeliveredLateIsRefused() throws Exception {
        forgetMembers();
        assertFalse(renew("a", "never-issued", 5_000, 60_000));
        store.membership().joinTicket("short", 50);
        Thread.sleep(120);
        assertFalse(renew("a", "short", 5_000, 60_000), "the ticket expired before the join ran");
        assertEquals(":0", server.command("EXISTS", MembershipStore.MEMBERS_KEY));
        store.membership().joinTicket("once", 1_000);
        assertTrue(renew("a", "once", 5_000, 60_000));
        assertFalse(renew("b", "once", 5_000, 60_000), "a ticket admits one join");
    }

    /** Issue #15: what drop.lua and the registrations promise the early drop. */
    @Test
    void anEarlyDropTakesOnlyAMemberStillLapsedAtTheLapseItWasGivenAndItsRegistrationGoesWithIt() throws Exception {
        forgetMembers();
        server.command("DEL", MembershipStore.REGISTRATIONS_KEY);
        MembershipStore members = store.membership();
        String ticket = "t-reg-" + System.nanoTime();
        members.joinTicket(ticket, 1_000);
        assertTrue(members.renew("dead", ticket, 200, 60_000, MembershipStore.NO_CAP, "", "db1 db2").alive());
        assertEquals("db1 db2", members.registration("dead"));
        assertTrue(join("live", 60_000, 60_000));
        Thread.sleep(300);
        MembershipStore.Renewal seen = members.renew("live", null, 60_000, 60_000, MembershipStore.NO_CAP, "");
        long lapse = seen.members().get("dead");
        assertTrue(lapse <= seen.at(), "the member has lapsed");
        assertEquals(":0", server.command("EXISTS", MembershipStore.FENCE_KEY), "a lapsed member keeps the fence down");

        assertFalse(members.dropIfStillLapsed("dead", lapse - 1), "another lapse: it joined again meanwhile");
        assertTrue(members.dropIfStillLapsed("dead", lapse));
        assertEquals(null, members.registration("dead"), "the registration goes with the member");
        assertEquals(":1", server.command("EXISTS", MembershipStore.FENCE_KEY), "the fence comes back");
        assertFalse(members.dropIfStillLapsed("dead", lapse), "once");
        assertFalse(members.dropIfStillLapsed("live", seen.members().get("live")), "a member alive is never dropped");

        // Written in another server run (a restart from a snapshot, a promoted replica): not believed.
        server.command("HSET", MembershipStore.REGISTRATIONS_KEY, "old", "0123|db1");
        assertEquals(null, members.registration("old"));
    }

    private static void forgetMembers() {
        server.command("DEL", MembershipStore.MEMBERS_KEY, MembershipStore.FENCE_KEY);
    }

    @Test
    void theFenceLivesUntilTheEarliestMembershipLapsesAndALapsedOneIsNeverRevived() throws Exception {
        forgetMembers();
        // 1.5 s, not less: a loaded machine may pause this thread for hundreds of milliseconds between two calls.
        assertTrue(join("a", 1_500, 60_000));
        String first = fence();
        assertTrue(first != null);
        assertTrue(join("b", 5_000, 60_000));
        long pttl = Long.parseLong(server.command("PTTL", MembershipStore.FENCE_KEY).substring(1));
        assertTrue(pttl > 0 && pttl <= 1_500, "the fence expires with the earliest member, not the latest: " + pttl);

        Thread.sleep(1_700);
        assertEquals(null, fence(), "a lapsed member takes the fence down by itself");
        assertTrue(renew("b", null, 5_000, 60_000));
        assertEquals(null, fence(), "it stays down while the lapsed member remains");
        assertFalse(renew("a", null, 1_500, 60_000), "a late renewal does not revive it");
        assertEquals(null, fence());

        assertTrue(join("a", 5_000, 60_000));
        String again = fence();
        assertTrue(again != null && !again.equals(first), "back up with a fresh token: nothing older matches");
    }

    /**
     * Unanswered renewals may all land, each while the membership is still alive: without a cap each would prolong
     * it by a whole membership from when it lands, past any bound the member can compute.
     */
    @Test
    void aRenewalNeverTakesTheMembershipPastItsCapNorLowersIt() {
        forgetMembers();
        store.membership().joinTicket("cap", 1_000);
        long at = renewAt("a", "cap", 500, 60_000, MembershipStore.NO_CAP);
        assertTrue(at > 0, "the join answers the store's time");
        long later = renewAt("a", null, 5_000, 60_000, at + 1_000);
        assertTrue(later >= at);
        long pttl = Long.parseLong(server.command("PTTL", MembershipStore.FENCE_KEY).substring(1));
        assertTrue(pttl > 0 && pttl <= at + 1_000 - later, "capped: " + pttl);
        assertTrue(renewAt("a", null, 5_000, 60_000, at + 10) >= 0, "still alive");
        long after = Long.parseLong(server.command("PTTL", MembershipStore.FENCE_KEY).substring(1));
        assertTrue(after > 500, "an older cap does not shorten it: " + after);
    }

    @Test
    void aMemberLapsedForLongerThanTheFenceTimeoutIsDropped() throws Exception {
        forgetMembers();
        assertTrue(join("silent", 100, 60_000));
        assertTrue(join("alive", 5_000, 60_000));
        Thread.sleep(250);
        assertTrue(renew("alive", null, 5_000, 60_000));
        assertEquals(null, fence());
        assertTrue(renew("alive", null, 5_000, 100));
        assertEquals(":1", server.command("ZCOUNT", MembershipStore.MEMBERS_KEY, "-inf", "(+inf"));
        assertTrue(fence() != null, "without the silent member the fence is back");
        assertFalse(renew("silent", null, 100, 100), "the dropped member must join again");
    }

    @Test
    void aSetTheStoreLostIsPutBackFromWhatAMemberRemembers() throws Exception {
        forgetMembers();
        assertTrue(join("cut-off", 200, 60_000));
        assertTrue(join("reader", 5_000, 60_000));
        MembershipStore.Renewal seen = store.membership().renew("reader", null, 5_000, 60_000, MembershipStore.NO_CAP, "");
        assertTrue(seen.alive());
        assertTrue(seen.epoch().startsWith("epoch:"), seen.epoch());
        assertEquals(java.util.Set.of("cut-off", "reader"), seen.members().keySet());
        Thread.sleep(300); // the cut-off member lapses: the fence is down

        server.command("DEL", MembershipStore.MEMBERS_KEY, MembershipStore.FENCE_KEY); // as a restart without persistence
        assertEquals(MembershipStore.Renewal.RESTORE,
                store.membership().renew("reader", null, 5_000, 60_000, MembershipStore.NO_CAP, seen.epoch()).at());
        assertEquals(":0", server.command("EXISTS", MembershipStore.MEMBERS_KEY), "nothing changed before the restore");
        assertEquals(seen.epoch(), store.membership().restoreMembers(seen.epoch(), seen.members()));
        MembershipStore.Renewal after = store.membership().renew("reader", null, 5_000, 60_000, MembershipStore.NO_CAP, seen.epoch());
        assertTrue(after.alive());
        assertEquals(java.util.Set.of("cut-off", "reader"), after.members().keySet());
        assertEquals(null, fence(), "the lapsed member is remembered, so the fence stays down");
        // A JVM that remembers nothing never asks for a restore.
        assertTrue(store.membership().renew("reader", null, 5_000, 60_000, MembershipStore.NO_CAP, "").alive());
    }

    @Test
    void aFenceFromAnotherRunOfTheServerIsReplaced() {
        forgetMembers();
        assertTrue(join("a", 5_000, 60_000));
        String mine = fence();
        assertTrue(mine.matches("[0-9a-f]{40}:.+"), "prefixed with the server's run id: " + mine);
        // As after a restart that restored a snapshot: a fence written by the previous run.
        server.command("SET", MembershipStore.FENCE_KEY, "0123456789012345678901234567890123456789:old");
        assertTrue(renew("a", null, 5_000, 60_000));
        String replaced = fence();
        assertTrue(replaced.startsWith(mine.substring(0, 41)) && !replaced.endsWith(":old"), replaced);
    }

    @Test
    void leavingKeepsTheFenceForTheOthers() {
        forgetMembers();
        assertTrue(join("a", 5_000, 60_000));
        assertTrue(join("b", 5_000, 60_000));
        String token = fence();
        store.membership().leave("b");
        assertEquals(":1", server.command("ZCOUNT", MembershipStore.MEMBERS_KEY, "-inf", "(+inf"));
        assertEquals(token, fence());
        store.membership().leave("a");
        assertEquals(":0", server.command("ZCOUNT", MembershipStore.MEMBERS_KEY, "-inf", "(+inf"));
        assertEquals(token, fence(), "the last member leaving does not invalidate anything");
        assertEquals(":-1", server.command("PTTL", MembershipStore.FENCE_KEY));
    }

    @Test
    void flushingKeepsTheMembership() {
        forgetMembers();
        assertTrue(join("a", 5_000, 60_000));
        assertTrue(store.deleteMatching("sql:*") >= 1);
        assertEquals(":1", server.command("ZCOUNT", MembershipStore.MEMBERS_KEY, "-inf", "(+inf"));
        assertEquals(null, fence(), "the fence is data: deleted, and back fresh on the next renewal");
        assertTrue(renew("a", null, 5_000, 60_000));
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
