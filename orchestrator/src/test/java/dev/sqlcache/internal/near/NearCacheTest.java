package dev.sqlcache.internal.near;

import dev.sqlcache.internal.codec.CachedResult;
import dev.sqlcache.internal.codec.ResultCapture;
import dev.sqlcache.testing.ManualTime;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The near cache's own rules, on a manual clock: when a copy may be kept and served, and when it dies. */
class NearCacheTest {

    private static final String[] KEYS = {"sql:_members:fence", "sql:t:version:db", "sql:t:version:db:k:1"};
    private static CachedResult result;
    private final ManualTime time = new ManualTime();
    private final NearCache cache = new NearCache(1 << 20, time);

    @BeforeAll
    static void capture() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:h2:mem:near");
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select 1")) {
            ResultCapture capture = ResultCapture.begin(rs.getMetaData(), 10, 1000);
            while (rs.next()) {
                capture.captureRow(rs);
            }
            result = capture.finish();
        }
    }

    private void serving() {
        cache.servesUntil(time.nanoTime() + 1_000_000_000L);
    }

    @Test
    void aCopyIsServedWhileItsKeysAreUnchangedAndTheLeaseHolds() {
        serving();
        cache.put("e", cache.tag(KEYS), result, 100, 60_000);
        assertSame(result, cache.get("e", KEYS));
        assertNull(cache.get("e", new String[] {KEYS[0], KEYS[1]}), "another layout of version keys");
        time.advance(1000);
        assertNull(cache.get("e", KEYS), "the near lease lapsed");
        serving();
        assertSame(result, cache.get("e", KEYS), "a renewal brings it back (nothing changed meanwhile)");
    }

    @Test
    void anInvalidationOfAnyOfItsKeysKillsIt() {
        serving();
        for (String key : new String[] {KEYS[1], KEYS[2]}) {
            cache.put("e", cache.tag(KEYS), result, 100, 60_000);
            assertSame(result, cache.get("e", KEYS));
            cache.invalidate(new String[] {key});
            assertNull(cache.get("e", KEYS), key);
        }
    }

    @Test
    void aCopyReadBeforeAWriteAndKeptAfterItsNoticeIsDeadOnArrival() {
        serving();
        NearCache.Tag before = cache.tag(KEYS); // then the store is asked...
        cache.invalidate(new String[] {"sql:t:version:db:k:1"}); // ...while a write's notice is handled
        cache.put("e", before, result, 100, 60_000);
        assertNull(cache.get("e", KEYS));
    }

    @Test
    void aWriteSequenceChangesNothing() {
        serving();
        cache.put("e", cache.tag(KEYS), result, 100, 60_000);
        cache.invalidate(new String[] {"sql:_database:seq:db"});
        assertSame(result, cache.get("e", KEYS));
    }

    @Test
    void clearingKillsCopiesAndTagsTakenBefore() {
        serving();
        NearCache.Tag before = cache.tag(KEYS);
        cache.put("e", before, result, 100, 60_000);
        cache.clear();
        assertNull(cache.get("e", KEYS));
        cache.put("e", before, result, 100, 60_000);
        assertNull(cache.get("e", KEYS), "a tag from before the clear");
    }

    @Test
    void copiesExpireWithTheirEntry() {
        serving();
        cache.put("e", cache.tag(KEYS), result, 100, 300);
        time.advance(299);
        serving();
        assertSame(result, cache.get("e", KEYS));
        time.advance(1);
        assertNull(cache.get("e", KEYS));
    }

    @Test
    void stoppedServingMeansNothingIsServed() {
        serving();
        cache.put("e", cache.tag(KEYS), result, 100, 60_000);
        cache.stopServing();
        assertFalse(cache.serving());
        assertNull(cache.get("e", KEYS));
    }

    @Test
    void theByteBoundHolds() {
        NearCache small = new NearCache(64 * 1024, time);
        small.servesUntil(time.nanoTime() + 1_000_000_000L);
        for (int i = 0; i < 1000; i++) {
            small.put("e" + i, small.tag(KEYS), result, 1000, 60_000);
        }
        assertTrue(small.size() <= 64, "copies kept: " + small.size());
        int served = 0;
        for (int i = 0; i < 1000; i++) {
            served += small.get("e" + i, KEYS) == null ? 0 : 1;
        }
        assertEquals(small.size(), served);
    }

    /**
     * Hits read the map quietly and tell the eviction policy only a sample of them: a copy served often must still
     * count as used, or the byte bound would evict it first (the policy would see only its insertion).
     */
    @Test
    void copiesServedOftenAreNotTheFirstToBeEvicted() {
        // Past half its bound: below that Caffeine keeps no frequencies and orders nothing by reads.
        NearCache small = new NearCache(64 * 1024, time);
        small.servesUntil(time.nanoTime() + 1_000_000_000L);
        for (int i = 0; i < 30; i++) {
            small.put("e" + i, small.tag(KEYS), result, 1000, 60_000);
        }
        assertEquals(30, small.size());
        assertEquals("e0", small.coldest(), "inserted first, never read: the first to go");
        for (int i = 0; i < 1000; i++) {
            assertSame(result, small.get("e0", KEYS));
        }
        assertFalse("e0".equals(small.coldest()), "a copy hit 1000 times is still the coldest");
    }
}
