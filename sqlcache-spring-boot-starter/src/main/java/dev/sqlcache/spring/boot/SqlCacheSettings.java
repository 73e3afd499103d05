package dev.sqlcache.spring.boot;

import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.Environment;
import org.springframework.core.env.PropertySource;

import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code sqlcache.*} settings of the application's configuration (application.properties or yaml, command line,
 * system properties, ...), with Spring's precedence, under the driver's own names. The driver validates them when
 * it connects: a misspelt name fails the first connection with SQLState HY024 naming the closest setting.
 * Environment variables ({@code SQLCACHE_TTL}, {@code REDIS_HOST}, ...) are not copied: the driver reads them itself.
 */
final class SqlCacheSettings {

    static final String PREFIX = "sqlcache.";
    static final String URL_PREFIX = "jdbc:sqlcache:";

    private SqlCacheSettings() {
    }

    static Map<String, String> from(Environment environment) {
        Map<String, String> settings = new TreeMap<>();
        if (!(environment instanceof ConfigurableEnvironment configurable)) {
            return settings;
        }
        for (PropertySource<?> source : configurable.getPropertySources()) {
            if (source instanceof EnumerablePropertySource<?> enumerable) {
                for (String name : enumerable.getPropertyNames()) {
                    if (name.startsWith(PREFIX) && !settings.containsKey(name)) {
                        // Through the environment, so that placeholders resolve and the first source wins.
                        String value = environment.getProperty(name);
                        if (value != null) {
                            settings.put(name, value);
                        }
                    }
                }
            }
        }
        return settings;
    }
}
