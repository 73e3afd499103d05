package dev.sqlcache.stats;

/**
 * What the cache did for one table: reads are counted under the first table they read (in sorted order, as the
 * cache key names it), invalidations under every table a write changed (row-level invalidations included).
 *
 * @param hits          reads answered from the cache
 * @param misses        cacheable reads that went to the database
 * @param bypasses      reads that went to the database without the cache
 * @param invalidations version keys of this table renewed by writes
 */
public record TableStatistics(long hits, long misses, long bypasses, long invalidations) {

    /** Nothing counted. */
    public static final TableStatistics NONE = new TableStatistics(0, 0, 0, 0);

    /** Whether nothing was counted. */
    public boolean isEmpty() {
        return hits == 0 && misses == 0 && bypasses == 0 && invalidations == 0;
    }

    /** The difference from an earlier figure. */
    public TableStatistics since(TableStatistics earlier) {
        return new TableStatistics(hits - earlier.hits, misses - earlier.misses, bypasses - earlier.bypasses,
                invalidations - earlier.invalidations);
    }
}
