package dev.sqlcache.spring.boot;

import dev.sqlcache.stats.CacheHealth;
import dev.sqlcache.stats.CacheStatistics;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What both health indicators (Boot 3.5's and Boot 4's, whose health API lives in another package) report: always
 * UP, since the application works on the database when Redis fails, with {@code cache: unavailable} then.
 */
final class SqlCacheHealthDetails {

    private SqlCacheHealthDetails() {
    }

    static Map<String, Object> of(SqlCacheStatisticsSource source) {
        CacheHealth health = source.health();
        CacheStatistics statistics = source.get();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("cache", health.available() ? "available" : "unavailable: reads go to the database");
        details.put("store", health.store());
        details.put("reachable", health.reachable());
        details.put("member", health.member());
        details.put("members", health.members());
        details.put("caching", health.lapsedMembers() == 0 ? "allowed"
                : "stopped: " + health.lapsedMembers() + " member(s) lapsed, no JVM serves from the cache "
                + "until they join again or sqlcache.fenceTimeout passes");
        details.put("owedInvalidations", health.owedInvalidations());
        details.put("redisErrors", statistics.redisErrors());
        return details;
    }
}
