package dev.sqlcache.internal.engine;

import dev.sqlcache.testing.ManualTime;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the policy's estimates follow and what they must not (issue #10): under load a sample now and then takes a
 * thread's whole time slice, on the database's path and the cache's alike, and such outliers must not switch a shape
 * or a table; a real change of costs must. Drives {@link CachePolicy} through the calls {@code SessionCache} makes,
 * with the costs each test chooses (no clock is read for them), and reads the shape's state after each execution.
 */
class PolicyEstimatesTest {

    private final ManualTime time = new ManualTime();
    /** As with a near cache: a shape off does not switch its tables off, so only the shape's judgement moves. */
    private final CachePolicy policy;
    private final QueryPlan read;
    private final QueryPlan write;
    private final CachePolicy.Sampler sampler = new CachePolicy.Sampler(7);
    private int flips;

    PolicyEstimatesTest() throws Exception {
        policy = JudgedPolicy.withNearCache(time);
        read = JudgedPolicy.plan("SELECT v FROM t WHERE id = ?");
        write = JudgedPolicy.plan("UPDATE t SET v = ? WHERE id = ?");
    }

    /** What one execution costs, by its rank among those of its kind. */
    private interface Cost {
        long nanos(long rank);
    }

    private long runs;
    private long redisLookups;

    /**
     * One read as SessionCache makes it on a JVM without a near cache: kept away from the store while the policy says
     * so (one in {@link CachePolicy#TIMED_EVERY} of those timed, standing for that many), else a Redis lookup that
     * hits three times in four (a miss then runs on the database, timed).
     */
    private void read(Cost database, Cost lookup) {
        boolean wasOff = read.shape().off;
        if (policy.admit(read) != null) {
            if (sampler.timesBypass()) {
                policy.ranSampled(read, database.nanos(runs++));
            }
        } else {
            // Three lookups in four hit, by the lookup's rank: a probe (one execution in 64) must not always miss.
            boolean hit = redisLookups % 4 != 3;
            policy.lookedUp(read, lookup.nanos(redisLookups++), hit);
            if (!hit) {
                policy.ran(read, database.nanos(runs++));
            }
        }
        if (read.shape().off != wasOff) {
            flips++;
        }
    }

    /** Every eighth sample takes 5 ms (a thread descheduled), the rest {@code typical}. */
    private static Cost withOutliers(long typical) {
        return rank -> rank % 8 == 7 ? 5_000_000 : typical;
    }

    /**
     * The database takes 200 µs and a Redis lookup 50 µs, three lookups in four hit: a hit saves 150 µs on average,
     * three times a lookup. One lookup in eight takes 5 ms: a plain mean of the lookups (669 µs) switched the shape
     * off; the middle half's does not see them.
     */
    @Test
    void outliersAmongTheLookupsDoNotSwitchAWorthwhileShapeOff() {
        for (long i = 0; i < 20_000; i++) {
            read(rank -> 200_000, withOutliers(50_000));
        }
        assertEquals(0, flips, "the shape switched " + flips + " times; lookup weighed at "
                + (long) read.shape().lookupNanos + " ns");
    }

    /**
     * The database takes 20 µs and a Redis lookup 60 µs: not worth a lookup. One database run in eight takes 5 ms:
     * a plain mean of the runs (642 µs) kept the shape on, or switched it back on at the next window with an
     * outlier in it; the shape must go off once and stay off.
     */
    @Test
    void outliersAmongTheDatabaseRunsDoNotKeepOrSwitchOnAShapeNotWorthALookup() {
        for (long i = 0; i < 50_000; i++) {
            read(withOutliers(20_000), rank -> 60_000);
        }
        assertTrue(read.shape().off, "on, with the database weighed at " + (long) read.shape().databaseNanos + " ns");
        assertEquals(1, flips, "the shape switched " + flips + " times");
    }

    /**
     * A shape off (the database at 20 µs, a lookup at 60 µs, outliers on both) whose database truly becomes slow
     * (2 ms every run): measured only on its sampled bypasses (one in sixteen) and its probes, it must switch on
     * within a bounded number of executions, and a Redis that truly becomes slow (3 ms a lookup) must switch it off
     * again.
     */
    @Test
    void aShapeWhoseCostsTrulyChangeSwitchesWithinABoundedNumberOfExecutions() {
        long i = 0;
        for (; i < 20_000; i++) {
            read(withOutliers(20_000), withOutliers(60_000));
        }
        assertTrue(read.shape().off, "a fast database: not worth a lookup");
        long changed = i;
        // Half the samples turned over at one in sixteen, and the hold after the shape's single switch.
        long bound = 2L * CostSamples.SIZE * CachePolicy.TIMED_EVERY
                + (long) CachePolicy.MIN_HOLD_JUDGEMENTS * CachePolicy.JUDGE_EVERY + 2 * CachePolicy.PROBE_EVERY;
        for (; i < changed + bound && read.shape().off; i++) {
            read(withOutliers(2_000_000), withOutliers(60_000));
        }
        assertFalse(read.shape().off, "still off " + bound + " executions after the database became slow");
        changed = i;
        for (; i < changed + bound && !read.shape().off; i++) {
            read(withOutliers(2_000_000), withOutliers(3_000_000));
        }
        assertTrue(read.shape().off, "still on " + bound + " executions after Redis became slower than the database");
    }

    /**
     * With a near cache, costs that turn with the shape's state: on, four reads in five are near hits (2 µs, one in
     * sixteen timed) and the fifth a Redis lookup (500 µs) that misses and runs on the database (50 µs): a lookup
     * costs 102 µs on average and a hit saves 40 µs, so the shape goes off. Off, the copies its time on left still
     * answer half its reads; the rest bypass to the database. Counted once each, those near hits outweighed its
     * probes and switched it on again, and its Redis lookups off again, for as long as it ran (bounded only by the
     * hold); weighed against the executions its probes stand for, it stays off.
     */
    @Test
    void aShapeOffIsNotSwitchedOnByTheNearHitsItsTimeOnLeft() {
        for (long i = 0; i < 200_000; i++) {
            boolean wasOff = read.shape().off;
            boolean nearHit = wasOff ? i % 2 == 0 : i % 5 != 4;
            // As SessionCache: the policy is asked first, then a copy at hand is served whatever it said.
            boolean admitted = policy.admit(read) == null;
            if (nearHit) {
                if (sampler.timesNearRead(read)) {
                    policy.nearHitTimed(read, 2_000);
                } else {
                    policy.nearHitUntimed(read);
                }
            } else if (!admitted) {
                if (sampler.timesBypass()) {
                    policy.ranSampled(read, 50_000);
                }
            } else {
                policy.lookedUp(read, 500_000, false);
                policy.ran(read, 50_000);
            }
            if (read.shape().off != wasOff) {
                flips++;
            }
        }
        assertTrue(read.shape().off, "a Redis lookup costs ten database runs: off");
        assertEquals(1, flips, "the shape switched " + flips + " times in 200000 executions");
    }

    /**
     * A table read through a near cache: twenty near hits (2 µs, one in sixteen timed) and one Redis lookup that
     * misses per write; the database takes 200 µs, so each write's hits save about 4 ms. A write's lease and end
     * take 300 µs on the caller's thread, one in eight 40 ms (a thread descheduled): summed, the leases of 256 writes
     * cost 1.35 s against the hits' 1.0 s, and the table went off. Weighed at the middle half's 300 µs, it stays on.
     */
    @Test
    void aTableWhoseNearHitsSaveMoreThanItsWritesCostStaysOn() {
        long writes = 0;
        for (int round = 0; round < 2_000; round++) {
            if (round == 50) {
                // Past the table's quiet time: from now on it is weighed every 256 writes.
                time.advanceNanos(6_000_000_000L);
            }
            policy.wrote(List.of(write), writes++ % 8 == 7 ? 40_000_000 : 300_000);
            if (policy.admit(read) == null) {
                policy.lookedUp(read, 100_000, false);
                policy.ran(read, 200_000);
            }
            for (int i = 0; i < 20; i++) {
                policy.admit(read);
                if (sampler.timesNearRead(read)) {
                    policy.nearHitTimed(read, 2_000);
                } else {
                    policy.nearHitUntimed(read);
                }
            }
            assertFalse(policy.off("t"), "switched off after " + writes + " writes");
        }
        assertFalse(read.shape().off, "a shape whose near hits save 198 µs each is worth its lookups");
    }
}
