package dev.sqlcache.internal.jdbc;

import dev.sqlcache.internal.analysis.DatabaseFamily;
import dev.sqlcache.internal.config.SqlCacheConfig;
import dev.sqlcache.internal.engine.CacheEngine;
import dev.sqlcache.internal.engine.DatabaseIdentity;
import dev.sqlcache.internal.engine.SessionCache;
import dev.sqlcache.internal.membership.Membership;
import dev.sqlcache.internal.runtime.CacheRuntime;
import dev.sqlcache.internal.runtime.CacheRuntimes;
import dev.sqlcache.stats.BypassReason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/** Wraps a freshly opened real connection, reading once the state the cache keys and transactions depend on. */
public final class ProxyConnections {

    private static final Logger LOG = LoggerFactory.getLogger(ProxyConnections.class);
    private static final AtomicBoolean BINARY_WARNED = new AtomicBoolean();

    private ProxyConnections() {
    }

    /**
     * @param real       the real driver's new connection; closed again if wrapping fails
     * @param config     validated settings
     * @param realUrl    the real driver's URL (sqlcache's prefix and settings removed)
     * @param properties the connection properties the real driver was given (credentials are ignored): settings
     *                   that change results are part of the keys
     */
    public static ProxyConnection open(Connection real, SqlCacheConfig config, String realUrl,
                                       Map<String, String> properties) throws SQLException {
        for (int attempt = 1; ; attempt++) {
            try {
                return open(real, config, realUrl, properties, attempt == OPEN_ATTEMPTS);
            } catch (Membership.LeftException left) {
                // The runtime acquired closed and left its membership (the shutdown hook) before this connection's
                // session opened: a fresh runtime replaces it, as acquire replaces one closing under it.
                if (attempt == OPEN_ATTEMPTS) {
                    throw new SQLException(left.getMessage(), "08001", left); // the real connection is closed
                }
                LOG.debug("sqlcache: {}; opening the connection on a fresh one", left.getMessage());
            }
        }
    }

    /** Runtimes tried by one connection: the hook closes the runtimes once, so the second one normally opens. */
    private static final int OPEN_ATTEMPTS = 3;

    /** @param last whether a runtime that left must fail the connection rather than be replaced again */
    private static ProxyConnection open(Connection real, SqlCacheConfig config, String realUrl,
                                        Map<String, String> properties, boolean last) throws SQLException {
        CacheRuntime runtime = null;
        SessionCache session = null;
        try {
            runtime = CacheRuntimes.acquire(config);
            CacheEngine engine = runtime.engine(config, realUrl);
            runtime.startChangeFeed(engine, realUrl, properties);
            runtime.reached(engine, realUrl, properties);
            SessionCache.SessionState state = new SessionCache.SessionState(real.getMetaData().getUserName(),
                    real.getCatalog(), ConnectionProbe.schema(real), real.getAutoCommit(),
                    real.getTransactionIsolation());
            session = engine.openSession(state, DatabaseIdentity.connectionSettings(realUrl, properties),
                    new MetadataSchemaInspector(real, engine.family()),
                    new RealSessionProbe(real, engine.family(), properties));
            if (engine.family() == DatabaseFamily.POSTGRES && ConnectionProbe.mayReturnBinaryResults(real)) {
                session.passThroughReads(BypassReason.DRIVER_SETTING);
                if (BINARY_WARNED.compareAndSet(false, true)) {
                    LOG.warn("sqlcache: a PostgreSQL connection has binaryTransfer on (a wrapped DataSource?); its "
                            + "reads pass through uncached. Set binaryTransfer=false on it to cache them.");
                }
            }
            return new ProxyConnection(real, session, runtime);
        } catch (SQLException | RuntimeException | Error e) {
            if (session != null) {
                // Counted open by the membership (and its lock registered): a session never closed would keep the
                // runtime from ever leaving.
                session.close();
            }
            if (runtime != null) {
                CacheRuntimes.release(runtime);
            }
            if (e instanceof Membership.LeftException && !last) {
                throw e; // the real connection stays open for the next runtime
            }
            try {
                real.close();
            } catch (SQLException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }
}
