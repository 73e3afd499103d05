package dev.sqlcache.internal.guard;

import dev.sqlcache.internal.membership.Membership;
import dev.sqlcache.internal.store.CacheStore;

/**
 * The read side of the store, failing open: every call either answers or reports "unavailable" ({@code null} or
 * {@code false}); nothing is thrown at the application.
 */
public final class CacheReads {

    /**
     * Results waiting to be encoded and stored are held decoded (several times their encoded size on the heap):
     * 32 MiB of estimated entry bytes, besides the writer's bound in entries.
     */
    public static final long DEFAULT_QUEUED_BYTES = 32L << 20;

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CacheReads.class);

    private final CacheStore store;
    private final FailOpen failOpen;
    private final Redelivery redelivery;
    private final Membership membership;
    private final java.util.concurrent.Executor background;
    /** The bound on what waits for {@link #background}, by the captures' estimates of the results' sizes. */
    private final long maxQueuedBytes;
    private final java.util.concurrent.atomic.AtomicLong queuedBytes = new java.util.concurrent.atomic.AtomicLong();

    /** @param background runs {@link #putLater} stores: the runtime's writer thread */
    public CacheReads(CacheStore store, FailOpen failOpen, Redelivery redelivery, Membership membership,
                      java.util.concurrent.Executor background) {
        this(store, failOpen, redelivery, membership, background, DEFAULT_QUEUED_BYTES);
    }

    /**
     * @param background     runs {@link #putLater} stores: the runtime's writer thread
     * @param maxQueuedBytes how many estimated bytes of results may wait for it before new stores are dropped
     */
    public CacheReads(CacheStore store, FailOpen failOpen, Redelivery redelivery, Membership membership,
                      java.util.concurrent.Executor background, long maxQueuedBytes) {
        this.maxQueuedBytes = maxQueuedBytes;
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
        return lookup(entryKey, versionKeys, creation, maxEntryBytes, true);
    }

    /**
     * {@link #lookup(String, String[], long[], int)}; {@code keepsCopy} false when no copy of what it reads will be
     * kept in process: the store then spares the commands that read how long one may live
     * ({@link CacheStore#lookup(String, String[], long[], int, boolean)}).
     */
    public CacheStore.Lookup lookup(String entryKey, String[] versionKeys, long[] creation, int maxEntryBytes,
                                    boolean keepsCopy) {
        return lookup(entryKey, versionKeys, null, creation, maxEntryBytes, keepsCopy);
    }

    /**
     * {@link #lookup(String, String[], long[], int, boolean)} with the version keys' UTF-8 where the caller keeps it
     * ({@link CacheStore#lookup(String, String[], byte[][], long[], int, boolean)}; {@code null}: none at hand).
     */
    public CacheStore.Lookup lookup(String entryKey, String[] versionKeys, byte[][] encodedVersionKeys,
                                    long[] creation, int maxEntryBytes, boolean keepsCopy) {
        return lookup(entryKey, versionKeys, encodedVersionKeys, creation, maxEntryBytes, keepsCopy, false);
    }

    /**
     * {@link #lookup(String, String[], byte[][], long[], int, boolean)} with the caller's guess of whether an entry
     * is there ({@link CacheStore#lookup(String, String[], byte[][], long[], int, boolean, boolean)}): what is sent
     * may change with it, never what is answered.
     */
    public CacheStore.Lookup lookup(String entryKey, String[] versionKeys, byte[][] encodedVersionKeys,
                                    long[] creation, int maxEntryBytes, boolean keepsCopy, boolean entryLikely) {
        return lookup(entryKey, versionKeys, encodedVersionKeys, creation, maxEntryBytes, keepsCopy, entryLikely,
                false);
    }

    /**
     * {@link #lookup(String, String[], byte[][], long[], int, boolean, boolean)} with the caller's guess of whether
     * a token is missing ({@link CacheStore#lookup(String, String[], byte[][], long[], int, boolean, boolean,
     * boolean)}): what is sent may change with it, never what is answered.
     */
    public CacheStore.Lookup lookup(String entryKey, String[] versionKeys, byte[][] encodedVersionKeys,
                                    long[] creation, int maxEntryBytes, boolean keepsCopy, boolean entryLikely,
                                    boolean tokenMissingLikely) {
        if (!redelivery.available()) {
            return null;
        }
        try {
            // Read before the lookup is sent: a renewal answered while it is in flight may have replaced the fence
            // after the lookup read the old one, and must not vouch for it.
            long vouched = membership.vouched();
            CacheStore.Lookup lookup = encodedVersionKeys == null && !entryLikely && !tokenMissingLikely
                    ? store.lookup(entryKey, versionKeys, creation, maxEntryBytes, keepsCopy)
                    : store.lookup(entryKey, versionKeys, encodedVersionKeys, creation, maxEntryBytes, keepsCopy,
                            entryLikely, tokenMissingLikely);
            // Read since a reconnection, an outage or a change of primary that no renewal had vouched for when it
            // was sent: maybe a restarted server or a promoted replica, whose fence (and so every entry) a renewal
            // is about to replace if it came from an older snapshot.
            return membership.vouchesFor(vouched) ? lookup : null;
        } catch (dev.sqlcache.internal.store.EntryNodeUnavailable e) {
            // One entry node of a cluster, in its own back-off: this statement goes to the database, the store
            // stays in use for every other entry (nothing correct depends on an entry's node).
            return null;
        } catch (RuntimeException | LinkageError e) {
            failOpen.failed("lookup", e);
            return null;
        }
    }

    /**
     * A store to be made off the caller's thread: everything that needs the entry's bytes (encoding, the size
     * refusal, the near copy's weight) is done by {@link #value} on the writer thread, so the caller pays none of it.
     */
    public interface LaterStore {
        /** On the writer thread: the entry's bytes, or {@code null} when it is not to be stored (already counted). */
        byte[] value();

        /** The version keys the store is checked against (read after {@link #value}). */
        String[] versionKeys();

        /** The tokens they must still hold, as the lookup read them. */
        String[] tokens();

        /** Whether the entry was stored; called exactly once for a store that {@link #putLater} accepted. */
        void ended(boolean stored);
    }

    /**
     * Stores an entry off the caller's thread, if its versions are still current (checked by the store, so a store
     * that lands late can never be served stale). Never blocks: refused ({@code false}, {@link LaterStore#ended}
     * not called) when the writer's queue is full, by entries or by the estimated bytes it holds, or closing; a
     * refused or failed store only costs the next read a miss.
     *
     * @param estimatedBytes the result's size as the capture estimated it, for the byte bound of the queue
     */
    public boolean putLater(String entryKey, long estimatedBytes, long ttlSeconds, LaterStore later) {
        long queued = queuedBytes.addAndGet(estimatedBytes);
        // One entry is always let in when nothing waits: the per-entry limit is sqlcache.maxBytes, not this.
        if (queued > maxQueuedBytes && queued != estimatedBytes) {
            queuedBytes.addAndGet(-estimatedBytes);
            return false;
        }
        try {
            background.execute(() -> {
                boolean stored = false;
                try {
                    byte[] value = later.value();
                    stored = value != null && put(entryKey, value, ttlSeconds, later.versionKeys(), later.tokens());
                } catch (RuntimeException | LinkageError e) {
                    LOG.debug("sqlcache: a missed result could not be stored: {}", e.toString());
                } finally {
                    queuedBytes.addAndGet(-estimatedBytes);
                    later.ended(stored);
                }
            });
            return true;
        } catch (java.util.concurrent.RejectedExecutionException full) {
            // The store is slower than the misses (or closing): skip this entry.
            queuedBytes.addAndGet(-estimatedBytes);
            return false;
        }
    }

    /** The estimated bytes of the results waiting for the writer thread (for tests and health). */
    public long queuedBytes() {
        return queuedBytes.get();
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
