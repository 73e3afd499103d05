package dev.sqlcache.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.params.SetParams;

/**
 * The lease scripts write a key first ({@code SET ... GET}) and look at what it held afterwards (issue #10): a
 * lease of another write they overwrote must be put back, for at least as long as it could have lived (the length
 * its token carries, or any lease's longest for a token without one: an older version's), and never with a life it
 * did not have. Each case here overwrites another write's lease; no timing is asserted.
 */
class OverwritingLeasesTest extends PrivateRedisStoreTest {

    private static final String KEY = "sql:items:version:db1";
    private static final String HOLDERS = KEY + RedisCacheStore.HOLDERS_SUFFIX;
    private static final long LONGEST = Integer.MAX_VALUE;

    @BeforeEach
    void empty() {
        server.command("FLUSHALL");
    }

    private static String value() {
        return store.lookup("e", new String[] {KEY}).versions()[0];
    }

    private static boolean leased() {
        return CacheStore.isLease(value());
    }

    private static long pttl() {
        return inspector.pttl(KEY);
    }

    private static double score(String member) {
        return inspector.zscore(HOLDERS, member);
    }

    @Test
    void aBumpOverAnotherWritesLeaseLeavesItLeasedUntilThatWriteEnds() {
        String[] key = {KEY};
        String[] write = store.leaseVersions(key, 60_000);
        store.bumpVersions(key);
        assertTrue(leased(), "a bump must not uncover a write in flight");
        assertTrue(pttl() > 0 && pttl() <= 60_000, "no longer than the lease's own length: " + pttl());
        store.endLeases(key, write);
        assertFalse(leased(), "the write ended: fresh");
    }

    @Test
    void theEndOfALeaseThatLapsedKeepsTheLeaseOfTheWriteAfterIt() throws InterruptedException {
        String[] key = {KEY};
        String[] lapsed = store.leaseVersions(key, 100);
        for (int i = 0; i < 200 && leased(); i++) {
            Thread.sleep(20);
        }
        String[] later = store.leaseVersions(key, 60_000);
        store.endLeases(key, lapsed);
        assertTrue(leased(), "the later write is in flight: an earlier write's late end must leave it leased");
        assertTrue(pttl() > 0 && pttl() <= 60_000, "no longer than the later lease's length: " + pttl());
        store.endLeases(key, later);
        assertFalse(leased(), "both ended: fresh");
    }

    @Test
    void aLeaseNeverOutlivesTheLengthItsTokenCarries() {
        String[] key = {KEY};
        String[] token = {VersionTokens.freshLease(1_000)};
        store.leaseVersions(key, token, 60_000);
        assertEquals(token[0], value());
        assertTrue(pttl() > 0 && pttl() <= 1_000, "capped at the token's length: " + pttl());
    }

    @Test
    void aLeaseOfAnOlderVersionIsCoveredForAsLongAsAnyLeaseCanLive() {
        // An older JVM's token carries no length: its life is unknown once overwritten.
        String old = CacheStore.LEASE_PREFIX + VersionTokens.fresh();
        inspector.set(KEY, old, SetParams.setParams().px(60_000));
        long before = System.currentTimeMillis(); // the server runs on this machine
        String[] key = {KEY};
        String[] write = store.leaseVersions(key, 60_000);
        assertTrue(score(old) >= before + LONGEST - 60_000, "scored by the longest lease: " + score(old));
        store.endLeases(key, write);
        assertTrue(leased(), "the older JVM's write is still in flight");
        store.endLeases(key, new String[] {old});
        assertFalse(leased(), "its end (a new or an old script: both remove it from the set) makes it fresh");
    }

    @Test
    void aHeldKeyWhoseSetIsLostStaysLeasedAfterABumpUntilItsMarkedLapse() {
        String[] key = {KEY};
        store.leaseVersions(key, 60_000);
        store.leaseVersions(key, 60_000);
        assertEquals(":1", server.command("DEL", HOLDERS));
        store.bumpVersions(key);
        assertTrue(leased(), "two writes in flight, their set lost: the bump must leave the key leased");
        assertTrue(value().startsWith("lease:held:@"), value());
        assertTrue(pttl() > 0 && pttl() <= 60_000, "until the lapse the mark carries, no later: " + pttl());
    }

    /**
     * A holders set of another type (Redis's content is untrusted: a stray value, another application's key) makes
     * the holders command fail. Before issue #10 the scripts failed before writing the key, leaving another write's
     * lease in it; writing first ({@code SET ... GET}) had already replaced that lease with a fresh token (bump, end)
     * or with this write's own (lease) when the failure came, so the other write ran uncovered: each of the three
     * cases below found the key fresh or this write's own before the put-back on failure.
     */
    @Test
    void aHoldersKeyOfAnotherTypeNeverUncoversTheLeaseInTheKey() {
        String[] key = {KEY};
        String[] write = store.leaseVersions(key, 60_000);
        inspector.set(HOLDERS, "not a sorted set");
        ignoringFailure(() -> store.bumpVersions(key));
        assertEquals(write[0], value(), "a bump");
        ignoringFailure(() -> store.endLeases(key, new String[] {VersionTokens.freshLease(60_000)}));
        assertEquals(write[0], value(), "the end of a write whose lease is not in the key");
        ignoringFailure(() -> store.leaseVersions(key, 60_000));
        assertEquals(write[0], value(), "another write's lease");
        assertTrue(pttl() > 0 && pttl() <= 60_000, "no longer than its token says: " + pttl());
        store.endLeases(key, write);
        assertFalse(leased(), "its own end still makes it fresh");
    }

    private static void ignoringFailure(Runnable change) {
        try {
            change.run();
        } catch (CacheStoreException expected) {
            // The script may fail (as it did before issue #10); what matters is what the key holds after.
        }
    }
}
