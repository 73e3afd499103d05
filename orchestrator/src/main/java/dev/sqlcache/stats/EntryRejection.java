package dev.sqlcache.stats;

/**
 * Why an entry found in the cache was refused and the query went to the database instead. Every cause is a miss,
 * never an error; a count that keeps growing means something other than sqlcache writes to the cache's keys (or
 * an environment shares them with another one), and deserves a look.
 */
public enum EntryRejection {
    /** Not a readable entry: garbage, truncated, a flipped bit (checksum), a lying count or length. */
    CORRUPT,
    /**
     * A well-formed entry of another key: copied from another query, table, database, environment or key prefix.
     */
    FOREIGN_KEY,
    /** {@code sqlcache.signingKey} is set and the entry carries no MAC made by one of its keys. */
    BAD_MAC,
    /** Larger than the largest entry this configuration stores; never transferred from Redis. */
    OVER_LIMIT
}
