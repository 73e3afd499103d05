package dev.sqlcache.driver;

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
}
