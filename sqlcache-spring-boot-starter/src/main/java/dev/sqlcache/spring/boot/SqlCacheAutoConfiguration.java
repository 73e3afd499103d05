package dev.sqlcache.spring.boot;

import dev.sqlcache.stats.SqlCacheMetrics;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

import javax.sql.DataSource;

/**
 * sqlcache under the application's DataSource, its meters in the application's MeterRegistry, a health contributor
 * and the {@code sqlcache} Actuator endpoint. Every {@code sqlcache.*} setting comes from the application's
 * configuration; {@code sqlcache.enabled=false} keeps the driver's meaning (reads go to the database, writes still
 * invalidate, so other JVMs that do cache stay correct).
 */
@AutoConfiguration(afterName = {
        // Boot 3, then Boot 4 (which moved it); the one that does not exist is ignored.
        "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration",
        "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration"})
@ConditionalOnClass(DataSource.class)
@ConditionalOnBean(DataSource.class)
public class SqlCacheAutoConfiguration {

    /** Static: a BeanPostProcessor must exist before the beans it processes. */
    @Bean
    static SqlCacheDataSourcePostProcessor sqlCacheDataSourcePostProcessor(Environment environment) {
        return new SqlCacheDataSourcePostProcessor(environment);
    }

    @Bean
    @ConditionalOnMissingBean
    SqlCacheStatisticsSource sqlCacheStatisticsSource(ObjectProvider<DataSource> dataSources) {
        return new SqlCacheStatisticsSource(dataSources.getIfUnique());
    }

    /** Boot binds every MeterBinder bean to every MeterRegistry it configures. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(MeterBinder.class)
    static class Metrics {
        @Bean
        MeterBinder sqlCacheMeterBinder(SqlCacheStatisticsSource source) {
            return new SqlCacheMetrics(source, source::healthy, Tags.empty());
        }
    }

    /** Boot 3's health API. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = {"org.springframework.boot.actuate.health.AbstractHealthIndicator",
            "org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator"})
    static class Boot3Health {
        @Bean
        @ConditionalOnEnabledHealthIndicator("sqlcache")
        HealthIndicator sqlcacheHealthIndicator(SqlCacheStatisticsSource source) {
            return new SqlCacheHealthIndicator(source);
        }
    }

    /** Boot 4's health API (org.springframework.boot.health); EnvironmentPostProcessor's new home marks Boot 4. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = {"org.springframework.boot.health.contributor.AbstractHealthIndicator",
            "org.springframework.boot.EnvironmentPostProcessor"})
    static class Boot4Health {
        @Bean
        @org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator("sqlcache")
        org.springframework.boot.health.contributor.HealthIndicator sqlcacheHealthIndicator(
                SqlCacheStatisticsSource source) {
            return new SqlCacheHealthIndicator4(source);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = {"org.springframework.boot.actuate.endpoint.annotation.Endpoint",
            "org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint"})
    static class ActuatorEndpoint {
        @Bean
        @ConditionalOnAvailableEndpoint(endpoint = SqlCacheEndpoint.class)
        SqlCacheEndpoint sqlCacheEndpoint(SqlCacheStatisticsSource source) {
            return new SqlCacheEndpoint(source);
        }
    }
}
