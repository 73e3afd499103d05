package dev.sqlcache.spring.boot;

import com.zaxxer.hikari.HikariDataSource;
import dev.sqlcache.driver.SqlCacheDriver;

import java.util.Map;

/**
 * Puts sqlcache under a HikariCP pool before it starts: the pool keeps pooling, and each physical connection it
 * opens goes through {@code jdbc:sqlcache:} with the settings as connection properties. Only loaded when HikariCP
 * is on the class path.
 */
final class HikariSupport {

    static final String PREFIX = SqlCacheSettings.URL_PREFIX;

    private HikariSupport() {
    }

    static boolean isHikari(Object bean) {
        return bean instanceof HikariDataSource;
    }

    /**
     * @return false when the pool can no longer be changed (started from a HikariConfig): the caller wraps it
     */
    static boolean routeThroughSqlCache(Object bean, Map<String, String> settings) {
        HikariDataSource hikari = (HikariDataSource) bean;
        String url = hikari.getJdbcUrl();
        if (url == null || !url.startsWith("jdbc:")) {
            return false;
        }
        try {
            if (!url.startsWith(PREFIX)) {
                hikari.setJdbcUrl(PREFIX + url.substring("jdbc:".length()));
                hikari.setDriverClassName(SqlCacheDriver.class.getName());
            }
            settings.forEach(hikari::addDataSourceProperty);
            return true;
        } catch (IllegalStateException sealed) {
            return false;
        }
    }

    static boolean usesSqlCache(Object bean) {
        String url = ((HikariDataSource) bean).getJdbcUrl();
        return url != null && url.startsWith(PREFIX);
    }
}
