package dev.sqlcache.internal.engine;

/** What an engine can tell about the store it caches in, for statistics and health checks. */
public interface StoreHealth {

    /** Where entries go, for logs and diagnostics; never a password. */
    String describeStore();

    /** Whether the store answers right now and no invalidation is still owed to it. */
    boolean healthy();

    /** The details behind {@link #healthy()}; by default only what it says. */
    default dev.sqlcache.stats.CacheHealth health() {
        boolean ok = healthy();
        return new dev.sqlcache.stats.CacheHealth(describeStore(), ok, ok, true, 1, 0, 0);
    }
}
