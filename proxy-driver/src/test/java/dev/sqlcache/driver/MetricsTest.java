package dev.sqlcache.driver;

import dev.sqlcache.stats.CacheStatistics;
import dev.sqlcache.stats.SqlCacheMetrics;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
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
            // Bypasses (and near hits) are timed one in 16 (CachePolicy.TIMED_EVERY): enough of them that the
            // sample cannot be empty (a chance of (15/16)^320, about 1e-9).
            int bypassed = 320;
            for (int i = 0; i < bypassed; i++) {
                rows(c, "select 1");
            }
            exec(c, "update timed_items set v = 2");
            CacheStatistics counted = stats(c).since(before);
            long storeHits = counted.hits() - counted.nearHits();

            double hitTimer = registry.get("sqlcache.query").tag("outcome", "hit").functionTimer().count() - hitsTimed;
            assertTrue(hitTimer >= storeHits && hitTimer <= 2, "every hit from the store timed: " + counted);
            assertEquals(missesTimed + 1, registry.get("sqlcache.query").tag("outcome", "miss").functionTimer().count());
            double bypassTimer =
                    registry.get("sqlcache.query").tag("outcome", "bypass").functionTimer().count() - bypassesTimed;
            assertTrue(bypassTimer > 0 && bypassTimer < bypassed / 4.0, "a sample of the bypasses: " + bypassTimer);
            assertTrue(registry.get("sqlcache.query").tag("outcome", "miss").functionTimer()
                    .totalTime(java.util.concurrent.TimeUnit.NANOSECONDS) > 0);
            assertEquals(1.0, registry.get("sqlcache.cache.healthy").gauge().value());
            assertEquals(0.0, registry.get("sqlcache.rejected").tag("reason", "too_large").functionCounter().count());

            CacheStatistics delta = stats(c).since(before);
            assertTrue(delta.hitLatency().count() >= storeHits && delta.hitLatency().count() <= 2, delta.toString());
            assertEquals(new dev.sqlcache.stats.TableStatistics(2, 1, 0, 1), delta.table("timed_items"),
                    delta.tables().toString());
        }
    }

    @Test
    void invalidationsByTableHaveASeriesForTheFirstTablesWrittenAndTheRestUnderOther() throws Exception {
        String database = "by_table_" + UUID.randomUUID().toString().replace("-", "");
        String realUrl = "jdbc:h2:mem:" + database + ";DB_CLOSE_DELAY=-1";
        try (Connection direct = DriverManager.getConnection(realUrl, "sa", "")) {
            // Made behind sqlcache's back, so that no table is invalidated before the registry is bound.
            exec(direct, "create table orders (v int)", "create table items (v int)", "create table notes (v int)");
        }
        Properties properties = settings("user", "sa", "password", "");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (Connection c = DriverManager.getConnection("jdbc:sqlcache:" + realUrl.substring(5), properties)) {
            SqlCacheConnection cache = c.unwrap(SqlCacheConnection.class);
            new SqlCacheMetrics(cache.statisticsSource(), null, Tags.of("db", "by_table"), 2).bindTo(registry);
            assertEquals(Set.of("(other)"), tableTags(registry), "no table written yet");

            exec(c, "insert into orders values (1)", "insert into orders values (2)", "insert into items values (1)");
            assertEquals(0.0, other(registry), "two tables, two series: nothing pooled");
            assertEquals(Set.of("(other)", "items", "orders"), tableTags(registry));
            CacheStatistics now = stats(c);
            assertTrue(now.table("orders").invalidations() >= 2, now.tables().toString());
            assertEquals(now.table("orders").invalidations(), series(registry, "orders"));
            assertEquals(now.table("items").invalidations(), series(registry, "items"));

            exec(c, "insert into notes values (1)");
            now = stats(c);
            assertTrue(now.table("notes").invalidations() > 0, now.tables().toString());
            assertEquals(now.table("notes").invalidations(), other(registry), "the third table is pooled");
            assertEquals(Set.of("(other)", "items", "orders"), tableTags(registry), "bounded to two tables");
            assertNull(registry.find("sqlcache.table.invalidations").tag("table", "notes").functionCounter());

            double orders = series(registry, "orders");
            double pooled = other(registry);
            exec(c, "update orders set v = 3");
            assertTrue(series(registry, "orders") > orders, "a table's own series counts its writes");
            assertEquals(pooled, other(registry), "and (other) does not");
            assertTrue(stats(c).invalidations() >= series(registry, "orders") + series(registry, "items")
                    + other(registry), "no table counted twice: " + stats(c));
        }
    }

    private static double other(SimpleMeterRegistry registry) {
        return series(registry, "(other)");
    }

    private static double series(SimpleMeterRegistry registry, String table) {
        return registry.get("sqlcache.table.invalidations").tag("table", table).functionCounter().count();
    }

    private static Set<String> tableTags(SimpleMeterRegistry registry) {
        Set<String> tables = new TreeSet<>();
        registry.find("sqlcache.table.invalidations").functionCounters()
                .forEach(counter -> tables.add(counter.getId().getTag("table")));
        return tables;
    }
}
