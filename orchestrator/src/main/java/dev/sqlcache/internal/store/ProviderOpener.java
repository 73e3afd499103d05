package dev.sqlcache.internal.store;

import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The gate in front of opening a connection provider that must first ask the servers something (the sentinels for
 * the primary, a cluster for its slot map), which may take a timeout per server that does not answer: one thread
 * asks while the others fail at once (their statements go to the database) rather than queue behind it, and after
 * a failure every caller fails at once for a while rather than ask again per command.
 *
 * @param <T> the provider opened
 */
final class ProviderOpener<T> {

    /** Held by the one thread asking; may be shared with other work that must not run at the same time. */
    private final ReentrantLock asking;
    private final long retryNanos;
    /** Guarded by {@code this}, as are the next two. */
    private long failedAtNanos;
    private boolean failedOnce;
    private RuntimeException lastFailure;

    ProviderOpener(ReentrantLock asking, long retryNanos) {
        this.asking = asking;
        this.retryNanos = retryNanos;
    }

    /**
     * Runs {@code opening} on this thread, unless another thread is running it ({@code busy} is thrown) or it failed
     * less than the retry period ago ({@code recentlyFailed}, given that failure, is thrown). A failure of
     * {@code opening} is remembered, then rethrown.
     */
    T open(Supplier<T> opening, Supplier<RuntimeException> busy,
           Function<RuntimeException, RuntimeException> recentlyFailed) {
        if (!asking.tryLock()) {
            throw busy.get();
        }
        try {
            synchronized (this) {
                if (failedOnce && System.nanoTime() - failedAtNanos < retryNanos) {
                    throw recentlyFailed.apply(lastFailure);
                }
            }
            try {
                return opening.get();
            } catch (RuntimeException e) {
                synchronized (this) {
                    failedOnce = true;
                    failedAtNanos = System.nanoTime();
                    lastFailure = e;
                }
                throw e;
            }
        } finally {
            asking.unlock();
        }
    }
}
