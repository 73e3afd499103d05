package dev.sqlcache.driver;

import dev.sqlcache.stats.SqlCacheMetrics;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The names Prometheus shows for sqlcache's meters follow Micrometer's conventions, and every name the Grafana
 * dashboard in docs/ queries is one of them.
 */
class PrometheusNamesTest extends RedisBackedTest {

    private static final Pattern NAME = Pattern.compile("\\bsqlcache_[a-z_]+");

    @Test
    void theScrapeShowsConventionalNamesAndTheDashboardQueriesOnlyThose() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        String scrape;
        try (Connection c = TestDatabase.H2.cached(settings())) {
            SqlCacheConnection cache = c.unwrap(SqlCacheConnection.class);
            new SqlCacheMetrics(cache.statisticsSource(), cache::cacheHealthy, cache::changeFeedLagMillis,
                    Tags.of("application", "shop")).bindTo(registry);
            exec(c, "create table if not exists scraped (v int)");
            rows(c, "select v from scraped");
            rows(c, "select v from scraped");
            scrape = registry.scrape();
        }
        for (String expected : new String[] {"sqlcache_hits_total", "sqlcache_misses_total", "sqlcache_stores_total",
                "sqlcache_invalidations_total", "sqlcache_redis_errors_total", "sqlcache_fence_waits_total",
                "sqlcache_bypasses_total{",
                "sqlcache_rejected_total{", "sqlcache_query_seconds_count{", "sqlcache_query_seconds_sum{",
                "sqlcache_hit_ratio{", "sqlcache_cache_healthy{",
                "sqlcache_table_invalidations_total{",
                // No change feed here: the gauge says -1.
                "sqlcache_changefeed_lag_seconds{application=\"shop\"} -1.0"}) {
            assertTrue(scrape.contains(expected), expected + " missing from:\n" + scrape);
        }
        assertTrue(scrape.contains("outcome=\"hit\""), scrape);

        Set<String> scraped = names(scrape);
        Set<String> queried = names(Files.readString(dashboard()));
        assertTrue(queried.size() >= 8, "the dashboard queries sqlcache's meters: " + queried);
        queried.removeAll(scraped);
        assertEquals(Set.of(), queried, "names the dashboard queries that Prometheus does not show");
    }

    private static Set<String> names(String text) {
        Set<String> names = new TreeSet<>();
        Matcher m = NAME.matcher(text);
        while (m.find()) {
            names.add(m.group());
        }
        return names;
    }

    private static Path dashboard() {
        Path here = Path.of("").toAbsolutePath();
        for (Path dir = here; dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("docs/grafana-dashboard.json");
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new AssertionError("docs/grafana-dashboard.json not found above " + here);
    }
}
