package dev.sqlcache.driver;

import dev.sqlcache.stats.CacheStatistics;

import java.sql.Connection;

/**
 * What sqlcache adds to a JDBC connection, reached through {@code connection.unwrap(SqlCacheConnection.class)}
 * (also through a pool's connection proxy, and from {@link SqlCacheDataSource}).
 */
public interface SqlCacheConnection {

    /** Counters of the cache this connection uses (shared by every connection to the same cache store). */
    CacheStatistics statistics();

    /**
     * A live source of this cache's counters, which outlives the connection (for
     * {@link dev.sqlcache.stats.SqlCacheMetrics} or any periodic reporter).
     */
    java.util.function.Supplier<CacheStatistics> statisticsSource();

    /** Invalidates everything cached for this connection's database, in every JVM sharing the store. */
    void invalidateAll();

    /** Where entries are kept, e.g. {@code redis 127.0.0.1:6379 db 0}; never includes a password. */
    String cacheStore();

    /** Whether the cache store answers now and no invalidation is still owed to it. */
    boolean cacheHealthy();

    /**
     * The details behind {@link #cacheHealthy()}: store reachable, this JVM's membership, lapsed members (the
     * fence), owed invalidations. One round trip to the store.
     */
    dev.sqlcache.stats.CacheHealth cacheHealth();

    /**
     * With {@code sqlcache.changeFeed}: how far behind the database this JVM's change feed of the connection's
     * database is, in milliseconds (the age of the newest heartbeat it applied, plus the time since); -1 when this
     * JVM does not consume the feed (another JVM does, or none is configured). Answered from memory.
     */
    long changeFeedLagMillis();

    /**
     * The real driver's connection behind this one. Statements run on it bypass sqlcache entirely: writes through
     * it are not invalidated (bounded only by the TTL).
     */
    Connection realConnection();
}
