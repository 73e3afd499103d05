package dev.sqlcache.internal.jdbc;

import java.sql.Connection;
import java.sql.SQLException;

/** Reads connection state that older drivers may not implement. */
final class ConnectionProbe {

    private ConnectionProbe() {
    }

    /** pgjdbc's type id of float8, one of the types it reads in binary when binary transfer is on. */
    private static final int FLOAT8_OID = 701;

    /**
     * Whether pgjdbc may hand this connection results in binary form (its {@code binaryTransfer} setting, on by
     * default): then getters answer differently once a statement has run {@code prepareThreshold} times, and a
     * cached answer cannot know which form applies. The driver path turns it off; a wrapped DataSource may not.
     * Asked once per connection through pgjdbc's own interfaces; anything unexpected counts as "may".
     */
    static boolean mayReturnBinaryResults(Connection connection) {
        try {
            Class<?> base = Class.forName("org.postgresql.core.BaseConnection", false,
                    connection.getClass().getClassLoader());
            if (!connection.isWrapperFor(base)) {
                return true;
            }
            Object pg = connection.unwrap(base);
            Object executor = base.getMethod("getQueryExecutor").invoke(pg);
            Class<?> executorType = Class.forName("org.postgresql.core.QueryExecutor", false, base.getClassLoader());
            return (Boolean) executorType.getMethod("useBinaryForReceive", int.class).invoke(executor, FLOAT8_OID);
        } catch (ReflectiveOperationException | SQLException | RuntimeException | LinkageError e) {
            return true;
        }
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
