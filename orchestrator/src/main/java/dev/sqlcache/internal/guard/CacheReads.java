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
    private final java.util.concurrent.Executor background;

    /** @param background runs {@link #putLater} stores: the runtime's writer thread */
    public CacheReads(CacheStore store, FailOpen failOpen, Redelivery redelivery, Membership membership,
                      java.util.concurrent.Executor background) {
        this.store = store;
        this.failOpen = failOpen;
        this.redelivery = redelivery;
        this.membership = membership;
        this.background = background;
    }

    /**
     * Looks up an entry and its versions, creating missing version keys as {@code creation} says; {@code null} when
     * the store is unavailable. An entry longer than {@code maxEntryBytes} is not transferred.
     */
    public CacheStore.Lookup lookup(String entryKey, String[] versionKeys, long[] creation, int maxEntryBytes) {
        if (!redelivery.available()) {
            return null;
        }
        try {
            // Read before the lookup is sent: a renewal answered while it is in flight may have replaced the fence
            // after the lookup read the old one, and must not vouch for it.
            long vouched = membership.vouched();
            CacheStore.Lookup lookup = store.lookup(entryKey, versionKeys, creation, maxEntryBytes);
            // Read since a reconnection, an outage or a change of primary that no renewal had vouched for when it
            // was sent: maybe a restarted server or a promoted replica, whose fence (and so every entry) a renewal
            // is about to replace if it came from an older snapshot.
            return membership.vouchesFor(vouched) ? lookup : null;
        } catch (RuntimeException | LinkageError e) {
            failOpen.failed("lookup", e);
            return null;
        }
    }

    /**
     * Stores an entry off the caller's thread, if its versions are still current (checked by the store, so a store
     * that lands late can never be served stale); {@code ended} learns whether it was stored. Dropped when the
     * background queue is full or the store fails: it only costs the next read a miss.
     */
    public void putLater(String entryKey, byte[] value, long ttlSeconds, String[] versionKeys, String[] tokens,
                         java.util.function.Consumer<Boolean> ended) {
        try {
            background.execute(() -> {
                boolean stored = false;
                try {
                    stored = put(entryKey, value, ttlSeconds, versionKeys, tokens);
                } finally {
                    ended.accept(stored);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException full) {
            // The store is slower than the misses (or closing): skip this entry.
            ended.accept(false);
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
