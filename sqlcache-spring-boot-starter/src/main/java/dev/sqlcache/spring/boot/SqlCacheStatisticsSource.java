package dev.sqlcache.spring.boot;

import dev.sqlcache.driver.SqlCacheConnection;
import dev.sqlcache.stats.CacheHealth;
import dev.sqlcache.stats.CacheStatistics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The cache's counters and health as seen through the application's DataSource. The counters' live source is
 * taken from the first connection that can be had and kept (it outlives connections); health borrows a connection
 * each time it is asked. Never throws: with no database reachable the counters read zero and the cache is reported
 * unavailable.
 */
public final class SqlCacheStatisticsSource implements Supplier<CacheStatistics> {

    private static final Logger LOG = LoggerFactory.getLogger(SqlCacheStatisticsSource.class);
    private static final CacheStatistics NONE = new CacheStatistics(0, 0, 0, Map.of(), 0, 0);

    private final DataSource dataSource;
    private volatile Supplier<CacheStatistics> source;
    private volatile String store = "unknown (no connection yet)";

    SqlCacheStatisticsSource(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public CacheStatistics get() {
        Supplier<CacheStatistics> live = source;
        if (live == null) {
            try (Connection connection = dataSource.getConnection()) {
                SqlCacheConnection cache = connection.unwrap(SqlCacheConnection.class);
                store = cache.cacheStore();
                live = cache.statisticsSource();
                source = live;
            } catch (SQLException | RuntimeException e) {
                LOG.debug("sqlcache: no statistics yet: {}", e.toString());
                return NONE;
            }
        }
        return live.get();
    }

    /** Where entries are kept; never a password. */
    public String store() {
        get();
        return store;
    }

    /** The cache's health details; all false when no connection can be had. */
    public CacheHealth health() {
        try (Connection connection = dataSource.getConnection()) {
            return connection.unwrap(SqlCacheConnection.class).cacheHealth();
        } catch (SQLException | RuntimeException e) {
            return new CacheHealth(store, false, false, false, 0, 0, 0);
        }
    }

    /** Whether the store answers now and no invalidation is owed to it; false when no connection can be had. */
    public boolean healthy() {
        try (Connection connection = dataSource.getConnection()) {
            return connection.unwrap(SqlCacheConnection.class).cacheHealthy();
        } catch (SQLException | RuntimeException e) {
            return false;
        }
    }
}
