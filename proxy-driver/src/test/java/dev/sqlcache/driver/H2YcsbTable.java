package dev.sqlcache.driver;

import dev.sqlcache.stats.CacheStatistics;
import dev.sqlcache.testing.RedisServerFixture;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.UUID;

/**
 * The benchmark harness's YCSB table ({@code usertable}: {@code ycsb_key}, {@code field0}) in a private in-memory H2
 * database, reached through sqlcache on a given Redis with the table pinned on ({@code sqlcache.tablePolicy}), as the
 * tests that count what one YCSB statement costs Redis use it.
 */
final class H2YcsbTable {

    static final String TABLE = "usertable";

    private final String url;

    private H2YcsbTable(String url) {
        this.url = url;
    }

    /**
     * Creates the table in a fresh database named {@code name} plus a random suffix; {@code keyType} is the SQL type of
     * {@code ycsb_key}, {@code rows} the VALUES list inserted, {@code urlOptions} what follows the database's name in
     * its URL (each starting with ';').
     */
    static H2YcsbTable create(String name, String urlOptions, String keyType, String rows) throws SQLException {
        H2YcsbTable table = new H2YcsbTable("jdbc:h2:mem:" + name + "_" + UUID.randomUUID().toString().replace("-", "")
                + urlOptions);
        try (Connection c = table.plain(); Statement s = c.createStatement()) {
            s.execute("create table " + TABLE + "(ycsb_key " + keyType + " primary key, field0 varchar(100))");
            s.execute("insert into " + TABLE + " values " + rows);
        }
        return table;
    }

    /** Through sqlcache on {@code redis} (TCP), the table pinned on. */
    Connection through(RedisServerFixture redis) throws SQLException {
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
