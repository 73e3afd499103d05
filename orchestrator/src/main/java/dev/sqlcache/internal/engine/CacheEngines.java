package dev.sqlcache.internal.engine;

import dev.sqlcache.internal.analysis.DatabaseFamily;
import dev.sqlcache.internal.analysis.QueryAnalyzer;
import dev.sqlcache.internal.config.SqlCacheConfig;
import dev.sqlcache.internal.store.CacheStores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Hands out one {@link CacheEngine} per database and configuration, and one store (one Redis connection pool) per
 * store address, so that opening a JDBC connection costs a map lookup and every connection of a pool shares the
 * same plans, counters and Redis connections.
 */
public final class CacheEngines {

    private static final Logger LOG = LoggerFactory.getLogger(CacheEngines.class);
    private static final Map<String, StoreGuard> STORES = new ConcurrentHashMap<>();
    private static final Map<String, QueryAnalyzer> ANALYZERS = new ConcurrentHashMap<>();
    private static final Map<String, CacheEngine> ENGINES = new ConcurrentHashMap<>();

    private CacheEngines() {
    }

    /**
     * The engine for a real JDBC URL under a configuration.
     *
     * @param realUrl the URL of the real driver, sqlcache's prefix and settings removed
     */
    public static CacheEngine forDatabase(SqlCacheConfig config, String realUrl) {
        DatabaseFamily family = DatabaseFamily.fromJdbcUrl(realUrl);
        String identity = DatabaseIdentity.of(realUrl, config.databaseId().orElse(null));
        if (identity.contains("#connection:")) {
            // Private to one connection: not worth remembering, and remembering would leak.
            return newEngine(config, family, identity);
        }
        // toString() holds every setting (password masked): engines differ exactly when their settings do.
        String key = config + "\n" + identity;
        return ENGINES.computeIfAbsent(key, k -> newEngine(config, family, identity));
    }

    private static CacheEngine newEngine(SqlCacheConfig config, DatabaseFamily family, String identity) {
        StoreGuard store = STORES.computeIfAbsent(config.storeIdentity(), k -> {
            StoreGuard guard = new StoreGuard(CacheStores.open(config), new StatisticsRecorder(),
                    config.fenceTimeoutMillis());
            LOG.info("sqlcache: caching in {}", guard.store().describe());
            return guard;
        });
        QueryAnalyzer analyzer = ANALYZERS.computeIfAbsent(family + "/" + config.analysisCacheSize(),
                k -> new QueryAnalyzer(family, config.analysisCacheSize()));
        return new CacheEngine(config, store, analyzer, family, identity);
    }
}
