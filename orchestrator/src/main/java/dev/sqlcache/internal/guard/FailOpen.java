package dev.sqlcache.internal.guard;

import dev.sqlcache.internal.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The store's health as the fail-open rule needs it. After a failure the store is skipped for a back-off period
 * (growing from 250 ms to 5 s), so that a slow or dead Redis costs the application at most one timeout per period;
 * every failure is counted, and logged at most once every 30 s with the number left unsaid. After an outage this
 * JVM saw, it trusts what it reads only after a grace period, so that other JVMs' owed invalidations land first.
 */
public final class FailOpen {

    private static final Logger LOG = LoggerFactory.getLogger(FailOpen.class);
    private static final long MIN_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(30);
    /**
     * After an outage this JVM saw, how long it keeps reading from the database: other JVMs retry what they owe
     * every {@link Redelivery#INTERVAL_MILLIS}, so this is ample for their deliveries to land first.
     */
    static final long RECOVERY_GRACE_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    private final String store;
    private final Runnable onError;
    private final Runnable onFenceWait;
    private final Clock clock;
    private final AtomicLong lastLogNanos;
    private final AtomicLong suppressedLogs = new AtomicLong();
    private final AtomicLong recoveries = new AtomicLong();
    private volatile boolean failing;
    private volatile long retryAtNanos;
    private volatile long backoffNanos = MIN_BACKOFF_NANOS;
    private volatile long trustAfterNanos;

    /**
     * @param store   the store's description, for logs
     * @param onError counts one store error
     */
    public FailOpen(String store, Runnable onError, Clock clock) {
        this(store, onError, () -> { }, clock);
    }

    /**
     * @param store       the store's description, for logs
     * @param onError     counts one store error
     * @param onFenceWait counts one write that waits for the store or for the fence
     */
    public FailOpen(String store, Runnable onError, Runnable onFenceWait, Clock clock) {
        this.store = store;
        this.onError = onError;
        this.onFenceWait = onFenceWait;
        this.clock = clock;
        long now = clock.nanoTime();
        this.trustAfterNanos = now;
        this.lastLogNanos = new AtomicLong(now - LOG_INTERVAL_NANOS);
    }

    /** Whether the last call failed and no call has succeeded since. */
    public boolean failing() {
        return failing;
    }

    /** Whether the store is still in back-off after a failure: callers that may skip it do. */
    public boolean inBackoff() {
        return clock.nanoTime() - retryAtNanos < 0;
    }

    /** Whether the grace period after the last recovery is over. */
    boolean trusted() {
        return clock.nanoTime() - trustAfterNanos >= 0;
    }

    /** How many outages this JVM has seen end: each may have been a restart, which a renewal must vouch for. */
    public long recoveries() {
        return recoveries.get();
    }

    /** A call failed: count it, log it (rate-limited) and back off. */
    public void failed(String operation, Throwable e) {
        onError.run();
        long now = clock.nanoTime();
        failing = true;
        if (dev.sqlcache.internal.store.Misconfiguration.of(e) != null) {
            // It will fail the same way until a setting changes (the store logged it once, at ERROR): the longest
            // back-off at once, so that reads do not pay for it more than once per period.
            retryAtNanos = now + MAX_BACKOFF_NANOS;
            backoffNanos = MAX_BACKOFF_NANOS;
            return;
        }
        long backoff = backoffNanos;
        retryAtNanos = now + backoff;
        backoffNanos = Math.min(backoff * 2, MAX_BACKOFF_NANOS);
        long last = lastLogNanos.get();
        if (now - last >= LOG_INTERVAL_NANOS && lastLogNanos.compareAndSet(last, now)) {
            long suppressed = suppressedLogs.getAndSet(0);
            LOG.warn("sqlcache: cache store {} failed during {} ({}); statements go to the database until it "
                            + "recovers{}", store, operation, e.getMessage(),
                    suppressed > 0 ? " (" + suppressed + " similar errors not logged)" : "");
        } else {
            suppressedLogs.incrementAndGet();
        }
    }

    /** A retry on the write path failed again: counted, but neither logged nor lengthening the back-off. */
    public void retryFailed() {
        onError.run();
    }

    /** A write starts waiting for the store or for this JVM's membership to lapse: counted, for operators. */
    void waitingForFence() {
        onFenceWait.run();
    }

    /** A call succeeded: leave back-off; after an outage, trust what is read only after the grace period. */
    public void succeeded() {
        if (failing) {
            recoveries.incrementAndGet();
            LOG.info("sqlcache: cache store {} is reachable again", store);
            trustAfterNanos = clock.nanoTime() + RECOVERY_GRACE_NANOS;
            failing = false;
        }
        backoffNanos = MIN_BACKOFF_NANOS;
    }
}
