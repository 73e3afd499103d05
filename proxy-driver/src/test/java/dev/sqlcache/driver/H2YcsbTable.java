package dev.sqlcache.driver;

import dev.sqlcache.stats.CacheStatistics;
import dev.sqlcache.testing.RedisServerFixture;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.UUID;

/**
 * The benchmark harness's YCSB table ({@code usertable}: {@code ycsb_key}, {@code field0}) in a private in-memory H2
 * database, reached through sqlcache on a private Redis with the table pinned on ({@code sqlcache.tablePolicy}), as
 * the tests that count what one YCSB statement costs Redis use it. Registered as an extension
 * ({@code @RegisterExtension}): each test gets a fresh Redis and a fresh database, and the Redis is stopped after it.
 */
final class H2YcsbTable implements BeforeEachCallback, AfterEachCallback {

    static final String TABLE = "usertable";

    private final String name;
    private final String urlOptions;
    private final String keyType;
    private final String rows;
    private RedisServerFixture redis;
    private String url;

    private H2YcsbTable(String name, String urlOptions, String keyType, String rows) {
        this.name = name;
        this.urlOptions = urlOptions;
        this.keyType = keyType;
        this.rows = rows;
    }

    /**
     * The table in a database named {@code name} plus a random suffix; {@code keyType} is the SQL type of
     * {@code ycsb_key}, {@code rows} the VALUES list inserted, {@code urlOptions} what follows the database's name in
     * its URL (each option starting with ';').
     */
    static H2YcsbTable of(String name, String urlOptions, String keyType, String rows) {
        return new H2YcsbTable(name, urlOptions, keyType, rows);
    }

    @Override
    public void beforeEach(ExtensionContext context) throws SQLException {
        redis = RedisServerFixture.start();
        url = "jdbc:h2:mem:" + name + "_" + UUID.randomUUID().toString().replace("-", "") + urlOptions;
        try (Connection c = plain(); Statement s = c.createStatement()) {
            s.execute("create table " + TABLE + "(ycsb_key " + keyType + " primary key, field0 varchar(100))");
            s.execute("insert into " + TABLE + " values " + rows);
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (redis != null) { // null when it did not start
            redis.close();
        }
    }

    /** The test's private Redis. */
    RedisServerFixture redis() {
        return redis;
    }

    /** Through sqlcache on the private Redis (TCP), the table pinned on. */
    Connection through() throws SQLException {
        Properties p = new Properties();
        p.putAll(redis.tcpProperties());
        p.setProperty("user", "sa");
        p.setProperty("password", "");
        p.setProperty("sqlcache.tablePolicy", TABLE + "=on");
        return DriverManager.getConnection("jdbc:sqlcache:" + url.substring("jdbc:".length()), p);
    }

    /** Straight to H2, bypassing sqlcache. */
    Connection plain() throws SQLException {
        return DriverManager.getConnection(url, "sa", "");
    }

    /** The statistics of the runtime behind a connection {@link #through} made. */
    static CacheStatistics stats(Connection c) throws SQLException {
        return c.unwrap(SqlCacheConnection.class).statistics();
    }
}
