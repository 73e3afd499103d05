package dev.sqlcache.internal.engine;

import dev.sqlcache.internal.analysis.DatabaseFamily;
import dev.sqlcache.internal.analysis.QueryAnalyzer;
import dev.sqlcache.internal.config.SqlCacheConfig;
import dev.sqlcache.testing.ManualTime;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A shape judged while the JVM is cold (session 26, issues #10 and #13): its first Redis lookups took milliseconds
 * (2.9 ms in the harness's log, tens of µs once compiled), it went off at its first judgement, and the cold samples
 * kept it off for two thousand executions (and the Redis-only target's table off as a whole for 30 s after). Drives
 * {@link CachePolicy} as {@code SessionCache} does on a JVM without a near cache, one read at a time, the clock moved
 * by what each read costs; every lookup finds a current entry (read-only, one hot key).
 */
class YoungShapeTest {

    private final ManualTime time = new ManualTime();
    private final CachePolicy policy;
    private final QueryPlan read;
    private final CachePolicy.Sampler sampler = new CachePolicy.Sampler(7);
    /** Which keys have a current entry in Redis. */
    private final boolean[] stored = new boolean[10_000];
    private int flips;
    private long lookups;

    YoungShapeTest() throws Exception {
        policy = new CachePolicy(SqlCacheConfig.load(Map.of(), Map.of("sqlcache.store", "memory")).tablePolicy(),
                time, true);
        read = new QueryPlan(new QueryAnalyzer(DatabaseFamily.POSTGRES, 10).analyze("SELECT v FROM t WHERE id = ?"),
                new String[0], new String[0], false, 1, 300, false, false, null);
    }

    private void read(long databaseNanos, long redisNanos) {
        read(0, databaseNanos, redisNanos);
    }

    /** One read: kept from the store (one in sixteen timed), or a Redis lookup that hits, or misses and runs. */
    private void read(int key, long databaseNanos, long redisNanos) {
        boolean wasOff = read.shape().off;
        if (policy.admit(read) != null) {
            if (sampler.timesBypass()) {
                policy.ranSampled(read, databaseNanos);
            }
            time.advanceNanos(databaseNanos);
        } else {
            lookups++;
            time.advanceNanos(redisNanos);
            policy.lookedUp(read, redisNanos, stored[key], !stored[key]);
            if (!stored[key]) {
                time.advanceNanos(databaseNanos);
                policy.ran(read, databaseNanos);
                policy.stored(read);
                stored[key] = true;
            }
        }
        if (read.shape().off != wasOff) {
            flips++;
        }
    }

    /**
     * The JVM is cold for its first 100 ms (a lookup 3 ms, the database 200 µs), then warm (a lookup 30 µs, the
     * database 100 µs: caching pays). The shape goes off on its cold judgement, which is right on what it measured;
     * it must be back on within a few hundred executions of the JVM's warming, and stay on. The old rule kept the
     * cold lookups among its samples until 24 probes, one in 64 executions, had pushed them out of the middle half:
     * about 1,600 executions.
     */
    @Test
    void aShapeSwitchedOffOnAColdJvmsLookupsComesBackOnFreshOnes() {
        int i = 0;
        long start = time.nanoTime();
        while (time.nanoTime() - start < 100_000_000L) {
            read(200_000, 3_000_000);
            i++;
        }
        assertTrue(read.shape().off, "off on its cold lookups (the premise): " + i + " reads");
        int back = -1;
        for (int n = 0; n < 20_000; n++) {
            read(100_000, 30_000);
            if (back < 0 && !read.shape().off) {
                back = n;
            }
        }
        assertTrue(back >= 0 && back < 400, "on again only after " + back + " warm reads");
        assertFalse(read.shape().off);
        assertEquals(2, flips, "off once, on once");
        assertFalse(policy.off("t"), "the table must not have gone off as a whole");
    }

    /**
     * A statement really cheaper to run than to fetch (the database 20 µs, a lookup 60 µs) is switched off young,
     * stays off on its fresh samples, and once its youth is over is probed one execution in 64 again.
     */
    @Test
    void aShapeCheaperToRunStaysOffAndIsProbedAsAnyOnceGrown() {
        for (int n = 0; n < 2_000; n++) {
            read(20_000, 60_000);
        }
        assertTrue(read.shape().off);
        assertEquals(1, flips, "switched off once and stayed off");
        time.advanceNanos(CachePolicy.YOUNG_NANOS);
        for (int n = 0; n < 640; n++) {
            read(20_000, 60_000);
        }
        long before = lookups;
        int n = 6_400;
        for (int k = 0; k < n; k++) {
            read(20_000, 60_000);
        }
        assertTrue(read.shape().off);
        assertEquals(1, flips);
        assertTrue(lookups - before <= n / CachePolicy.PROBE_EVERY + 2,
                (lookups - before) + " lookups in " + n + " reads once grown");
    }

    /**
     * A read-only table on a cold cache: reads spread evenly over 10,000 keys, caching worth it (the database 100 µs,
     * a lookup 30 µs). Each key's first read stores its result, and in the cache's first windows of 256 stores few
     * keys were read again yet (pk-reads-ro in the harness's log: 8 hits to 256 stores, the table off as a whole for
     * 30 s on both sqlcache targets, near copies included): the table must not go off while its cache fills. It was
     * loaded (written) a minute before its first read, as the harness loads it: the fill starts with the reads.
     */
    @Test
    void aReadOnlyTableFillingItsCacheIsNotSwitchedOff() throws Exception {
        QueryPlan load = new QueryPlan(new QueryAnalyzer(DatabaseFamily.POSTGRES, 10)
                .analyze("INSERT INTO t (id, v) VALUES (?, ?)"), new String[0], new String[0], false, 1, 300, false,
                false, null);
        policy.wrote(java.util.List.of(load), 100_000);
        time.advanceNanos(60_000_000_000L);
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < 60_000; i++) {
            read(random.nextInt(10_000), 100_000, 30_000);
            assertFalse(policy.off("t"), "switched off as a whole at read " + i);
        }
        assertFalse(read.shape().off);
    }
}
