package dev.sqlcache.internal.engine;

import dev.sqlcache.internal.analysis.DatabaseFamily;
import dev.sqlcache.internal.analysis.QueryAnalyzer;
import dev.sqlcache.internal.config.SqlCacheConfig;
import dev.sqlcache.stats.BypassReason;
import dev.sqlcache.testing.ManualTime;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A shape that is on and whose every read hits (issue #10, session 27): nothing timed its database any more, so an
 * estimate taken in a cold JVM or a loaded moment kept a losing shape on (pk-reads-ro at 0.59x direct on the
 * Redis-only target, every read a Redis hit, its shape on since a warm-up that measured the database at 545 µs).
 * Drives {@link CachePolicy} as {@code SessionCache} does on a JVM without a near cache, one read at a time on one
 * hot key that always has a current entry, the clock moved by what each read costs.
 */
class CachedShapeMeasuresTest {

    private final ManualTime time = new ManualTime();
    private final CachePolicy.Sampler sampler = new CachePolicy.Sampler(7);
    private CachePolicy policy;
    private QueryPlan read;
    private boolean stored;
    private long lookups;
    private long measured;

    private void policy(Map<String, String> settings) throws Exception {
        java.util.HashMap<String, String> all = new java.util.HashMap<>(settings);
        all.put("sqlcache.store", "memory");
        policy = new CachePolicy(SqlCacheConfig.load(Map.of(), all).tablePolicy(), time, true);
        read = new QueryPlan(new QueryAnalyzer(DatabaseFamily.POSTGRES, 10).analyze("SELECT v FROM t WHERE id = ?"),
                new String[0], new String[0], false, 1, 300, false, false, null);
    }

    /** One read: kept from the store (one in sixteen timed), measuring the database, or a Redis lookup. */
    private void read(long databaseNanos, long redisNanos) {
        BypassReason notNow = policy.admit(read);
        if (notNow == BypassReason.MEASURING_DATABASE) {
            measured++;
            time.advanceNanos(databaseNanos);
            policy.ran(read, databaseNanos);
        } else if (notNow != null) {
            if (sampler.timesBypass()) {
                policy.ranSampled(read, databaseNanos);
            }
            time.advanceNanos(databaseNanos);
        } else {
            lookups++;
            time.advanceNanos(redisNanos);
            policy.lookedUp(read, redisNanos, stored, !stored);
            if (!stored) {
                time.advanceNanos(databaseNanos);
                policy.ran(read, databaseNanos);
                policy.stored(read);
                stored = true;
            }
        }
    }

    /**
     * On while the database takes 200 µs against a 30 µs lookup, every read a hit; then the database gets cheaper
     * (10 µs). Today's rule never timed the database again and kept the shape on for good; it must go off within a
     * bounded number of executions: the measurements (one read in 64 x the power of two at or above 200/30) push the
     * old samples out of the middle half, and the shape's hold after its one switch is short.
     */
    @Test
    void aCachedShapeWhoseDatabaseGotCheaperGoesOff() throws Exception {
        policy(Map.of());
        for (int n = 0; n < 5_000; n++) {
            read(200_000, 30_000);
        }
        assertFalse(read.shape().off, "on while caching pays (the premise)");
        int off = -1;
        for (int n = 0; n < 40_000 && off < 0; n++) {
            read(10_000, 30_000);
            if (read.shape().off) {
                off = n;
            }
        }
        assertTrue(off >= 0 && off < 20_000, "off only after " + off + " reads with the cheaper database");
    }

    /**
     * A shape whose every lookup hits from the first (the entry was stored by another JVM sharing the store) never
     * ran on the database, so it was never judged and stayed on whatever it cost: here the database takes 10 µs
     * against a 30 µs lookup. It must be measured, judged, and go off.
     */
    @Test
    void aShapeThatNeverMissedIsMeasuredAndJudged() throws Exception {
        policy(Map.of());
        stored = true;
        int off = -1;
        for (int n = 0; n < 20_000 && off < 0; n++) {
            read(10_000, 30_000);
            if (read.shape().off) {
                off = n;
            }
        }
        assertTrue(off >= 0 && off < 5_000, "off only after " + off + " reads");
    }

    /**
     * A shape whose hits pay (the database 200 µs, a lookup 30 µs) stays on, and measures the database on one read
     * in 512 (64 x 8, the power of two at or above 200/30): what the measurements cost is a small share of what the
     * hits save.
     */
    @Test
    void aShapeWorthCachingStaysOnAndMeasuresRarely() throws Exception {
        policy(Map.of());
        for (int n = 0; n < 2_000; n++) {
            read(200_000, 30_000);
        }
        long before = measured;
        int n = 51_200;
        for (int k = 0; k < n; k++) {
            read(200_000, 30_000);
        }
        assertFalse(read.shape().off);
        assertEquals(n / 512, measured - before, "measurements in " + n + " reads");
    }

    /** {@code sqlcache.tablePolicy=t=on} means always cached: no read of it ever measures the database instead. */
    @Test
    void aShapePinnedOnNeverMeasures() throws Exception {
        policy(Map.of("sqlcache.tablePolicy", "t=on"));
        for (int n = 0; n < 20_000; n++) {
            read(n < 2_000 ? 200_000 : 10_000, 30_000);
        }
        assertEquals(0, measured);
        assertEquals(20_000, lookups);
    }

    /** Fewer measurements the more a hit saves: one in 64 near the line, never fewer than one in 65536. */
    @Test
    void measuresLessOftenTheMoreAHitSaves() {
        assertEquals(64, CachePolicy.measureEvery(30_000, 30_000));
        assertEquals(64, CachePolicy.measureEvery(10_000, 30_000));
        assertEquals(128, CachePolicy.measureEvery(40_000, 30_000));
        assertEquals(512, CachePolicy.measureEvery(200_000, 30_000));
        assertEquals(2048, CachePolicy.measureEvery(30_000, 1_000));
        assertEquals(CachePolicy.MAX_MEASURE_EVERY, CachePolicy.measureEvery(1e9, 1_000));
        assertEquals(CachePolicy.MAX_MEASURE_EVERY, CachePolicy.measureEvery(30_000, 0));
    }
}
