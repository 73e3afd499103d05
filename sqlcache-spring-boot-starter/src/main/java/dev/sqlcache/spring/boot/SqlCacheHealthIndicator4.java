package dev.sqlcache.spring.boot;

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
        builder.up().withDetails(SqlCacheHealthDetails.of(source));
    }
}
