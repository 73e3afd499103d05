package dev.sqlcache.internal.config;

/** Which change stream of the database tells sqlcache about writes made outside the driver. */
public enum ChangeFeedType {
    /** None: such writes are seen only when entries expire (their TTL) or through the admin tool. */
    NONE,
    /** PostgreSQL logical decoding of a replication slot of its own ({@code test_decoding}). */
    POSTGRES
}
