package dev.sqlcache.driver;

import javax.sql.DataSource;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;

/**
 * A data source that only hands out connections, the way a test's stand-in for a pool or a driver's data source
 * does: the rest of the interface answers as a plain one does (no log writer, no login timeout, not a wrapper).
 */
abstract class HandingDataSource implements DataSource {

    /** Where the connections come from. */
    @FunctionalInterface
    interface Source {
        Connection connection() throws SQLException;
    }

    /** Hands out what {@code source} gives, whatever the user asked for. */
    static HandingDataSource of(Source source) {
        return new HandingDataSource() {
            @Override
            public Connection getConnection() throws SQLException {
                return source.connection();
            }
        };
    }

    @Override
    public Connection getConnection(String user, String password) throws SQLException {
        return getConnection();
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
    }

    @Override
    public void setLoginTimeout(int seconds) {
    }

    @Override
    public int getLoginTimeout() {
        return 0;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException();
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        throw new SQLException("not a wrapper");
    }

    @Override
    public boolean isWrapperFor(Class<?> type) {
        return false;
    }
}
