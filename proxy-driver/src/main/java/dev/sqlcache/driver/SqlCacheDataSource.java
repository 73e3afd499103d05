package dev.sqlcache.driver;

import dev.sqlcache.internal.config.SqlCacheConfig;
import dev.sqlcache.internal.jdbc.ProxyConnections;
import dev.sqlcache.internal.runtime.CacheRuntime;
import dev.sqlcache.internal.runtime.CacheRuntimes;

import javax.sql.DataSource;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Puts sqlcache in front of any {@link DataSource}: {@code new SqlCacheDataSource(pgSimpleDataSource)} hands out
 * caching connections, and a pool can be given it as its data source. Wrap a data source that opens physical
 * connections (not a pool): a wrapped connection reads its session state once when it is opened.
 *
 * <p>Settings come from the environment and from the {@code sqlcache.*} map given here; the database is identified
 * by the URL its connections report.
 *
 * <p>From its first connection until {@link #close()} it holds the cache runtime of its store (Redis pool,
 * background thread, membership); close it when the application stops (Spring does, for a bean). Connections
 * still open keep the runtime until they close.
 */
public final class SqlCacheDataSource implements DataSource, AutoCloseable {

    private final DataSource delegate;
    private final SqlCacheConfig config;
    private CacheRuntime runtime;
    private boolean closed;

    /** Settings from the environment only. */
    public SqlCacheDataSource(DataSource delegate) throws SQLException {
        this(delegate, Map.of());
    }

    /**
     * @param settings {@code sqlcache.*} settings, overriding the environment
     * @throws SQLException with SQLState {@code HY024} when a setting is invalid
     */
    public SqlCacheDataSource(DataSource delegate, Map<String, String> settings) throws SQLException {
        this.delegate = delegate;
        this.config = SqlCacheDriver.configure(settings);
    }

    @Override
    public Connection getConnection() throws SQLException {
        hold();
        return wrap(delegate.getConnection());
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        hold();
        return wrap(delegate.getConnection(username, password));
    }

    private Connection wrap(Connection real) throws SQLException {
        String url;
        try {
            url = real.getMetaData().getURL();
        } catch (SQLException | RuntimeException e) {
            real.close();
            throw e;
        }
        if (url == null) {
            real.close();
            throw new SQLException("sqlcache: the data source's connections report no URL; set sqlcache.databaseId",
                    "HY024");
        }
        return ProxyConnections.open(real, config, url, Map.of());
    }

    private synchronized void hold() throws SQLException {
        if (closed) {
            throw new SQLException("sqlcache: this data source is closed", "08003");
        }
        if (runtime == null) {
            runtime = CacheRuntimes.acquire(config);
        }
    }

    /**
     * Lets go of the cache runtime: once no open connection holds it either, it delivers what it owes, leaves the
     * membership and stops its thread and Redis pool. Does not close the wrapped data source. Idempotent; the data
     * source hands out no connection afterwards.
     */
    @Override
    public synchronized void close() {
        closed = true;
        if (runtime != null) {
            CacheRuntimes.release(runtime);
            runtime = null;
        }
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return delegate.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        delegate.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        delegate.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return delegate.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return delegate.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        if (iface.isInstance(delegate)) {
            return iface.cast(delegate);
        }
        return delegate.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        return iface.isInstance(this) || iface.isInstance(delegate) || delegate.isWrapperFor(iface);
    }
}
