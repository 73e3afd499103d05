package dev.sqlcache.internal.jdbc;

import dev.sqlcache.internal.analysis.DatabaseFamily;
import dev.sqlcache.internal.config.SqlCacheConfig;
import dev.sqlcache.internal.engine.CacheEngine;
import dev.sqlcache.internal.engine.CacheEngines;
import dev.sqlcache.internal.engine.DatabaseIdentity;
import dev.sqlcache.internal.engine.SessionCache;
import dev.sqlcache.stats.BypassReason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicBoolean;

/** Wraps a freshly opened real connection, reading once the state the cache keys and transactions depend on. */
public final class ProxyConnections {

    private static final Logger LOG = LoggerFactory.getLogger(ProxyConnections.class);
    private static final AtomicBoolean BINARY_WARNED = new AtomicBoolean();

    private ProxyConnections() {
    }

    /**
     * @param real    the real driver's new connection; closed again if wrapping fails
     * @param realUrl the real driver's URL (sqlcache's prefix and settings removed)
     */
    public static ProxyConnection open(Connection real, SqlCacheConfig config, String realUrl) throws SQLException {
        return open(real, config, realUrl, java.util.Map.of());
    }

    /**
     * @param properties the connection properties the real driver was given (credentials are ignored): settings
     *                   that change results are part of the keys
     */
    public static ProxyConnection open(Connection real, SqlCacheConfig config, String realUrl,
                                       java.util.Map<String, String> properties) throws SQLException {
        try {
            CacheEngine engine = CacheEngines.forDatabase(config, realUrl);
            boolean autoCommit = real.getAutoCommit();
            int isolation = real.getTransactionIsolation();
            String user = real.getMetaData().getUserName();
            String catalog = real.getCatalog();
            String schema = ConnectionProbe.schema(real);
            SessionCache session = engine.openSession(user, catalog, schema, autoCommit, isolation,
                    DatabaseIdentity.connectionSettings(realUrl, properties),
                    new MetadataSchemaInspector(real, engine.family()));
            if (engine.family() == DatabaseFamily.POSTGRES && ConnectionProbe.mayReturnBinaryResults(real)) {
                session.passThroughReads(BypassReason.DRIVER_SETTING);
                if (BINARY_WARNED.compareAndSet(false, true)) {
                    LOG.warn("sqlcache: a PostgreSQL connection has binaryTransfer on (a wrapped DataSource?); its "
                            + "reads pass through uncached. Set binaryTransfer=false on it to cache them.");
                }
            }
            return new ProxyConnection(real, session, autoCommit, catalog, schema);
        } catch (SQLException | RuntimeException | Error e) {
            try {
                real.close();
            } catch (SQLException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }
}
