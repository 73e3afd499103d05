package dev.sqlcache.internal.engine;

import dev.sqlcache.internal.store.CacheStore;
import dev.sqlcache.internal.store.CacheStoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Makes the store fail open. Every call either succeeds or reports "unavailable" to its caller; nothing is thrown
 * at the application.
 *
 * <p>After a failure the store is skipped for a back-off period (growing from 250 ms to 5 s) so that a slow or
 * dead Redis costs the application at most one timeout per period. A version bump that could not reach the store
 * is remembered; until it has been delivered, this JVM neither reads nor fills the cache, so an entry written
 * before the failed invalidation can never be served after Redis is back.
 */
public final class StoreGuard implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StoreGuard.class);
    private static final long MIN_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(30);
    /**
     * How often owed invalidations are retried in the background. Another JVM may serve an old answer from the
     * moment Redis answers again until this JVM delivers, so the interval is short; the attempts run off the
     * application's threads.
     */
    private static final long REDELIVERY_INTERVAL_MILLIS = 10;
    /**
     * After an outage this JVM saw, how long it keeps reading from the database: other JVMs retry what they owe
     * every {@link #REDELIVERY_INTERVAL_MILLIS}, so this is ample for their deliveries to land first.
     */
    private static final long RECOVERY_GRACE_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    private final CacheStore store;
    private final StatisticsRecorder statistics;
    /**
     * Version keys owed a fresh token, each with the sequence number of its latest failure: a key that fails again
     * while an earlier failure is being delivered keeps its newer number and stays owed.
     */
    private final ConcurrentHashMap<String, Owed> undeliveredBumps = new ConcurrentHashMap<>();

    /** An owed invalidation: the failure's sequence number and the lease it must also end (null for none). */
    private record Owed(long sequence, String leaseToken) {
    }
    private final AtomicLong owedSequence = new AtomicLong();
    private final Object recoveryLock = new Object();
    private final AtomicLong lastLogNanos = new AtomicLong(System.nanoTime() - LOG_INTERVAL_NANOS);
    private final AtomicLong suppressedLogs = new AtomicLong();

    private static final java.util.concurrent.ScheduledExecutorService REDELIVERY =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, "sqlcache-invalidation-redelivery");
                thread.setDaemon(true);
                return thread;
            });

    private final java.util.concurrent.atomic.AtomicBoolean redeliveryScheduled =
            new java.util.concurrent.atomic.AtomicBoolean();
    private volatile boolean closed;
    private volatile long retryAtNanos;
    private volatile long trustAfterNanos = System.nanoTime();
    private volatile boolean failing;
    private volatile long backoffNanos = MIN_BACKOFF_NANOS;

    /** Recoveries from an outage: each may have been a restart, which a membership renewal must vouch for. */
    private final AtomicLong recoveries = new AtomicLong();
    private final Membership membership;

    /**
     * @param fenceTimeoutMillis {@link dev.sqlcache.internal.config.SqlCacheConfig#fenceTimeoutMillis()}
     */
    public StoreGuard(CacheStore store, StatisticsRecorder statistics, long fenceTimeoutMillis) {
        this.store = store;
        this.statistics = statistics;
        this.membership = new Membership(store, fenceTimeoutMillis, undeliveredBumps::isEmpty,
                () -> store.reconnects() + recoveries.get());
    }

    /**
     * Other JVMs sharing the store do not know this one owes an invalidation: deliver it as soon as the store
     * answers, not only when this JVM happens to run another statement.
     */
    private void scheduleRedelivery() {
        if (redeliveryScheduled.compareAndSet(false, true)) {
            REDELIVERY.schedule(this::redeliver, REDELIVERY_INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    private void redeliver() {
        redeliveryScheduled.set(false);
        if (closed || undeliveredBumps.isEmpty()) {
            return;
        }
        recover(true);
        if (!undeliveredBumps.isEmpty()) {
            scheduleRedelivery();
        }
    }

    /** The guarded store, for administration. */
    public CacheStore store() {
        return store;
    }

    public StatisticsRecorder statistics() {
        return statistics;
    }

    /**
     * Whether the cache may be used right now: the store is not in back-off and every earlier invalidation has
     * been delivered. Tries to deliver pending invalidations when the back-off has expired.
     */
    public boolean available() {
        if (!failing && undeliveredBumps.isEmpty()) {
            return System.nanoTime() - trustAfterNanos >= 0;
        }
        if (System.nanoTime() - retryAtNanos < 0) {
            return false;
        }
        return recover(false) && System.nanoTime() - trustAfterNanos >= 0;
    }

    /**
     * Delivers owed invalidations (or checks the store answers) and leaves back-off on success.
     *
     * @param background a retry off the application's threads: ignores the back-off, and a failure neither
     *                   counts nor lengthens it
     */
    private boolean recover(boolean background) {
        synchronized (recoveryLock) {
            if (!background && System.nanoTime() - retryAtNanos < 0) {
                return false;
            }
            try {
                if (!undeliveredBumps.isEmpty()) {
                    java.util.Map<String, Owed> owed = java.util.Map.copyOf(undeliveredBumps);
                    String[] keys = owed.keySet().toArray(String[]::new);
                    String[] leases = new String[keys.length];
                    for (int i = 0; i < keys.length; i++) {
                        leases[i] = owed.get(keys[i]).leaseToken();
                    }
                    store.endLeases(keys, leases);
                    owed.forEach(undeliveredBumps::remove);
                } else if (!store.ping()) {
                    throw new CacheStoreException("ping failed");
                }
                if (failing) {
                    recoveries.incrementAndGet();
                    LOG.info("sqlcache: cache store {} is reachable again", store.describe());
                    // Other JVMs that wrote during the outage may still owe invalidations: give them time to
                    // deliver before this JVM trusts what it reads again.
                    trustAfterNanos = System.nanoTime() + RECOVERY_GRACE_NANOS;
                }
                failing = false;
                backoffNanos = MIN_BACKOFF_NANOS;
                return undeliveredBumps.isEmpty();
            } catch (RuntimeException e) {
                if (!background) {
                    failed("recovery", e);
                }
                return false;
            }
        }
    }

    /** Looks up an entry and its versions; {@code null} when the store is unavailable. */
    public CacheStore.Lookup lookup(String entryKey, String[] versionKeys) {
        if (!available()) {
            return null;
        }
        try {
            CacheStore.Lookup lookup = store.lookup(entryKey, versionKeys);
            // Read since a reconnection or an outage no renewal has vouched for yet: maybe a restarted server,
            // whose fence (and so every entry) a renewal is about to replace if it came from an older snapshot.
            return membership.vouchesForStore() ? lookup : null;
        } catch (RuntimeException e) {
            failed("lookup", e);
            return null;
        }
    }

    /** Creates missing version tokens; {@code null} when the store is unavailable. */
    public String[] initVersions(String[] versionKeys) {
        try {
            return store.initVersions(versionKeys);
        } catch (RuntimeException e) {
            failed("initVersions", e);
            return null;
        }
    }

    /** Stores an entry if its versions are still current; false on any trouble. */
    public boolean put(String entryKey, byte[] value, long ttlSeconds, String[] versionKeys, String[] tokens) {
        if (!available()) {
            return false;
        }
        try {
            return store.putIfVersions(entryKey, value, ttlSeconds, versionKeys, tokens);
        } catch (RuntimeException e) {
            failed("put", e);
            return false;
        }
    }

    /**
     * Invalidates by giving each version key a fresh token. When the store cannot be reached the keys are kept and
     * the cache stays off in this JVM until they are delivered.
     */
    public void bump(String[] versionKeys) {
        if (failing || !undeliveredBumps.isEmpty()) {
            // Deliver in order: never let a later bump succeed while an earlier one is still owed.
            owe(versionKeys, null);
            scheduleRedelivery();
            available();
            waitForDeliveryOrFence();
            return;
        }
        try {
            store.bumpVersions(versionKeys);
        } catch (RuntimeException e) {
            owe(versionKeys, null);
            failed("invalidate", e);
            scheduleRedelivery();
            waitForDeliveryOrFence();
        }
    }

    /**
     * Leases the keys before a write runs. Returns the lease tokens, or {@code null} when the store could not be
     * reached: then the keys are owed as invalidations and delivered when it answers again.
     */
    public String[] lease(String[] versionKeys, long leaseMillis) {
        String[] tokens = new String[versionKeys.length];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = dev.sqlcache.internal.store.VersionTokens.freshLease();
        }
        if (versionKeys.length == 0) {
            return tokens;
        }
        // Tried even in back-off: a write that could have told Redis, and did not, leaves other JVMs an old
        // answer. When the call fails the lease may still have landed (the answer was lost); the write's end ends
        // it by its token either way.
        try {
            store.leaseVersions(versionKeys, tokens, leaseMillis);
            answeredDuringBackoff();
        } catch (RuntimeException e) {
            failed("lease", e);
            leaseOrWaitForFence(versionKeys, tokens, leaseMillis);
        }
        return tokens;
    }

    /**
     * The store answered a write's lease while this JVM was in back-off: leave it now, as a delivered invalidation
     * would, rather than after up to {@link #MAX_BACKOFF_NANOS}. A write that waited for its lease owes nothing
     * afterwards, so no redelivery would end the back-off, and readers would stay off the cache until it expires.
     */
    private void answeredDuringBackoff() {
        if (failing) {
            recover(true);
        }
    }

    /**
     * The lease could not be placed, so other JVMs would not know this write is coming. It runs only once they
     * cannot serve the old answer any more: the lease landed on a retry (the store answers again), or this JVM's
     * membership has lapsed for certain, which takes the fence down for every JVM. Bounded by the membership's
     * lapse (a few seconds, once per outage: later writes find it lapsed already).
     */
    private void leaseOrWaitForFence(String[] versionKeys, String[] tokens, long leaseMillis) {
        long waitStart = System.nanoTime();
        while (!fenced(waitStart)) {
            pause();
            try {
                store.leaseVersions(versionKeys, tokens, leaseMillis);
                answeredDuringBackoff();
                return;
            } catch (RuntimeException retry) {
                statistics.redisError();
            }
        }
    }

    /** Waits until owed invalidations are delivered or this JVM's membership has lapsed for certain. */
    private void waitForDeliveryOrFence() {
        long waitStart = System.nanoTime();
        while (!undeliveredBumps.isEmpty() && !fenced(waitStart)) {
            pause();
        }
    }

    /**
     * Whether no JVM can serve from the cache any more because this one's membership has lapsed; also true when
     * it never joined (nobody to wait for) and, as a safety net, after waiting three membership periods.
     */
    private boolean fenced(long waitStart) {
        Long lapsedAt = membership.lapsedForCertainAtNanos();
        long now = System.nanoTime();
        if (lapsedAt == null || now - lapsedAt >= 0) {
            return true;
        }
        if (now - waitStart > TimeUnit.MILLISECONDS.toNanos(3 * Membership.MEMBER_MILLIS)) {
            LOG.warn("sqlcache: a write waited {} ms for the cache store or the fence; running it",
                    TimeUnit.NANOSECONDS.toMillis(now - waitStart));
            return true;
        }
        return false;
    }

    private static void pause() {
        try {
            Thread.sleep(REDELIVERY_INTERVAL_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Ends a write's leases once it has committed or rolled back, so that its tables are cached again at once. If
     * the store cannot be reached the leases stay (keeping every JVM away from the old entries until they expire)
     * and fresh tokens are owed, delivered as soon as the store answers.
     *
     * @param leaseTokens what {@link #lease} returned; {@code null} when the lease failed (the keys are owed)
     */
    public void endLeases(String[] versionKeys, String[] leaseTokens) {
        if (versionKeys.length == 0) {
            return;
        }
        try {
            store.endLeases(versionKeys, leaseTokens);
        } catch (RuntimeException e) {
            owe(versionKeys, leaseTokens);
            failed("end lease", e);
            scheduleRedelivery();
            // The lease may not cover the write any more (it expired in a long transaction, it never landed, or
            // it was flushed), and the commit is about to return: like a bump, wait until the end is delivered or
            // this JVM's membership has lapsed (it does not renew while it owes), so no JVM serves the old answer.
            waitForDeliveryOrFence();
        }
    }

    private void owe(String[] versionKeys, String[] leaseTokens) {
        long sequence = owedSequence.incrementAndGet();
        for (int i = 0; i < versionKeys.length; i++) {
            undeliveredBumps.put(versionKeys[i], new Owed(sequence, leaseTokens == null ? null : leaseTokens[i]));
        }
    }

    private void failed(String operation, RuntimeException e) {
        statistics.redisError();
        long now = System.nanoTime();
        long backoff = backoffNanos;
        retryAtNanos = now + backoff;
        backoffNanos = Math.min(backoff * 2, MAX_BACKOFF_NANOS);
        failing = true;
        long last = lastLogNanos.get();
        if (now - last >= LOG_INTERVAL_NANOS && lastLogNanos.compareAndSet(last, now)) {
            long suppressed = suppressedLogs.getAndSet(0);
            LOG.warn("sqlcache: cache store {} failed during {} ({}); statements go to the database until it "
                            + "recovers{}", store.describe(), operation, e.getMessage(),
                    suppressed > 0 ? " (" + suppressed + " similar errors not logged)" : "");
        } else {
            suppressedLogs.incrementAndGet();
        }
    }

    @Override
    public void close() {
        membership.close(); // first: it may wait briefly for owed invalidations, which redelivery sends
        closed = true;
        store.close();
    }
}
