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
import org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration;
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
@AutoConfiguration(after = DataSourceAutoConfiguration.class)
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

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class})
    static class Actuator {
        @Bean
        @ConditionalOnEnabledHealthIndicator("sqlcache")
        HealthIndicator sqlcacheHealthIndicator(SqlCacheStatisticsSource source) {
            return new SqlCacheHealthIndicator(source);
        }

        @Bean
        @ConditionalOnAvailableEndpoint(endpoint = SqlCacheEndpoint.class)
        SqlCacheEndpoint sqlCacheEndpoint(SqlCacheStatisticsSource source) {
            return new SqlCacheEndpoint(source);
        }
    }
}
