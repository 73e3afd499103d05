package dev.sqlcache.spring.boot;

import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;

/**
 * The cache's health: UP with {@code cache: available} when the store answers and no invalidation is owed to it;
 * otherwise still UP (the application keeps working on the database, which is what sqlcache is for when Redis
 * fails) with {@code cache: unavailable}, so that an orchestrator does not restart a working application for it.
 * Alert on the {@code sqlcache.cache.healthy} gauge or on these details instead.
 */
final class SqlCacheHealthIndicator extends AbstractHealthIndicator {

    private final SqlCacheStatisticsSource source;

    SqlCacheHealthIndicator(SqlCacheStatisticsSource source) {
        super("sqlcache health check failed");
        this.source = source;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        builder.up().withDetails(SqlCacheHealthDetails.of(source));
    }
}
