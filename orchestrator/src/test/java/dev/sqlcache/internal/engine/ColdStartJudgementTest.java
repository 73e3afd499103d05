package dev.sqlcache.internal.engine;

import dev.sqlcache.testing.ManualTime;
import org.junit.jupiter.api.Test;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A shape's cold start (issues #13 and #10): on a cold cache a read-only shape's first lookups miss by necessity
 * (no entry was ever stored under their keys), and such misses must not switch it off; a shape whose entries are
 * never hit (every key new, or invalidated before it comes back) must still go off. Drives {@link CachePolicy} as
 * {@code SessionCache} does on a JVM with a near cache, with the costs each test chooses (no clock is read for them),
 * and with the store and the near cache modelled per key.
 */
class ColdStartJudgementTest {

    private final ManualTime time = new ManualTime();
    /** With a near cache (a shape off does not switch its tables off). */
    private final CachePolicy policy;
    private final QueryPlan read;
    /** Another statement on the same table. */
    private final QueryPlan other;
    private final CachePolicy.Sampler sampler = new CachePolicy.Sampler(7);
    private int flips;
    private long offAt = -1;

    ColdStartJudgementTest() throws Exception {
        policy = JudgedPolicy.withNearCache(time);
        read = JudgedPolicy.plan("SELECT v FROM t WHERE id = ?");
        other = JudgedPolicy.plan("SELECT w FROM t WHERE id = ?");
    }

    /** Which keys have a near copy, and which an entry in Redis: current, invalidated, or none. */
    private final boolean[] nearCopy = new boolean[100_000];
    private final byte[] entry = new byte[100_000];
    private static final byte NONE = 0;
    private static final byte CURRENT = 1;
    private static final byte STALE = 2;

    /**
     * One read of {@code key} as SessionCache makes it: a near copy at hand is served whatever the policy says (one
     * near hit in sixteen timed, at 1 µs); else, kept from the store while the policy says so (one in sixteen timed);
     * else a Redis lookup ({@code redisNanos}) that hits a current entry (and copies it near), or misses (an entry
     * invalidated since, or none at all) and runs on the database ({@code databaseNanos}) and stores.
     */
    private void read(long execution, int key, long databaseNanos, long redisNanos) {
        boolean wasOff = read.shape().off;
        boolean admitted = policy.admit(read) == null;
        if (nearCopy[key]) {
            if (sampler.timesNearRead(read)) {
                policy.nearHitTimed(read, 1_000);
            } else {
                policy.nearHitUntimed(read);
            }
        } else if (!admitted) {
            if (sampler.timesBypass()) {
                policy.ranSampled(read, databaseNanos);
            }
        } else if (entry[key] == CURRENT) {
            policy.lookedUp(read, redisNanos, true, false);
            nearCopy[key] = true;
        } else {
            policy.lookedUp(read, redisNanos, false, entry[key] == NONE);
            policy.ran(read, databaseNanos);
            policy.stored(read);
            entry[key] = CURRENT;
            nearCopy[key] = true;
        }
        if (read.shape().off != wasOff) {
            flips++;
            if (offAt < 0) {
                offAt = execution;
            }
        }
    }

    /**
     * ycsb-100-0 on a cold cache and a loaded machine: 1000 records read by Zipfian keys, the database at 100 µs, a
     * Redis lookup at 300 µs (costlier than the database), a near hit at 1 µs. Each key's first read misses (no entry)
     * and leaves a near copy, so that the shape's near hits soon answer most reads and save 99 µs each. hC's policy
     * judged it on its first sixteen reads (near hits 0-20%, Redis hits none: its first lookups) and switched it off
     * at once; it must stay on.
     */
    @Test
    void aColdReadOnlyShapeStaysOn() {
        int[] keys = ZipfianDraws.draw(1_000, 50_000, 42);
        for (int i = 0; i < keys.length; i++) {
            read(i, keys[i], 100_000, 300_000);
        }
        assertEquals(0, flips, "switched " + flips + " times, first at execution " + offAt + "; near hits "
                + CachePolicy.Shape.nearHits(read.shape().counts) + " of "
                + CachePolicy.Shape.executions(read.shape().counts) + " executions, lookup weighed at "
                + (long) read.shape().lookupNanos + " ns");
        assertFalse(read.shape().off);
    }

    /**
     * Every read's key is new: the database at 100 µs, a Redis lookup at 50 µs (cheaper: only the shares can tell),
     * and no entry is ever hit. It must go off within its warm-up and a few judgements after, and stay off. Another
     * statement on its table is served from near copies all along, so that the table is not switched off as a whole
     * (its stores would be hit too rarely otherwise): only the shape's own judgement can keep its reads from Redis.
     */
    @Test
    void aShapeWhoseKeysAreNeverReadAgainGoesOff() {
        long bound = 2L * CachePolicy.WARM_UP_LOOKUPS;
        for (int i = 0; i < 20_000; i++) {
            read(i, i, 100_000, 50_000);
            policy.nearHitTimed(other, 1_000);
        }
        assertFalse(policy.off("t"), "the table was switched off as a whole: the test no longer tests the shape");
        assertTrue(read.shape().off, "still on after 20000 reads of keys never read again");
        assertEquals(1, flips, "switched " + flips + " times");
        assertTrue(offAt < bound, "off only at execution " + offAt + ", not within " + bound);
    }

    /**
     * Ten keys read in turn, each invalidated (a write) before it is read again: every lookup after a key's first
     * finds its entry stale. Not a cold cache: the shape must go off within a few judgements. As above, another
     * statement keeps the table on as a whole.
     */
    @Test
    void aShapeWhoseEntriesAreInvalidatedBeforeReuseGoesOff() {
        long bound = 8L * CachePolicy.JUDGE_EVERY;
        for (int i = 0; i < 20_000; i++) {
            int key = i % 10;
            read(i, key, 100_000, 50_000);
            // A write to the key's row: its entry's tokens move on, and its near copy is dropped.
            entry[key] = STALE;
            nearCopy[key] = false;
            policy.nearHitTimed(other, 1_000);
        }
        assertFalse(policy.off("t"), "the table was switched off as a whole: the test no longer tests the shape");
        assertTrue(read.shape().off, "still on after 20000 reads of entries invalidated before reuse");
        assertEquals(1, flips, "switched " + flips + " times");
        assertTrue(offAt < bound, "off only at execution " + offAt + ", not within " + bound);
    }
}
