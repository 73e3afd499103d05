package dev.sqlcache.driver;

import dev.sqlcache.stats.CacheStatistics;
import dev.sqlcache.stats.SqlCacheMetrics;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.sql.Connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MetricsTest extends RedisBackedTest {

    @Test
    void countersFollowWhatTheCacheDoes() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (Connection c = TestDatabase.H2.cached(settings())) {
            new SqlCacheMetrics(c.unwrap(SqlCacheConnection.class).statisticsSource(), Tags.of("db", "test"))
                    .bindTo(registry);
            double hits = registry.get("sqlcache.hits").tag("db", "test").functionCounter().count();
            double bypasses = registry.get("sqlcache.bypasses").tag("reason", "no_table").functionCounter().count();
            exec(c, "create table if not exists metered (v int)", "delete from metered", "insert into metered values (1)");
            rows(c, "select v from metered");
            rows(c, "select v from metered");
            rows(c, "select 1");
            assertEquals(hits + 1, registry.get("sqlcache.hits").functionCounter().count(), stats(c).toString());
            assertEquals(bypasses + 1, registry.get("sqlcache.bypasses").tag("reason", "no_table").functionCounter().count());
            assertTrue(registry.get("sqlcache.invalidations").functionCounter().count() >= 1);
            double ratio = registry.get("sqlcache.hit.ratio").gauge().value();
            assertTrue(ratio > 0 && ratio <= 1, "ratio " + ratio);
        }
    }

    @Test
    void timersByOutcomeHealthAndTablesFollowWhatTheCacheDoes() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (Connection c = TestDatabase.H2.cached(settings())) {
            SqlCacheConnection cache = c.unwrap(SqlCacheConnection.class);
            new SqlCacheMetrics(cache.statisticsSource(), cache::cacheHealthy, Tags.of("db", "timed"))
                    .bindTo(registry);
            exec(c, "create table if not exists timed_items (v int)", "delete from timed_items",
                    "insert into timed_items values (1)");
            CacheStatistics before = stats(c);
            double hitsTimed = registry.get("sqlcache.query").tag("outcome", "hit").functionTimer().count();
            double missesTimed = registry.get("sqlcache.query").tag("outcome", "miss").functionTimer().count();
            double bypassesTimed = registry.get("sqlcache.query").tag("outcome", "bypass").functionTimer().count();
            rows(c, "select v from timed_items");
            rows(c, "select v from timed_items");
            rows(c, "select v from timed_items");
            rows(c, "select 1");
            exec(c, "update timed_items set v = 2");

            assertEquals(hitsTimed + 2, registry.get("sqlcache.query").tag("outcome", "hit").functionTimer().count());
            assertEquals(missesTimed + 1, registry.get("sqlcache.query").tag("outcome", "miss").functionTimer().count());
            assertEquals(bypassesTimed + 1,
                    registry.get("sqlcache.query").tag("outcome", "bypass").functionTimer().count());
            assertTrue(registry.get("sqlcache.query").tag("outcome", "miss").functionTimer()
                    .totalTime(java.util.concurrent.TimeUnit.NANOSECONDS) > 0);
            assertEquals(1.0, registry.get("sqlcache.cache.healthy").gauge().value());
            assertEquals(0.0, registry.get("sqlcache.rejected").tag("reason", "too_large").functionCounter().count());

            CacheStatistics delta = stats(c).since(before);
            assertEquals(2, delta.hitLatency().count(), delta.toString());
            assertEquals(new dev.sqlcache.stats.TableStatistics(2, 1, 0, 1), delta.table("timed_items"),
                    delta.tables().toString());
        }
    }
}
