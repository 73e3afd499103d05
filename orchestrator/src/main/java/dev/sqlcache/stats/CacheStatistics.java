package dev.sqlcache.stats;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * An immutable snapshot of what the cache has done since it started. Obtained from a connection or data source
 * through {@code unwrap(dev.sqlcache.driver.SqlCacheConnection.class).statistics()}.
 *
 * @param hits          reads answered from the cache
 * @param misses        cacheable reads that went to the database
 * @param stores        results written to the cache after a miss
 * @param bypasses      reads and statements that went to the database without the cache, by reason
 * @param invalidations tables (or whole databases) invalidated by writes
 * @param redisErrors   failed calls to the cache store
 */
public record CacheStatistics(long hits, long misses, long stores, Map<BypassReason, Long> bypasses,
                              long invalidations, long redisErrors) {

    public CacheStatistics {
        EnumMap<BypassReason, Long> copy = new EnumMap<>(BypassReason.class);
        copy.putAll(bypasses);
        bypasses = Collections.unmodifiableMap(copy);
    }

    /** Reads that passed through for any reason. */
    public long totalBypasses() {
        return bypasses.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Passed-through count for one reason. */
    public long bypasses(BypassReason reason) {
        return bypasses.getOrDefault(reason, 0L);
    }

    /** Hits divided by cacheable reads (hits plus misses); 0 when there were none. */
    public double hitRatio() {
        long reads = hits + misses;
        return reads == 0 ? 0.0 : (double) hits / reads;
    }

    /** The difference between this snapshot and an earlier one, for measuring one stretch of work. */
    public CacheStatistics since(CacheStatistics earlier) {
        EnumMap<BypassReason, Long> delta = new EnumMap<>(BypassReason.class);
        for (BypassReason reason : BypassReason.values()) {
            long d = bypasses(reason) - earlier.bypasses(reason);
            if (d != 0) {
                delta.put(reason, d);
            }
        }
        return new CacheStatistics(hits - earlier.hits, misses - earlier.misses, stores - earlier.stores, delta,
                invalidations - earlier.invalidations, redisErrors - earlier.redisErrors);
    }
}
