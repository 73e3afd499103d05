package dev.sqlcache.internal.guard;

import dev.sqlcache.internal.membership.Membership;
import dev.sqlcache.internal.store.CacheStore;

/**
 * The read side of the store, failing open: every call either answers or reports "unavailable" ({@code null} or
 * {@code false}); nothing is thrown at the application.
 */
public final class CacheReads {

    private final CacheStore store;
    private final FailOpen failOpen;
    private final Redelivery redelivery;
    private final Membership membership;

    public CacheReads(CacheStore store, FailOpen failOpen, Redelivery redelivery, Membership membership) {
        this.store = store;
        this.failOpen = failOpen;
        this.redelivery = redelivery;
        this.membership = membership;
    }

    /** Looks up an entry and its versions; {@code null} when the store is unavailable. */
    public CacheStore.Lookup lookup(String entryKey, String[] versionKeys) {
        if (!redelivery.available()) {
            return null;
        }
        try {
            CacheStore.Lookup lookup = store.lookup(entryKey, versionKeys);
            // Read since a reconnection or an outage no renewal has vouched for yet: maybe a restarted server,
            // whose fence (and so every entry) a renewal is about to replace if it came from an older snapshot.
            return membership.vouchesForStore() ? lookup : null;
        } catch (RuntimeException | LinkageError e) {
            failOpen.failed("lookup", e);
            return null;
        }
    }

    /** Creates missing version tokens; {@code null} when the store is unavailable. */
    public String[] initVersions(String[] versionKeys) {
        try {
            return store.initVersions(versionKeys);
        } catch (RuntimeException | LinkageError e) {
            failOpen.failed("initVersions", e);
            return null;
        }
    }

    /** Stores an entry if its versions are still current; false on any trouble. */
    public boolean put(String entryKey, byte[] value, long ttlSeconds, String[] versionKeys, String[] tokens) {
        if (!redelivery.available()) {
            return false;
        }
        try {
            return store.putIfVersions(entryKey, value, ttlSeconds, versionKeys, tokens);
        } catch (RuntimeException | LinkageError e) {
            failOpen.failed("put", e);
            return false;
        }
    }
}
