package dev.sqlcache.sample;

import dev.sqlcache.driver.SqlCacheConnection;
import dev.sqlcache.stats.CacheStatistics;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * sqlcache's counters for one pool, read through a connection borrowed for as long as the sample needs them (the
 * statistics belong to the cache store, so one connection sees what every connection of the pool did).
 */
final class CacheCounters implements AutoCloseable {

    private final Connection borrowed;
    private final SqlCacheConnection cache;

    CacheCounters(DataSource pool) throws SQLException {
        this.borrowed = pool.getConnection();
        try {
            this.cache = borrowed.unwrap(SqlCacheConnection.class);
        } catch (SQLException e) {
            borrowed.close();
            throw new SQLException("the pool's connections are not sqlcache connections: " + e.getMessage(), e);
        }
    }

    CacheStatistics snapshot() {
        return cache.statistics();
    }

    /** Where the entries go, as the driver describes it. */
    String store() {
        return cache.cacheStore();
    }

    /** Forgets every entry of this database, so that a measured run starts cold. */
    void invalidateAll() {
        cache.invalidateAll();
    }

    @Override
    public void close() throws SQLException {
        borrowed.close();
    }
}
