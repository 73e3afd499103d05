package dev.sqlcache.internal.config;

/** Which {@code CacheStore} serves the cache. */
public enum StoreType {
    /** A Redis server shared by every JVM: the production choice. */
    REDIS,
    /** An in-process store: correct only when every writer to the database runs in this same JVM. */
    MEMORY
}
