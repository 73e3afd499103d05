package dev.sqlcache.internal.store;

import dev.sqlcache.internal.config.SqlCacheConfig;

/** Opens the {@link CacheStore} a configuration asks for. */
public final class CacheStores {

    /**
     * The in-memory store's bound on all entries together. It has no setting of its own: a generous multiple of
     * the per-entry limit, with a floor, so that a handful of large results does not evict everything.
     */
    static final long MIN_MEMORY_BYTES = 64L * 1024 * 1024;
    static final int MEMORY_ENTRIES_PER_MAX_ENTRY = 32;

    private CacheStores() {
    }

    /**
     * A new store for the configuration. The caller owns it and must close it; to share one store (and its
     * connection pool) between connections, key a registry by {@link SqlCacheConfig#storeIdentity()}. Opening a
     * Redis store does not connect yet, so it never fails for an unreachable server.
     */
    public static CacheStore open(SqlCacheConfig config) {
        return switch (config.storeType()) {
            case REDIS -> new RedisCacheStore(config.redis());
            case MEMORY -> new InMemoryCacheStore(Math.max(MIN_MEMORY_BYTES,
                    (long) config.maxBytes() * MEMORY_ENTRIES_PER_MAX_ENTRY));
        };
    }
}
