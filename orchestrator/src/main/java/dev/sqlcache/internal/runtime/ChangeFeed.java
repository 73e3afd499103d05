package dev.sqlcache.internal.runtime;

import dev.sqlcache.internal.analysis.DatabaseFamily;
import dev.sqlcache.internal.engine.CacheEngine;
import dev.sqlcache.internal.store.CacheStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/**
 * A runtime's handle on one database's change feed: the PostgreSQL consumer when it can run, or nothing (after
 * saying why) when it cannot. Keeps the feed's classes, which need pgjdbc, from loading unless a feed is asked for.
 */
final class ChangeFeed implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ChangeFeed.class);
    /** A {@code dev.sqlcache.internal.feed.PostgresChangeFeed}, typed loosely so this class loads without pgjdbc. */
    private volatile AutoCloseable running;
    private volatile dev.sqlcache.internal.feed.FeedLag lag;
    /** The engines of the database (one per configuration reading it): all stop depending on a feed that cannot run. */
    private final java.util.Set<CacheEngine> engines = new java.util.concurrent.CopyOnWriteArraySet<>();
    private volatile boolean unavailable;

    private ChangeFeed() {
    }

    static ChangeFeed start(CacheEngine engine, CacheStore store, String identity, String realUrl,
                            Map<String, String> properties) {
        ChangeFeed feed = new ChangeFeed();
        if (engine.family() != DatabaseFamily.POSTGRES) {
            LOG.warn("sqlcache: sqlcache.changeFeed=postgres, but the database is {}; caching goes on with TTL only",
                    engine.family());
            feed.unavailable();
            return feed;
        }
        try {
            var postgres = dev.sqlcache.internal.feed.PostgresChangeFeed.start(engine, store.feed(),
                    store.describe(), identity, realUrl, properties, feed::unavailable);
            feed.running = postgres;
            feed.lag = postgres.lag();
        } catch (LinkageError e) {
            LOG.warn("sqlcache: the change feed needs pgjdbc's replication API (org.postgresql:postgresql 42.2 or "
                    + "later) on the class path: {}; caching goes on with TTL only", e.toString());
            feed.unavailable();
        }
        return feed;
    }

    /** An engine of this database follows the feed: its lag, and TTL only if the feed cannot run. */
    void attach(CacheEngine engine) {
        engines.add(engine);
        engine.feedLag(this::lagMillis);
        if (unavailable) {
            engine.feedUnavailable();
        }
    }

    /** The feed cannot run here: every engine of the database caches with TTL only. */
    private void unavailable() {
        unavailable = true;
        for (CacheEngine engine : engines) {
            engine.feedUnavailable();
        }
    }

    long lagMillis() {
        return lag == null ? -1 : lag.millis();
    }

    @Override
    public void close() {
        engines.clear();
        if (running != null) {
            try {
                running.close();
            } catch (Exception e) {
                LOG.debug("sqlcache: closing the change feed failed: {}", e.toString());
            }
        }
    }
}
