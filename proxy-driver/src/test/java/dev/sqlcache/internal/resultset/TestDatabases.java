package dev.sqlcache.internal.resultset;

import dev.sqlcache.testing.TestServices;

import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.util.Properties;

/**
 * Opens connections through the real drivers directly: DriverManager's service loading stops at the first
 * provider it cannot load, and this module declares the sqlcache driver built elsewhere.
 */
final class TestDatabases {
    static final String H2_URL = "jdbc:h2:mem:";
    static final String PG_URL = "jdbc:postgresql://" + TestServices.postgres().address() + "/"
            + TestServices.databaseName();
    static final String MARIADB_URL = "jdbc:mariadb://" + TestServices.mariadb().address() + "/"
            + TestServices.databaseName() + "?sslMode=disable";

    private TestDatabases() {
    }

    static Connection h2(String name) throws SQLException {
        return open(new org.h2.Driver(), H2_URL + name + ";DB_CLOSE_DELAY=-1", "sa", "");
    }

    /** PostgreSQL runs on this machine: unreachable is a failure with a clear message, never a skip. */
    static Connection postgresql() {
        return required(new org.postgresql.Driver(), PG_URL, "postgres", "");
    }

    static Connection mariadb() {
        return required(new org.mariadb.jdbc.Driver(), MARIADB_URL, "root", "");
    }

    private static Connection required(Driver driver, String url, String user, String password) {
        try {
            return open(driver, url, user, password);
        } catch (SQLException e) {
            throw new AssertionError("Database " + url + " is not reachable (" + e.getMessage()
                    + "); this test needs it running on this machine", e);
        }
    }

    private static Connection open(Driver driver, String url, String user, String password) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        Connection c = driver.connect(url, p);
        if (c == null) {
            throw new SQLException("driver " + driver + " does not accept " + url);
        }
        return c;
    }
}
