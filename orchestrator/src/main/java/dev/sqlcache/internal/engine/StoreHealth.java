package dev.sqlcache.internal.engine;

/** What an engine can tell about the store it caches in, for statistics and health checks. */
public interface StoreHealth {

    /** Where entries go, for logs and diagnostics; never a password. */
    String describeStore();

    /** Whether the store answers right now and no invalidation is still owed to it. */
    boolean healthy();
}
