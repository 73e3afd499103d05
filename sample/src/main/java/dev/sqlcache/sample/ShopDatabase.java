package dev.sqlcache.sample;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

/**
 * One embedded H2 database and the two ways to reach it: {@code jdbc:h2:...} directly and
 * {@code jdbc:sqlcache:h2:...} through the caching driver. The only difference between the two pools is the URL
 * and the driver class, which is the whole point of sqlcache.
 */
final class ShopDatabase {

    static final String SQLCACHE_DRIVER = "dev.sqlcache.driver.SqlCacheDriver";

    private final String name;

    /**
     * @param name a database name; a fresh one per run keeps this run's cache keys apart from any other run's in a
     *             shared Redis, since sqlcache keys entries by database URL
     */
    ShopDatabase(String name) {
        this.name = name;
    }

    String name() {
        return name;
    }

    /** DB_CLOSE_DELAY=-1 keeps the in-memory database alive while no pool holds a connection. */
    String directUrl() {
        return "jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1";
    }

    String cachedUrl() {
        return "jdbc:sqlcache:" + directUrl().substring("jdbc:".length());
    }

    HikariDataSource directPool(int size) {
        return new HikariDataSource(config("direct-" + name, directUrl(), size));
    }

    /** @param settings {@code sqlcache.*} settings, passed as connection properties */
    HikariDataSource cachedPool(int size, Map<String, String> settings) {
        HikariConfig config = config("sqlcache-" + name, cachedUrl(), size);
        config.setDriverClassName(SQLCACHE_DRIVER);
        settings.forEach(config::addDataSourceProperty);
        return new HikariDataSource(config);
    }

    private static HikariConfig config(String poolName, String url, int size) {
        HikariConfig config = new HikariConfig();
        config.setPoolName(poolName);
        config.setJdbcUrl(url);
        config.setUsername("sa");
        config.setPassword("");
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(size);
        return config;
    }

    /** Frees the memory the database holds; the JVM may live on (exec:java runs inside Maven). */
    void drop() throws SQLException {
        try (Connection connection = DriverManager.getConnection("jdbc:h2:mem:" + name, "sa", "");
             Statement statement = connection.createStatement()) {
            statement.execute("SHUTDOWN");
        }
    }
}
