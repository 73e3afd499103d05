package dev.sqlcache.internal.engine;

import dev.sqlcache.internal.config.SqlCacheConfig;
import dev.sqlcache.stats.BypassReason;
import dev.sqlcache.stats.PolicySwitches;
import dev.sqlcache.testing.ManualTime;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * A shape whose every read is a near hit (about 1 µs) against a database of tens of µs must stay on (issue #10,
 * session 27: ycsb-100-0's near target switched 21 times off and 21 times on in a round of 8.8 million reads that
 * were all near hits, with no Redis lookup and no bypass). With every execution a near hit the judgement weighs
 * the database against a near hit alone, whatever the Redis lookups cost; only a near share read torn (the
 * executions from before a decay, the near hits from after it) brings the stale Redis estimate in. Drives
 * {@link CachePolicy} as {@code SessionCache} does in a JVM with a near cache: a cold warm-up whose Redis lookups took
 * 5 ms and never hit (every key's first), then near hits only, the policy's measuring reads going to the database.
 */
class NearShapeStaysOnTest {

    private static final long DATABASE = 40_000;
    private static final long COLD_REDIS = 5_000_000;
    private static final long NEAR = 1_000;

    private final ManualTime time = new ManualTime();
    private final StatisticsRecorder statistics = new StatisticsRecorder();
    private final CachePolicy policy;
    private final QueryPlan read = JudgedPolicy.plan("SELECT v FROM t WHERE id = ?");

    NearShapeStaysOnTest() throws Exception {
        policy = new CachePolicy(SqlCacheConfig.load(Map.of(), Map.of("sqlcache.store", "memory")).tablePolicy(),
                time, false, statistics);
    }

    /** A cold JVM's first reads: one key in five new (a 5 ms Redis lookup that finds nothing, then the database). */
    private void warmUp() {
        CachePolicy.Sampler sampler = new CachePolicy.Sampler(3);
        for (int n = 0; n < 4_000; n++) {
            BypassReason why = policy.admit(read);
            if (why == BypassReason.MEASURING_DATABASE) {
                policy.ran(read, DATABASE);
            } else if (n % 5 == 0 && why == null) {
                policy.lookedUp(read, COLD_REDIS, false, true);
                policy.ran(read, DATABASE);
            } else {
                nearHit(sampler);
            }
            time.advanceNanos(NEAR);
        }
        // Past its youth: what follows is a grown shape's steady state.
        time.advanceNanos(CachePolicy.YOUNG_NANOS);
    }

    /** One read of a key the near cache holds: a near hit, unless the policy sends it to the database to measure. */
    private void read(CachePolicy.Sampler sampler) {
        if (policy.admit(read) == BypassReason.MEASURING_DATABASE) {
            policy.ran(read, DATABASE);
        } else {
            nearHit(sampler);
        }
    }

    private void nearHit(CachePolicy.Sampler sampler) {
        if (sampler.timesNearRead(read)) {
            policy.nearHitTimed(read, NEAR);
        } else {
            policy.nearHitUntimed(read);
        }
    }

    /** One thread: on from the warm-up's end and never switched again (the premise of the test below). */
    @Test
    void oneThreadOfNearHitsKeepsItsShapeOn() {
        warmUp();
        assertFalse(read.shape().off, "on after the warm-up (the premise)");
        PolicySwitches before = statistics.snapshot().policy();
        CachePolicy.Sampler sampler = new CachePolicy.Sampler(5);
        for (int n = 0; n < 4_000_000; n++) {
            read(sampler);
        }
        assertEquals(before, statistics.snapshot().policy());
        assertFalse(read.shape().off);
    }

    /**
     * Four client threads, as the harness runs: every read a near hit, counted from four threads at once. Before the
     * counts were one long, a judgement could read the executions from before another thread's decay and the near
     * hits from after it (or a thread's count write back such a mix): a near share of one half, at which the 5 ms
     * Redis estimate outweighs the database, and the shape went off, to come back at the next judgement. Racy by
     * nature: how often a race shows depends on how much the threads run at once (on two idle cores they do).
     */
    @Test
    void fourThreadsOfNearHitsKeepTheirShapeOn() throws Exception {
        warmUp();
        assertFalse(read.shape().off, "on after the warm-up (the premise)");
        PolicySwitches before = statistics.snapshot().policy();
        Thread[] threads = new Thread[4];
        for (int t = 0; t < threads.length; t++) {
            CachePolicy.Sampler sampler = new CachePolicy.Sampler(11 + t);
            threads[t] = new Thread(() -> {
                for (int n = 0; n < 5_000_000; n++) {
                    read(sampler);
                }
            }, "near-client-" + t);
            threads[t].start();
        }
        for (Thread thread : threads) {
            thread.join(600_000);
        }
        assertEquals(before, statistics.snapshot().policy(), "switches while every read was a near hit");
        assertFalse(read.shape().off);
    }
}
