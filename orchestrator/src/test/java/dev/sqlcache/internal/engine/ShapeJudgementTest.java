package dev.sqlcache.internal.engine;

import dev.sqlcache.testing.ManualTime;
import org.junit.jupiter.api.Test;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How a statement shape's judgement moves (issue #10): not at every noisy measurement, yet within a bounded number of
 * executions once its costs really change. Drives {@link CachePolicy} the way {@code SessionCache} does, with the
 * costs a test chooses, and reads the shape's state after each execution.
 */
class ShapeJudgementTest {

    private final ManualTime time = new ManualTime();
    /** As with a near cache: a shape off does not switch its tables off, so only the shape's own judgement moves. */
    private final CachePolicy policy;
    private final QueryPlan plan;
    /** Database runs so far: the cost of a run may depend on its rank. */
    private long runs;
    /**
     * Lookups so far: which of them hit goes by their rank, not by the execution's. An off shape's probes are one
     * execution in 64, and when that count ran in step with the executions' (as it does now that a shape on counts
     * its reads too, to measure the database) every probe fell on the same execution modulo 4: all misses.
     */
    private long lookups;
    private int flips;

    ShapeJudgementTest() throws Exception {
        policy = JudgedPolicy.withNearCache(time);
        plan = JudgedPolicy.plan("SELECT v FROM t WHERE id = ?");
    }

    /** What a run of the statement costs the database, by its rank. */
    private interface DatabaseCost {
        long nanos(long run);
    }

    /**
     * One execution: skipped to the database while the policy says so, else a lookup costing {@code lookupNanos},
     * a hit three times in four (a miss runs on the database, as after a write).
     */
    private void execute(long execution, DatabaseCost database, long lookupNanos) {
        boolean wasOff = plan.shape().off;
        if (policy.admit(plan) != null) {
            policy.ran(plan, database.nanos(runs++));
        } else {
            boolean hit = lookups++ % 4 != 0;
            policy.lookedUp(plan, lookupNanos, hit);
            if (!hit) {
                policy.ran(plan, database.nanos(runs++));
            }
        }
        if (plan.shape().off != wasOff) {
            flips++;
        }
    }

    /**
     * Mostly 20 µs, one run in 32 far slower: a mean of 80 µs, so that a hit (three lookups in four) saves 60 µs
     * against a 60 µs lookup, between the lines to go off (48) and to come back (72). An exponential mean of weight
     * 1/16 swings from about 33 to 118 µs with every slow run, across both lines.
     */
    private static final DatabaseCost HEAVY_TAIL = run -> run % 32 == 31 ? 1_940_000 : 20_000;

    /**
     * A shape's first lookup is slow for reasons no later one shares (the JVM's first lookup: 6.7 ms where the rest
     * take 40 µs); the database takes 80 µs and three lookups in four hit. Worth it from the start: the first lookup
     * must not switch the shape off at its first judgement, averaged into a window of sixteen (a 455 µs mean).
     */
    @Test
    void aColdFirstLookupDoesNotSwitchTheShapeOff() {
        for (long i = 0; i < 64; i++) {
            execute(i, run -> 80_000, i == 0 ? 6_700_000 : 40_000);
        }
        assertFalse(plan.shape().off, "switched off on its cold first lookup; mean lookup "
                + plan.shape().lookupNanos + " ns");
        assertEquals(0, flips);
    }

    /**
     * Nine lookups in ten are near hits of 2 µs, of which the session times one in sixteen; the tenth goes to Redis
     * (500 µs, always timed) and misses, then runs on the database (100 µs). A lookup costs 51.8 µs on average and a
     * hit saves 90 µs: worth it. Counted one timed sample each, the Redis lookups would weigh sixteen times their share
     * (a mean of about 320 µs) and switch the shape off, taking its near hits away.
     */
    @Test
    void sampledNearHitsWeighAsManyLookupsAsTheyStandFor() {
        for (long i = 0; i < 20_000; i++) {
            if (policy.admit(plan) != null) {
                policy.ran(plan, 100_000);
            } else if (i % 10 == 9) {
                policy.lookedUp(plan, 500_000, false);
                policy.ran(plan, 100_000);
            } else if (i % 16 == 0) {
                policy.nearHitTimed(plan, 2_000);
            } else {
                policy.nearHitUntimed(plan);
            }
        }
        assertFalse(plan.shape().off, "a shape whose near hits save more than its lookups cost stays on");
        assertTrue(plan.shape().lookupNanos < 100_000, "mean lookup " + plan.shape().lookupNanos + " ns");
    }

    @Test
    void aDatabaseTimeSwingingAroundTheLineFlipsTheShapeOnlyAFewTimes() {
        for (long i = 0; i < 200_000; i++) {
            execute(i, HEAVY_TAIL, 60_000);
        }
        assertTrue(flips <= 6, "the shape flipped " + flips + " times in 200000 executions");
    }

    @Test
    void aRealChangeOfCostsFlipsTheShapeWithinABoundedNumberOfExecutionsEvenAfterFlapping() {
        // Costs that turn with the shape's state, the worst case: slow while it is off, fast while it is on (as a
        // near cache's shape off sees only its near hits). It switches at the end of every hold, which grows to the
        // longest. Then a database far slower than a lookup for good: on again within the longest hold and a few
        // windows; then far faster: off again within as many.
        long i = 0;
        for (; i < 200_000; i++) {
            execute(i, run -> plan.shape().off ? 5_000_000 : 20_000, 60_000);
        }
        // 9 holds from the shortest to the longest (about 33000 executions), then one switch per longest hold: 21.
        assertTrue(flips <= 30, "the shape flipped " + flips + " times in 200000 executions");
        assertEquals(CachePolicy.MAX_HOLD_JUDGEMENTS, plan.shape().hold, "held longest after " + flips + " switches");
        long bound = (long) (CachePolicy.MAX_HOLD_JUDGEMENTS + 2) * CachePolicy.JUDGE_EVERY
                + 8L * CostSamples.SIZE;
        long changed = i;
        for (; i < changed + bound && plan.shape().off; i++) {
            execute(i, run -> 5_000_000, 60_000);
        }
        assertFalse(plan.shape().off, "still off " + bound + " executions after the database became slow");
        changed = i;
        for (; i < changed + bound && !plan.shape().off; i++) {
            execute(i, run -> 5_000, 60_000);
        }
        assertTrue(plan.shape().off, "still on " + bound + " executions after the database became fast");
    }

    @Test
    void aShapeThatWasSteadyFollowsAChangeOfCostsWithinAFewHundredExecutions() {
        long i = 0;
        for (; i < 20_000; i++) {
            execute(i, run -> 5_000_000, 60_000);
        }
        assertFalse(plan.shape().off, "a slow database: cached");
        long changed = i;
        for (; i < changed + 1_000 && !plan.shape().off; i++) {
            execute(i, run -> 5_000, 60_000);
        }
        assertTrue(plan.shape().off, "off within 1000 executions of the database becoming fast: " + (i - changed));
        changed = i;
        for (; i < changed + 1_000 && plan.shape().off; i++) {
            execute(i, run -> 5_000_000, 60_000);
        }
        assertFalse(plan.shape().off, "on within 1000 executions of the database becoming slow: " + (i - changed));
    }
}
