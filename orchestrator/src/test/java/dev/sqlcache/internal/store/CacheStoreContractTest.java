package dev.sqlcache.internal.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The {@link CacheStore} contract, run against every implementation: the semantics of version tokens that the
 * cache's consistency rests on. Each test uses its own random key prefix, so stores need no cleaning.
 */
abstract class CacheStoreContractTest {

    /** The store under test; the same instance for all tests of a class is fine. */
    protected abstract CacheStore store();

    /** Seconds until an entry expires, or empty when it does not exist or never expires. */
    protected abstract OptionalLong ttlSeconds(String key);

    private String prefix;

    @BeforeEach
    void newPrefix() {
        prefix = "test:" + VersionTokens.fresh().substring(0, 12) + ":";
    }

    private String key(String name) {
        return prefix + name;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void lookupOfNothingFindsNoEntryAndNoVersions() {
        CacheStore.Lookup lookup = store().lookup(key("e"), new String[] {key("v1"), key("v2")});
        assertNull(lookup.entry());
        assertArrayEquals(new String[] {null, null}, lookup.versions());
    }

    @Test
    void aLookupCreatesMissingTokensOnceButNeverThoseItMustNot() {
        String[] keys = {key("fence"), key("v1"), key("v2")};
        long[] creation = {CacheStore.NEVER_CREATE, CacheStore.NO_EXPIRY, 60_000};
        String[] first = store().lookup(key("e"), keys, creation).versions();
        assertNull(first[0], "never created");
        assertNotNull(first[1]);
        assertNotNull(first[2]);
        assertNotEquals(first[1], first[2]);
        assertArrayEquals(first, store().lookup(key("e"), keys, creation).versions(), "created once, then kept");
        assertArrayEquals(first, store().lookup(key("e"), keys).versions());
        store().bumpVersions(new String[] {keys[1]});
        String[] after = store().lookup(key("e"), keys, creation).versions();
        assertNotEquals(first[1], after[1]);
        assertEquals(first[2], after[2]);
    }

    @Test
    void initVersionsCreatesRandomTokensOnceAndThenKeepsThem() {
        String[] keys = {key("v1"), key("v2")};
        String[] first = store().initVersions(keys);
        assertEquals(2, first.length);
        for (String token : first) {
            assertTrue(token.matches("[0-9a-f]{32}(:[0-9]+)?"), token);
        }
        assertNotEquals(first[0], first[1]);
        assertArrayEquals(first, store().initVersions(keys));
        assertArrayEquals(first, store().lookup(key("e"), keys).versions());
    }

    @Test
    void initVersionsKeepsAnExistingTokenAndCreatesOnlyMissingOnes() {
        String[] existing = store().initVersions(new String[] {key("v1")});
        String[] both = store().initVersions(new String[] {key("v1"), key("v2")});
        assertEquals(existing[0], both[0]);
        assertTrue(both[1].matches("[0-9a-f]{32}(:[0-9]+)?"));
    }

    @Test
    void putWithCurrentTokensIsStoredAndFoundWithThem() {
        String[] keys = {key("v1"), key("v2")};
        String[] tokens = store().initVersions(keys);
        assertTrue(store().putIfVersions(key("e"), utf8("rows"), 60, keys, tokens));
        CacheStore.Lookup lookup = store().lookup(key("e"), keys);
        assertArrayEquals(utf8("rows"), lookup.entry());
        assertArrayEquals(tokens, lookup.versions());
    }

    @Test
    void putIsRefusedAfterABump() {
        String[] keys = {key("v1"), key("v2")};
        String[] tokens = store().initVersions(keys);
        store().bumpVersions(new String[] {key("v2")});
        assertFalse(store().putIfVersions(key("e"), utf8("stale"), 60, keys, tokens));
        CacheStore.Lookup lookup = store().lookup(key("e"), keys);
        assertNull(lookup.entry());
        assertEquals(tokens[0], lookup.versions()[0]);
        assertNotEquals(tokens[1], lookup.versions()[1]);
    }

    @Test
    void bumpReplacesTokensEvenOfMissingKeysWithFreshOnes() {
        String[] keys = {key("v1"), key("v2")};
        String[] before = store().initVersions(new String[] {key("v1")});
        store().bumpVersions(keys);
        String[] after = store().lookup(key("e"), keys).versions();
        assertNotEquals(before[0], after[0]);
        assertTrue(after[1].matches("[0-9a-f]{32}(:[0-9]+)?"));
        store().bumpVersions(keys);
        assertNotEquals(after[0], store().lookup(key("e"), keys).versions()[0]);
    }

    /**
     * Review rB of hB (the store's tokens read with one MGET): every token is compared with its own expected one,
     * the last of several included, and a key named twice must hold both. Run on every store, the cluster's (one
     * hash tag) included.
     */
    @Test
    void putComparesEveryTokenWithItsOwnTheLastAndARepeatedKeyIncluded() {
        String[] keys = {key("v1"), key("v2"), key("v3")};
        String[] tokens = store().initVersions(keys);
        store().bumpVersions(new String[] {key("v3")});
        assertFalse(store().putIfVersions(key("e"), utf8("stale"), 60, keys, tokens), "the last token moved");
        assertNull(store().lookup(key("e"), keys).entry());

        String[] current = store().initVersions(keys);
        assertFalse(store().putIfVersions(key("e"), utf8("x"), 60, new String[] {keys[0], keys[1]},
                new String[] {current[1], current[0]}), "each token against its own key, not another's");
        assertFalse(store().putIfVersions(key("e"), utf8("x"), 60, new String[] {keys[0], keys[0]},
                new String[] {current[0], current[1]}), "a key named twice holds one token");
        assertNull(store().lookup(key("e"), keys).entry());
        assertTrue(store().putIfVersions(key("e"), utf8("x"), 60, new String[] {keys[0], keys[2], keys[0]},
                new String[] {current[0], current[2], current[0]}));
        assertNotNull(store().lookup(key("e"), keys).entry());
    }

    @Test
    void putIsRefusedWhenAVersionKeyIsMissing() {
        String[] keys = {key("v1")};
        assertFalse(store().putIfVersions(key("e"), utf8("x"), 60, keys, new String[] {"0".repeat(32)}));
        assertNull(store().lookup(key("e"), keys).entry());
    }

    @Test
    void aRecreatedVersionKeyNeverMatchesAnOldToken() {
        String[] keys = {key("v1")};
        String[] old = store().initVersions(keys);
        // The version key is lost (evicted, flushed, server restarted) and then recreated.
        assertEquals(1, store().deleteMatching(key("v1")));
        String[] recreated = store().initVersions(keys);
        assertNotEquals(old[0], recreated[0]);
        assertFalse(store().putIfVersions(key("e"), utf8("x"), 60, keys, old));
    }

    @Test
    void putWithoutVersionKeysIsUnconditional() {
        assertTrue(store().putIfVersions(key("e"), utf8("x"), 60, new String[0], new String[0]));
        assertArrayEquals(utf8("x"), store().lookup(key("e"), new String[0]).entry());
    }

    /** An entry over the reader's limit is not transferred, whether the lookup creates tokens or not. */
    @Test
    void anEntryOverTheLimitIsNotTransferred() {
        String[] keys = {key("v1")};
        String[] tokens = store().initVersions(keys);
        assertTrue(store().putIfVersions(key("e"), new byte[100], 60, keys, tokens));
        long[] create = {CacheStore.NO_EXPIRY};
        long[] createNothing = {CacheStore.NEVER_CREATE};
        for (long[] creation : new long[][] {create, createNothing}) {
            CacheStore.Lookup over = store().lookup(key("e"), keys, creation, 99);
            assertNull(over.entry());
            assertEquals(100, over.oversized());
            assertArrayEquals(tokens, over.versions());
            CacheStore.Lookup within = store().lookup(key("e"), keys, creation, 100);
            assertEquals(100, within.entry().length);
            assertEquals(0, within.oversized());
            CacheStore.Lookup missing = store().lookup(key("none"), keys, creation, 99);
            assertNull(missing.entry());
            assertEquals(0, missing.oversized());
        }
    }

    @Test
    void putSetsTheTimeToLive() {
        String[] keys = {key("v1")};
        String[] tokens = store().initVersions(keys);
        assertTrue(store().putIfVersions(key("e"), utf8("x"), 100, keys, tokens));
        OptionalLong ttl = ttlSeconds(key("e"));
        assertTrue(ttl.isPresent());
        assertTrue(ttl.getAsLong() > 90 && ttl.getAsLong() <= 100, "ttl " + ttl);
        // Overwriting sets the new TTL, as SET EX does.
        assertTrue(store().putIfVersions(key("e"), utf8("y"), 20, keys, tokens));
        assertTrue(ttlSeconds(key("e")).getAsLong() <= 20);
    }

    @Test
    @Timeout(10)
    void entriesExpire() throws InterruptedException {
        assertTrue(store().putIfVersions(key("e"), utf8("x"), 1, new String[0], new String[0]));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (store().lookup(key("e"), new String[0]).entry() != null) {
            assertTrue(System.nanoTime() < deadline, "entry did not expire");
            Thread.sleep(100);
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 42, 20240601, 987654321})
    void entriesAreBinarySafe(long seed) {
        Random random = new Random(seed);
        String[] keys = {key("v")};
        String[] tokens = store().initVersions(keys);
        for (int i = 0; i < 10; i++) {
            byte[] value = new byte[random.nextInt(i == 9 ? 200_000 : 300)];
            random.nextBytes(value);
            String entryKey = key("e" + i + "\u00e9");
            assertTrue(store().putIfVersions(entryKey, value, 60, keys, tokens));
            assertArrayEquals(value, store().lookup(entryKey, keys).entry(), "seed " + seed + " entry " + i);
        }
    }

    @Test
    void theStoredValueIsACopy() {
        byte[] value = utf8("abc");
        assertTrue(store().putIfVersions(key("e"), value, 60, new String[0], new String[0]));
        value[0] = 'z';
        assertArrayEquals(utf8("abc"), store().lookup(key("e"), new String[0]).entry());
    }

    @Test
    void deleteMatchingDeletesOnlyMatchingKeys() {
        String[] versionKeys = {key("v:a"), key("v:b")};
        store().initVersions(versionKeys);
        for (int i = 0; i < 30; i++) {
            assertTrue(store().putIfVersions(key("e:" + i), utf8("x"), 60, new String[0], new String[0]));
        }
        assertEquals(30, store().deleteMatching(prefix + "e:*"));
        assertNull(store().lookup(key("e:7"), new String[0]).entry());
        assertArrayEquals(store().initVersions(versionKeys), store().lookup(key("x"), versionKeys).versions());
        assertEquals(1, store().deleteMatching(prefix + "v:[a]"));
        assertEquals(0, store().deleteMatching(prefix + "nothing*"));
    }

    @Test
    void invalidPutArgumentsAreRejected() {
        String[] keys = {key("v")};
        String[] tokens = store().initVersions(keys);
        assertThrows(IllegalArgumentException.class, () -> store().putIfVersions(key("e"), utf8("x"), 0, keys, tokens));
        assertThrows(IllegalArgumentException.class,
                () -> store().putIfVersions(key("e"), utf8("x"), 60, keys, new String[0]));
        assertThrows(IllegalArgumentException.class,
                () -> store().putIfVersions(key("e"), utf8("x"), 60, keys, new String[] {null}));
    }

    @Test
    void pingAnswersAndDescribeNamesTheStore() {
        assertTrue(store().ping());
        assertFalse(store().describe().isBlank());
    }

    /**
     * Writers race a bumper. Each writer tags its value with the token it read. After each bump the bumper deletes
     * the entry; from then on an entry tagged with a replaced token can only exist if a put checked its token
     * before the bump but wrote after it, which is exactly what putIfVersions must make impossible.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {7, 1234})
    @Timeout(60)
    void aPutNeverLandsAfterABumpOfItsTokens(long seed) throws Exception {
        String[] keys = {key("v")};
        store().initVersions(keys);
        int writers = 3;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        AtomicBoolean running = new AtomicBoolean(true);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                Random random = new Random(seed + w);
                futures.add(pool.submit(() -> {
                    while (running.get()) {
                        String token = store().initVersions(keys)[0];
                        if (random.nextInt(4) == 0) {
                            Thread.yield(); // widen the window between reading and putting
                        }
                        store().putIfVersions(key("e"), utf8(token), 60, keys, new String[] {token});
                    }
                    return null;
                }));
            }
            Random random = new Random(seed);
            java.util.Set<String> retired = new java.util.HashSet<>();
            for (int i = 0; i < 150; i++) {
                retired.add(store().lookup(key("e"), keys).versions()[0]);
                store().bumpVersions(keys);
                store().deleteMatching(key("e"));
                if (random.nextBoolean()) {
                    Thread.yield();
                }
                CacheStore.Lookup read = store().lookup(key("e"), keys);
                if (read.entry() != null) {
                    String tag = new String(read.entry(), StandardCharsets.UTF_8);
                    landedAfterItsBump(retired.contains(tag), tag, read.versions()[0]);
                }
            }
            running.set(false);
            for (Future<?> f : futures) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            running.set(false);
            pool.shutdownNow();
        }
    }

    /**
     * What {@link #aPutNeverLandsAfterABumpOfItsTokens} requires of an entry found after a bump, tagged with the token
     * its put checked ({@code retired}: that token was replaced before the lookup): with an atomic check-and-set, it
     * cannot exist. A store whose check and write are not atomic (a cluster's, {@link CheckedPut}) overrides this.
     */
    protected void landedAfterItsBump(boolean retired, String tag, String current) {
        assertFalse(retired, "a put with a replaced token landed after its bump");
    }

    @Test
    void aLeaseHidesTheTableUntilItEndsWithAFreshToken() {
        String[] versions = {key("v1"), key("v2")};
        String[] before = store().initVersions(versions);
        assertTrue(store().putIfVersions(key("e"), utf8("old"), 60, versions, before));

        String[] leases = store().leaseVersions(versions, 60_000);
        for (String lease : leases) {
            assertTrue(CacheStore.isLease(lease), lease);
        }
        assertArrayEquals(leases, store().lookup(key("e"), versions).versions(), "readers see the leases");
        assertArrayEquals(leases, store().initVersions(versions), "and cannot replace them");
        assertFalse(store().putIfVersions(key("e2"), utf8("x"), 60, versions, before), "no put with old tokens");

        store().endLeases(versions, leases);
        String[] after = store().lookup(key("e"), versions).versions();
        for (int i = 0; i < after.length; i++) {
            assertFalse(CacheStore.isLease(after[i]));
            assertNotEquals(before[i], after[i], "the old entry never matches again");
        }
    }

    @Test
    void aBumpNeverUncoversAWriteStillInFlight() {
        String[] versions = {key("v")};
        String[] lease = store().leaseVersions(versions, 60_000);
        store().bumpVersions(versions);
        assertTrue(CacheStore.isLease(store().lookup(key("e"), versions).versions()[0]), "the write is in flight");
        store().endLeases(versions, lease);
        assertFalse(CacheStore.isLease(store().lookup(key("e"), versions).versions()[0]));
    }

    /**
     * A transaction's lease placed again with its own token (before a late commit, or by a rejoin's gate and then
     * again) is extended, not doubled: its one end uncovers the key, alone or beside another write's lease.
     */
    @Test
    void aLeasePlacedAgainWithItsOwnTokenEndsWithOneEnd() {
        String[] versions = {key("v")};
        String[] lease = store().leaseVersions(versions, 60_000);
        store().leaseVersions(versions, lease, 60_000);
        store().leaseVersions(versions, lease, 60_000);
        store().endLeases(versions, lease);
        assertFalse(CacheStore.isLease(store().lookup(key("e"), versions).versions()[0]), "one end, no holder left");
        String[] other = store().leaseVersions(versions, 60_000);
        String[] again = store().leaseVersions(versions, 60_000);
        store().leaseVersions(versions, again, 60_000);
        store().endLeases(versions, again);
        assertTrue(CacheStore.isLease(store().lookup(key("e"), versions).versions()[0]), "the other is in flight");
        store().endLeases(versions, other);
        assertFalse(CacheStore.isLease(store().lookup(key("e"), versions).versions()[0]));
    }

    @Test
    void endingALeaseThatExpiredLeavesALaterWritesLeaseInPlace() throws InterruptedException {
        String[] versions = {key("v")};
        String[] first = store().leaseVersions(versions, 100);
        Thread.sleep(250);
        String[] second = store().leaseVersions(versions, 60_000);
        store().endLeases(versions, first);
        assertTrue(CacheStore.isLease(store().lookup(key("e"), versions).versions()[0]),
                "the first write's end must not uncover the second, still in flight");
        store().endLeases(versions, second);
        assertFalse(CacheStore.isLease(store().lookup(key("e"), versions).versions()[0]));
    }

    /** The write sequence is never a lease: every lease and every end moves it one step on, in one epoch. */
    @Test
    void everyLeaseAndEveryEndAdvanceTheWriteSequence() {
        String sequence = CacheStore.SEQUENCE_PREFIX + "contract";
        String[] keys = {key("v"), sequence};
        String[] probe = {sequence};
        long[] create = {CacheStore.NO_EXPIRY};
        String first = store().lookup(key("e"), probe, create).versions()[0];
        String[] leases = store().leaseVersions(keys, 60_000);
        String leased = store().lookup(key("e"), probe).versions()[0];
        assertFalse(CacheStore.isLease(leased), leased);
        assertEquals(step(first, 1), leased);
        store().endLeases(keys, leases);
        assertEquals(step(first, 2), store().lookup(key("e"), probe).versions()[0]);
        store().bumpVersions(keys);
        assertEquals(step(first, 3), store().lookup(key("e"), probe).versions()[0]);
    }

    /**
     * {@code value} moved {@code steps} on in its epoch: {@code <epoch>:<n>} (the in-process store), or the Redis
     * store's 19-digit number, whose last six digits count the steps.
     */
    private static String step(String value, int steps) {
        if (value.matches("[1-9]\\d{18}")) {
            return Long.toString(Long.parseLong(value) + steps);
        }
        assertTrue(value.matches(".+:\\d+"), value);
        int colon = value.lastIndexOf(':');
        return value.substring(0, colon + 1) + (Long.parseLong(value.substring(colon + 1)) + steps);
    }

    @Test
    void threeOverlappingWritesKeepTheKeyLeasedUntilTheLastEnds() {
        String[] versions = {key("v")};
        String[] a = store().leaseVersions(versions, 60_000);
        String[] b = store().leaseVersions(versions, 60_000);
        String[] c = store().leaseVersions(versions, 60_000);
        store().endLeases(versions, b);
        assertTrue(CacheStore.isLease(store().lookup(key("e"), versions).versions()[0]));
        store().endLeases(versions, a);
        assertTrue(CacheStore.isLease(store().lookup(key("e"), versions).versions()[0]));
        store().bumpVersions(versions);
        assertTrue(CacheStore.isLease(store().lookup(key("e"), versions).versions()[0]));
        store().endLeases(versions, c);
        assertFalse(CacheStore.isLease(store().lookup(key("e"), versions).versions()[0]));
    }

    @Test
    void aFreshTokenWithATimeToLiveExpires() throws InterruptedException {
        String[] versions = {key("k")};
        store().endLeases(versions, null, new long[] {150});
        assertNotNull(store().lookup(key("e"), versions).versions()[0]);
        Thread.sleep(300);
        assertNull(store().lookup(key("e"), versions).versions()[0], "a key's token expires with its TTL");
    }

    @Test
    void endingALeaseLeavesAnotherWritesLeaseInPlace() {
        String[] versions = {key("v")};
        String[] first = store().leaseVersions(versions, 60_000);
        String[] second = store().leaseVersions(versions, 60_000);
        store().endLeases(versions, first);
        assertTrue(CacheStore.isLease(store().lookup(key("e"), versions).versions()[0]), "the second write is in progress");
        store().endLeases(versions, second);
        assertFalse(CacheStore.isLease(store().lookup(key("e"), versions).versions()[0]));
    }

    @Test
    void aLaterWritesLeaseEndingNeverUncoversAnEarlierOneStillInFlight() {
        String[] versions = {key("v")};
        String[] first = store().leaseVersions(versions, 60_000);
        String[] second = store().leaseVersions(versions, 60_000);
        store().endLeases(versions, second);
        assertTrue(CacheStore.isLease(store().lookup(key("e"), versions).versions()[0]),
                "the first write has not ended: readers must stay away");
        store().bumpVersions(versions);
        assertTrue(CacheStore.isLease(store().lookup(key("e"), versions).versions()[0]),
                "an owed invalidation does not uncover it either");
        store().endLeases(versions, first);
        assertFalse(CacheStore.isLease(store().lookup(key("e"), versions).versions()[0]));
    }

    @Test
    @Timeout(10)
    void anEarlierLeaseThatExpiresNoLongerHoldsTheKey() throws InterruptedException {
        String[] versions = {key("v")};
        store().leaseVersions(versions, 150);
        String[] second = store().leaseVersions(versions, 60_000);
        Thread.sleep(300);
        store().endLeases(versions, second);
        assertFalse(CacheStore.isLease(store().lookup(key("e"), versions).versions()[0]),
                "the first lease expired: the second's end makes the key fresh");
    }

    @Test
    void endingALeaseThatExpiredStillInvalidates() {
        String[] versions = {key("v")};
        String[] tokens = store().initVersions(versions);
        store().endLeases(versions, new String[] {CacheStore.LEASE_PREFIX + "long-gone"});
        String now = store().lookup(key("e"), versions).versions()[0];
        assertNotEquals(tokens[0], now);
        assertFalse(CacheStore.isLease(now));
    }

    @Test
    @Timeout(10)
    void aLeaseExpiresOnItsOwnSoALostCommitNeverBlocksCachingForever() throws InterruptedException {
        String[] versions = {key("v")};
        String[] old = store().initVersions(versions);
        store().leaseVersions(versions, 150);
        Thread.sleep(400);
        String[] fresh = store().initVersions(versions);
        assertFalse(CacheStore.isLease(fresh[0]));
        assertNotEquals(old[0], fresh[0]);
    }
}
