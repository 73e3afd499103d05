package dev.sqlcache.internal.runtime;

import dev.sqlcache.internal.config.RedisSettings;
import dev.sqlcache.internal.config.SqlCacheConfig;
import dev.sqlcache.internal.config.StoreType;

/**
 * What makes two configurations share one {@link CacheRuntime} (one connection pool, one membership): everything
 * about reaching the store — address, credentials, database, TLS, timeouts, pool size — and the fence timeout the
 * membership runs with, and the size of the near cache the runtime keeps. Compared with the credentials; printed
 * without them.
 *
 * @param redis null for the in-process store
 */
public record RuntimeKey(StoreType storeType, RedisSettings redis, long fenceTimeoutMillis, long nearCacheMaxBytes,
                         dev.sqlcache.internal.config.NearStaleness nearStaleness) {

    public static RuntimeKey of(SqlCacheConfig config) {
        return new RuntimeKey(config.storeType(), config.storeType() == StoreType.MEMORY ? null : config.redis(),
                config.fenceTimeoutMillis(), config.storeType() == StoreType.MEMORY ? 0 : config.nearCacheMaxBytes(),
                config.nearStaleness());
    }

    /** Written out, not generated: see {@link RedisSettings#equals}. */
    @Override
    public boolean equals(Object other) {
        return other instanceof RuntimeKey that && storeType == that.storeType
                && fenceTimeoutMillis == that.fenceTimeoutMillis && nearCacheMaxBytes == that.nearCacheMaxBytes
                && nearStaleness.equals(that.nearStaleness)
                && java.util.Objects.equals(redis, that.redis);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(storeType, redis, fenceTimeoutMillis, nearCacheMaxBytes, nearStaleness);
    }

    /** For logs: kind and address, never a password. */
    @Override
    public String toString() {
        return storeType == StoreType.MEMORY ? "memory" : "redis " + redis.describe();
    }
}
