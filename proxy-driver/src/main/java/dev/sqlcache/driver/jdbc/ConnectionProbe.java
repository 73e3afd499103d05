package dev.sqlcache.driver.jdbc;

import java.sql.Connection;
import java.sql.SQLException;

/** Reads connection state that older drivers may not implement. */
final class ConnectionProbe {

    private ConnectionProbe() {
    }

    /** {@code getSchema()}, or null from a pre-JDBC-4.1 driver that does not have it. */
    static String schema(Connection connection) throws SQLException {
        try {
            return connection.getSchema();
        } catch (AbstractMethodError | java.sql.SQLFeatureNotSupportedException e) {
            return null;
        }
    }
}
