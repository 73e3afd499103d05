package dev.sqlcache.spring.boot;

import dev.sqlcache.driver.SqlCacheDataSource;

import javax.sql.DataSource;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;

/**
 * The application's DataSource (a pool other than HikariCP, or one started before sqlcache could get under it)
 * with sqlcache in front: a {@link SqlCacheDataSource} whose {@code close()}, which Spring calls on shutdown, also
 * closes the application's pool.
 */
final class SqlCacheBackedDataSource implements DataSource, AutoCloseable {

    private final SqlCacheDataSource cache;
    private final DataSource original;

    SqlCacheBackedDataSource(SqlCacheDataSource cache, DataSource original) {
        this.cache = cache;
        this.original = original;
    }

    @Override
    public Connection getConnection() throws SQLException {
        return cache.getConnection();
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return cache.getConnection(username, password);
    }

    @Override
    public void close() throws Exception {
        try {
            cache.close();
        } finally {
            if (original instanceof AutoCloseable closeable) {
                closeable.close();
            }
        }
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return cache.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        cache.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        cache.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return cache.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return cache.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        return iface.isInstance(this) ? iface.cast(this) : cache.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        return iface.isInstance(this) || cache.isWrapperFor(iface);
    }
}
