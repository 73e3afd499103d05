package dev.sqlcache.spring.boot;

import dev.sqlcache.stats.CacheHealth;
import dev.sqlcache.stats.CacheStatistics;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * {@link SqlCacheHealthIndicator} for Spring Boot 4, whose health API moved to {@code org.springframework.boot.health}:
 * the same details, the same choice of never reporting DOWN (the application works on the database when Redis fails).
 */
final class SqlCacheHealthIndicator4 extends AbstractHealthIndicator {

    private final SqlCacheStatisticsSource source;

    SqlCacheHealthIndicator4(SqlCacheStatisticsSource source) {
        super("sqlcache health check failed");
        this.source = source;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        CacheHealth health = source.health();
        CacheStatistics statistics = source.get();
        builder.up()
                .withDetail("cache", health.available() ? "available" : "unavailable: reads go to the database")
                .withDetail("store", health.store())
                .withDetail("reachable", health.reachable())
                .withDetail("member", health.member())
                .withDetail("members", health.members())
                .withDetail("caching", health.lapsedMembers() == 0 ? "allowed"
                        : "stopped: " + health.lapsedMembers() + " member(s) lapsed, no JVM serves from the cache "
                        + "until they join again or sqlcache.fenceTimeout passes")
                .withDetail("owedInvalidations", health.owedInvalidations())
                .withDetail("redisErrors", statistics.redisErrors());
    }
}
