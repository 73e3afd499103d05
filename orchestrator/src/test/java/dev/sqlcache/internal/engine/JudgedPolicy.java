package dev.sqlcache.internal.engine;

import dev.sqlcache.internal.analysis.DatabaseFamily;
import dev.sqlcache.internal.analysis.QueryAnalyzer;
import dev.sqlcache.internal.config.InvalidConfigurationException;
import dev.sqlcache.internal.config.SqlCacheConfig;
import dev.sqlcache.testing.ManualTime;
import java.util.Map;

/**
 * What the tests of the policy's judgement share: the policy of a JVM with a near cache (a shape off does not switch
 * its tables off, so only the shape's own judgement moves), on the test's time, and plans of bare statements, with
 * no version keys and the default time to live, that drive it as {@code SessionCache} does.
 */
final class JudgedPolicy {

    private JudgedPolicy() {
    }

    /** The default table policy (memory store), as with a near cache, reading {@code time}. */
    static CachePolicy withNearCache(ManualTime time) throws InvalidConfigurationException {
        return new CachePolicy(SqlCacheConfig.load(Map.of(), Map.of("sqlcache.store", "memory")).tablePolicy(), time,
                false);
    }

    /** {@code sql} analyzed for PostgreSQL, its parameters counted by its {@code ?}s. */
    static QueryPlan plan(String sql) {
        int parameters = (int) sql.chars().filter(c -> c == '?').count();
        return new QueryPlan(new QueryAnalyzer(DatabaseFamily.POSTGRES, 10).analyze(sql), new String[0],
                new String[0], false, parameters, 300, false, false, null);
    }
}
