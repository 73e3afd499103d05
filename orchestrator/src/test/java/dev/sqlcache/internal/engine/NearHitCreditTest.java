package dev.sqlcache.internal.engine;

import dev.sqlcache.internal.config.SqlCacheConfig;
import dev.sqlcache.internal.runtime.CacheRuntime;
import dev.sqlcache.internal.runtime.RuntimeKey;
import dev.sqlcache.internal.store.InMemoryCacheStore;
import dev.sqlcache.testing.ManualTime;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Near hits are timed one in {@link CachePolicy#TIMED_EVERY}; the others are credited to the policy without a time
 * of their own. They must be credited at what a near hit costs, not at the shape's average lookup, which the timed
 * Redis lookups (every miss) dominate once fifteen near hits in sixteen no longer pull it down: a shape whose near
 * hits save most of a fast database's time would go off (and stay off: its probes alone bring it back).
 */
class NearHitCreditTest {

    private static final long DATABASE = 10_000;
    private static final long REDIS_LOOKUP = 60_000;
    private static final long NEAR_LOOKUP = 3_000;

    @Test
    void aShapeServedMostlyFromTheNearCacheStaysOnWhenItsNearHitsAreSampled() throws Exception {
        ManualTime time = new ManualTime();
        SqlCacheConfig config = SqlCacheConfig.load(Map.of(), Map.of("sqlcache.store", "memory"));
        CacheRuntime runtime = new CacheRuntime(RuntimeKey.of(config),
                new InMemoryCacheStore(1 << 20, time), time, time.lane(), Runnable::run);
        QueryPlan plan = runtime.engine(config, "jdbc:h2:mem:credit").plan("select v from t where id = ?");
        // The policy of an engine with a near cache (its tables are not switched off by shape).
        CachePolicy policy = new CachePolicy(config.tablePolicy(), time, false);
        CachePolicy.Sampler sampler = new CachePolicy.Sampler(1);
        // Primary-key reads on a fast database: each key misses once (a Redis lookup, then the query), and is then
        // read 31 times more from the near cache. Every near hit saves 7 of the database's 10 µs.
        for (int key = 0; key < 200; key++) {
            policy.lookedUp(plan, REDIS_LOOKUP, false);
            policy.ran(plan, DATABASE);
            for (int i = 0; i < 31; i++) {
                // As SessionCache does: the policy's sampler says which near hits are timed.
                if (sampler.timesNearRead(plan)) {
                    nearHitTimed(policy, plan, NEAR_LOOKUP);
                } else {
                    policy.nearHitUntimed(plan);
                }
            }
            assertFalse(plan.shape().off, "after " + key + " keys: a near hit saves " + (DATABASE - NEAR_LOOKUP)
                    + " ns of " + DATABASE + ", yet the lookup is weighed at " + (long) plan.shape().lookupNanos
                    + " ns");
        }
    }

    /** What SessionCache tells the policy of a timed near hit. */
    private static void nearHitTimed(CachePolicy policy, QueryPlan plan, long nanos) {
        policy.nearHitTimed(plan, nanos);
    }
}
