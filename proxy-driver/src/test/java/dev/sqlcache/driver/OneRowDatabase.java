package dev.sqlcache.driver;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A private in-memory H2 database holding one row (id 1, v 100), reached through sqlcache. Connections that name
 * different Redis addresses get different engines and stores, so in one test JVM they stand for separate JVMs
 * sharing the database (and, through a relay, the same Redis).
 */
final class OneRowDatabase {

    private final String url;
    private final String table;

    private OneRowDatabase(String table) throws SQLException {
        this.table = table;
        this.url = "jdbc:h2:mem:" + table + "_" + UUID.randomUUID().toString().replace("-", "") + ";DB_CLOSE_DELAY=-1";
        try (Connection c = plain(); Statement s = c.createStatement()) {
            s.execute("create table " + table + "(id int primary key, v int)");
            s.execute("insert into " + table + " values (1, 100)");
        }
    }

    static OneRowDatabase create(String table) throws SQLException {
        return new OneRowDatabase(table);
    }

    /** Through sqlcache, with Redis at 127.0.0.1:{@code port} and extra settings as name, value pairs. */
    Connection through(int port, String... settings) throws SQLException {
        return through(Map.of("sqlcache.redis.host", "127.0.0.1", "sqlcache.redis.port", Integer.toString(port)),
                settings);
    }

    /** Through sqlcache, with the given {@code sqlcache.redis.*} properties and extra settings. */
    Connection through(Map<String, String> redis, String... settings) throws SQLException {
        Properties p = new Properties();
        p.putAll(redis);
        p.setProperty("user", "sa");
        p.setProperty("password", "");
        for (int i = 0; i < settings.length; i += 2) {
            p.setProperty(settings[i], settings[i + 1]);
        }
        return DriverManager.getConnection("jdbc:sqlcache:" + url.substring("jdbc:".length()), p);
    }

    /** Straight to H2, bypassing sqlcache (a write nobody invalidates). */
    Connection plain() throws SQLException {
        return DriverManager.getConnection(url, "sa", "");
    }

    /** The row's value as the connection reads it. */
    int value(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select v from " + table + " where id = 1")) {
            assertTrue(rs.next());
            return rs.getInt(1);
        }
    }

    void update(Connection c, int v) throws SQLException {
        try (Statement s = c.createStatement()) {
            assertEquals(1, s.executeUpdate("update " + table + " set v = " + v + " where id = 1"));
        }
    }
}
