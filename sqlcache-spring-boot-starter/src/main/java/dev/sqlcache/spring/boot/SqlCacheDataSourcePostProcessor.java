package dev.sqlcache.spring.boot;

import dev.sqlcache.driver.SqlCacheDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanCreationException;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;

import javax.sql.DataSource;
import java.sql.SQLException;
import java.util.Map;

/**
 * Puts sqlcache under every DataSource bean of the application, so that its JDBC URL does not change at all. A
 * HikariCP pool (Boot's default) is pointed at {@code jdbc:sqlcache:} + its own URL before it starts, which keeps
 * the pool above the cache; any other DataSource is wrapped in a {@link SqlCacheDataSource}. A DataSource already
 * on a {@code jdbc:sqlcache:} URL only gets the settings.
 */
final class SqlCacheDataSourcePostProcessor implements BeanPostProcessor {

    private static final Logger LOG = LoggerFactory.getLogger(SqlCacheDataSourcePostProcessor.class);
    private static final boolean HIKARI = ClassUtils.isPresent("com.zaxxer.hikari.HikariDataSource",
            SqlCacheDataSourcePostProcessor.class.getClassLoader());

    private final Environment environment;

    SqlCacheDataSourcePostProcessor(Environment environment) {
        this.environment = environment;
    }

    @Override
    public Object postProcessBeforeInitialization(Object bean, String beanName) throws BeansException {
        if (HIKARI && HikariSupport.isHikari(bean)) {
            if (HikariSupport.routeThroughSqlCache(bean, SqlCacheSettings.from(environment))) {
                LOG.debug("sqlcache: DataSource bean '{}' (HikariCP) connects through jdbc:sqlcache:", beanName);
            }
        }
        return bean;
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) throws BeansException {
        if (!(bean instanceof DataSource dataSource) || bean instanceof SqlCacheDataSource
                || bean instanceof SqlCacheBackedDataSource) {
            return bean;
        }
        if (HIKARI && HikariSupport.isHikari(bean) && HikariSupport.usesSqlCache(bean)) {
            return bean;
        }
        String url = environment.getProperty("spring.datasource.url");
        if (url != null && url.startsWith(SqlCacheSettings.URL_PREFIX)) {
            // The application already connects through sqlcache: wrapping again would cache twice.
            return bean;
        }
        Map<String, String> settings = SqlCacheSettings.from(environment);
        try {
            LOG.debug("sqlcache: DataSource bean '{}' ({}) wrapped", beanName, bean.getClass().getName());
            return new SqlCacheBackedDataSource(new SqlCacheDataSource(dataSource, settings), dataSource);
        } catch (SQLException e) {
            throw new BeanCreationException(beanName, "sqlcache: " + e.getMessage(), e);
        }
    }
}
