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
    private static final ChangeFeed NONE = new ChangeFeed(null, null);

    /** A {@code dev.sqlcache.internal.feed.PostgresChangeFeed}, typed loosely so this class loads without pgjdbc. */
    private final AutoCloseable running;
    private final dev.sqlcache.internal.feed.FeedLag lag;

    private ChangeFeed(AutoCloseable running, dev.sqlcache.internal.feed.FeedLag lag) {
        this.running = running;
        this.lag = lag;
    }

    static ChangeFeed start(CacheEngine engine, CacheStore store, String identity, String realUrl,
                            Map<String, String> properties) {
        if (engine.family() != DatabaseFamily.POSTGRES) {
            LOG.warn("sqlcache: sqlcache.changeFeed=postgres, but the database is {}; caching goes on with TTL only",
                    engine.family());
            engine.feedUnavailable();
            return NONE;
        }
        try {
            var feed = dev.sqlcache.internal.feed.PostgresChangeFeed.start(engine, store.feed(), store.describe(),
                    identity, realUrl, properties);
            return new ChangeFeed(feed, feed.lag());
        } catch (LinkageError e) {
            LOG.warn("sqlcache: the change feed needs pgjdbc's replication API (org.postgresql:postgresql 42.2 or "
                    + "later) on the class path: {}; caching goes on with TTL only", e.toString());
            engine.feedUnavailable();
            return NONE;
        }
    }

    long lagMillis() {
        return lag == null ? -1 : lag.millis();
    }

    @Override
    public void close() {
        if (running != null) {
            try {
                running.close();
            } catch (Exception e) {
                LOG.debug("sqlcache: closing the change feed failed: {}", e.toString());
            }
        }
    }
}
