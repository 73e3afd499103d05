package dev.sqlcache.internal.guard;

import dev.sqlcache.internal.store.CacheStore;
import dev.sqlcache.internal.store.CacheStoreException;
import dev.sqlcache.internal.time.Clock;
import dev.sqlcache.internal.time.Scheduler;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Decides whether the cache may be used right now, and brings it back after a failure: delivers owed
 * invalidations (or checks that the store answers) and leaves back-off on success. Other JVMs sharing the store
 * do not know this one owes an invalidation, so what is owed is also retried in the background every
 * {@link #INTERVAL_MILLIS}, not only when this JVM happens to run another statement.
 */
public final class Redelivery {

    /**
     * How often owed invalidations are retried in the background. Another JVM may serve an old answer from the
     * moment Redis answers again until this JVM delivers, so the interval is short; the attempts run off the
     * application's threads.
     */
    public static final long INTERVAL_MILLIS = 10;
    /**
     * The interval while the store refuses the deliveries for a misconfiguration: nothing lands until someone
     * changes a setting, and a JVM that could not deliver has either never joined (it fences nobody, and the others
     * do not wait for it either way) or lapsed (the fence stays down until it has delivered): retrying a hundred
     * times a second would only load the server.
     */
    static final long MISCONFIGURED_INTERVAL_MILLIS = 1000;

    private final CacheStore store;
    private final FailOpen failOpen;
    private final OwedInvalidations owed;
    private final Scheduler scheduler;
    private final Object lock = new Object();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private volatile boolean stopped;
    /** Whether the last background retry failed for a misconfiguration. */
    private volatile boolean misconfigured;

    public Redelivery(CacheStore store, FailOpen failOpen, OwedInvalidations owed, Scheduler scheduler) {
        this.store = store;
        this.failOpen = failOpen;
        this.owed = owed;
        this.scheduler = scheduler;
    }

    /**
     * Whether the cache may be used right now: the store is not in back-off and every earlier invalidation has
     * been delivered. Tries to deliver pending invalidations when the back-off has expired.
     */
    public boolean available() {
        if (!failOpen.failing() && owed.isEmpty()) {
            return failOpen.trusted();
        }
        if (failOpen.inBackoff()) {
            return false;
        }
        return recover(false) && failOpen.trusted();
    }

    /**
     * Delivers owed invalidations (or checks the store answers) and leaves back-off on success.
     *
     * @param background a retry off the application's threads: ignores the back-off, and a failure neither
     *                   counts nor lengthens it
     * @return whether nothing is owed any more
     */
    boolean recover(boolean background) {
        synchronized (lock) {
            if (!background && failOpen.inBackoff()) {
                return false;
            }
            try {
                if (!owed.isEmpty()) {
                    owed.deliver(store);
                } else if (!store.ping()) {
                    throw new CacheStoreException("ping failed");
                }
                failOpen.succeeded();
                return owed.isEmpty();
            } catch (RuntimeException | LinkageError e) {
                if (!background) {
                    failOpen.failed("recovery", e);
                } else {
                    misconfigured = dev.sqlcache.internal.store.Misconfiguration.of(e) != null;
                }
                return false;
            }
        }
    }

    /** Retries what is owed in the background until it is delivered. */
    void schedule() {
        schedule(INTERVAL_MILLIS);
    }

    private void schedule(long delayMillis) {
        if (!stopped && scheduled.compareAndSet(false, true)) {
            scheduler.schedule(this::redeliver, delayMillis);
        }
    }

    private void redeliver() {
        scheduled.set(false);
        if (stopped || owed.isEmpty()) {
            return;
        }
        misconfigured = false;
        recover(true);
        if (!owed.isEmpty()) {
            schedule(misconfigured ? MISCONFIGURED_INTERVAL_MILLIS : INTERVAL_MILLIS);
        }
    }

    /**
     * One last attempt to deliver what is owed, retried until {@code deadlineNanos} on the caller's thread: for a
     * runtime that is closing. Background retries stop.
     *
     * @return whether nothing is owed any more
     */
    public boolean deliverBeforeClosing(Clock clock, long deadlineNanos) {
        stopped = true;
        while (!owed.isEmpty()) {
            if (recover(true)) {
                return true;
            }
            if (clock.nanoTime() - deadlineNanos >= 0) {
                return false;
            }
            clock.pause(INTERVAL_MILLIS);
        }
        return true;
    }
}
