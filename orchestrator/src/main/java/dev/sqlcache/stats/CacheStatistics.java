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
 * @param rejections    entries found in the cache but refused, by cause (each read went to the database and is
 *                      also counted as a miss)
 */
public record CacheStatistics(long hits, long misses, long stores, Map<BypassReason, Long> bypasses,
                              long invalidations, long redisErrors, Map<EntryRejection, Long> rejections) {

    public CacheStatistics {
        EnumMap<BypassReason, Long> copy = new EnumMap<>(BypassReason.class);
        copy.putAll(bypasses);
        bypasses = Collections.unmodifiableMap(copy);
        EnumMap<EntryRejection, Long> causes = new EnumMap<>(EntryRejection.class);
        causes.putAll(rejections);
        rejections = Collections.unmodifiableMap(causes);
    }

    /** Figures without any refused entry (as before rejections were counted). */
    public CacheStatistics(long hits, long misses, long stores, Map<BypassReason, Long> bypasses, long invalidations,
                           long redisErrors) {
        this(hits, misses, stores, bypasses, invalidations, redisErrors, Map.of());
    }

    /** Refused entries for one cause. */
    public long rejections(EntryRejection cause) {
        return rejections.getOrDefault(cause, 0L);
    }

    /** Refused entries for any cause. */
    public long totalRejections() {
        return rejections.values().stream().mapToLong(Long::longValue).sum();
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
        EnumMap<EntryRejection, Long> refused = new EnumMap<>(EntryRejection.class);
        for (EntryRejection cause : EntryRejection.values()) {
            long d = rejections(cause) - earlier.rejections(cause);
            if (d != 0) {
                refused.put(cause, d);
            }
        }
        return new CacheStatistics(hits - earlier.hits, misses - earlier.misses, stores - earlier.stores, delta,
                invalidations - earlier.invalidations, redisErrors - earlier.redisErrors, refused);
    }
}
