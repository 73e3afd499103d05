package dev.sqlcache.internal.feed;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One consumer per slot among the JVMs sharing a store: a lease in the store that its holder renews while it
 * consumes, and that another JVM takes once it has expired (the holder died or was cut off from the store). The slot
 * itself admits one reader at a time, so two holders at once (a late renewal) can only make the newer one wait.
 */
final class ConsumerElection {

    private static final Logger LOG = LoggerFactory.getLogger(ConsumerElection.class);

    private final FeedStore store;
    private final String leaseKey;
    private final String candidate;
    private final long leaseMillis;

    ConsumerElection(FeedStore store, String slot, String candidate, long leaseMillis) {
        this.store = store;
        this.leaseKey = FeedStore.LEASE_PREFIX + slot;
        this.candidate = candidate;
        this.leaseMillis = leaseMillis;
    }

    /** Takes or renews the lease; false when another JVM holds it or the store cannot be reached. */
    boolean hold() {
        try {
            return store.holdLease(leaseKey, candidate, leaseMillis);
        } catch (RuntimeException e) {
            LOG.debug("sqlcache: change feed lease {} not renewed: {}", leaseKey, e.toString());
            return false;
        }
    }

    /** Gives the lease up (on close), so that another JVM takes over without waiting for it to expire. */
    void release() {
        try {
            store.releaseLease(leaseKey, candidate);
        } catch (RuntimeException e) {
            LOG.debug("sqlcache: change feed lease {} not released (it expires by itself): {}", leaseKey,
                    e.toString());
        }
    }

    long leaseMillis() {
        return leaseMillis;
    }

    String candidate() {
        return candidate;
    }
}
