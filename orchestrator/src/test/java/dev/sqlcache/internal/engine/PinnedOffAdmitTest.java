package dev.sqlcache.internal.engine;

import dev.sqlcache.internal.config.SqlCacheConfig;
import dev.sqlcache.internal.runtime.CacheRuntime;
import dev.sqlcache.internal.runtime.RuntimeKey;
import dev.sqlcache.internal.store.InMemoryCacheStore;
import dev.sqlcache.stats.BypassReason;
import dev.sqlcache.testing.ManualTime;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A read of a table {@code sqlcache.tablePolicy} pins off goes to the database on every execution: the policy
 * resolves the pins of its shape once, as it does for a shape pinned on, instead of matching every table name
 * against every rule's pattern again per read (session 28: a regular expression's matcher and more per
 * pass-through). Counted as the bytes this thread allocates, which a shape resolved once makes zero.
 */
class PinnedOffAdmitTest {

    private static final int READS = 20_000;

    private static CacheEngine engine(String policy) throws Exception {
        SqlCacheConfig config = SqlCacheConfig.load(Map.of(),
                Map.of("sqlcache.store", "memory", "sqlcache.tablePolicy", policy));
        ManualTime time = new ManualTime();
        CacheRuntime runtime = new CacheRuntime(RuntimeKey.of(config), new InMemoryCacheStore(1 << 20, time), time,
                time.lane(), Runnable::run);
        return runtime.engine(config, "jdbc:postgresql://h/db");
    }

    @Test
    void aShapePinnedOffIsResolvedOnceAndAllocatesNothingPerRead() throws Exception {
        CacheEngine engine = engine("audit_*=off,t=on");
        QueryPlan off = engine.plan("select a.v from audit_log a join t on t.id = a.id where a.id = ?");
        QueryPlan on = engine.plan("select v from t where id = ?");
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long allocated = 0;
        for (int pass = 0; pass < 3; pass++) {
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < READS; i++) {
                if (engine.policy().admit(off) != BypassReason.TABLE_POLICY) {
                    throw new AssertionError("a table pinned off must keep the read off the cache");
                }
            }
            allocated = threads.getCurrentThreadAllocatedBytes() - before;
        }
        // The last pass, compiled: nothing per read (a few hundred bytes of slack for the JIT's own doings).
        assertTrue(allocated < 1_024, allocated + " bytes over " + READS + " reads of a shape pinned off");
        assertNull(engine.policy().admit(on), "a table pinned on is still admitted");
        assertEquals(BypassReason.TABLE_POLICY, engine.policy().admit(off));
    }
}
