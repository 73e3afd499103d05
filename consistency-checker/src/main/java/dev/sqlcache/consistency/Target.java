package dev.sqlcache.consistency;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Properties;

/** A database the checker runs against: its real JDBC URL and credentials, and how to reach it through sqlcache. */
public record Target(String name, String url, String user, String password) {

    /** {@code test}, or {@code CACHETEST_DB}: two checkouts can then run the checker side by side. */
    public static final String DATABASE = System.getenv().getOrDefault("CACHETEST_DB", "test");
    public static final String POSTGRES_URL = "jdbc:postgresql://127.0.0.1:5432/" + DATABASE;
    public static final String MARIADB_URL = "jdbc:mariadb://127.0.0.1:3306/" + DATABASE + "?sslMode=disable";

    public static Target postgres() {
        return new Target("postgresql", POSTGRES_URL, "postgres", "");
    }

    public static Target mariadb() {
        return new Target("mariadb", MARIADB_URL, "root", "");
    }

    /** An H2 database served by an H2 TCP server on loopback, so that two JVMs share it. */
    public static Target h2Server(int port, String database) {
        return new Target("h2", "jdbc:h2:tcp://127.0.0.1:" + port + "/mem:" + database + ";DB_CLOSE_DELAY=-1",
                "sa", "");
    }

    public String cacheUrl() {
        return "jdbc:sqlcache:" + url.substring("jdbc:".length());
    }

    /** A connection straight to the database, bypassing sqlcache: for setup and for the checker's own truth. */
    public Connection raw() throws SQLException {
        return DriverManager.getConnection(url, user, password);
    }

    /** A connection through sqlcache with these {@code sqlcache.*} settings (Redis address, TTL ...). */
    public Connection cached(Map<String, String> settings) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", user);
        properties.setProperty("password", password);
        settings.forEach(properties::setProperty);
        return DriverManager.getConnection(cacheUrl(), properties);
    }

    /** Fails with a message naming the service when the database does not answer. */
    public void requireReachable() {
        try (Connection c = raw(); Statement s = c.createStatement()) {
            s.execute("SELECT 1");
        } catch (SQLException e) {
            throw new IllegalStateException(name + " is required at " + url + " (user " + user + "): " + e.getMessage()
                    + ". Start it (see .ci/run) and run again.", e);
        }
    }

    public boolean isPostgres() {
        return name.equals("postgresql");
    }

    /** Whether sqlcache serves REPEATABLE READ transactions from the cache here: PostgreSQL and MariaDB, not H2. */
    public boolean hasSnapshotReads() {
        return !name.equals("h2");
    }

    /** Whether {@code createArrayOf} and {@code = ANY(?)} work: PostgreSQL and H2, not MariaDB. */
    public boolean hasArrays() {
        return !name.equals("mariadb");
    }
}
