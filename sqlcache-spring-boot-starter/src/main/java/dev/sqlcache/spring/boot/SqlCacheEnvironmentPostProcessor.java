package dev.sqlcache.spring.boot;

import dev.sqlcache.driver.SqlCacheDriver;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

import java.util.Map;

/**
 * Boot picks the driver class from the URL's prefix and knows none for {@code jdbc:sqlcache:}: it would fail
 * ("Failed to determine a suitable driver class") or, with an embedded database on the class path, pick that one's
 * driver. For a {@code jdbc:sqlcache:} URL without {@code spring.datasource.driver-class-name}, this names
 * sqlcache's, at the lowest precedence, so the application never has to.
 */
public final class SqlCacheEnvironmentPostProcessor implements EnvironmentPostProcessor {

    static final String URL = "spring.datasource.url";
    static final String DRIVER = "spring.datasource.driver-class-name";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        String url = environment.getProperty(URL);
        if (url != null && url.startsWith(SqlCacheSettings.URL_PREFIX) && environment.getProperty(DRIVER) == null) {
            environment.getPropertySources().addLast(new MapPropertySource("sqlcache-driver",
                    Map.of(DRIVER, SqlCacheDriver.class.getName())));
        }
    }
}
