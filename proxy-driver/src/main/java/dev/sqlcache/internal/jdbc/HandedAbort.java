package dev.sqlcache.internal.jdbc;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The real driver's abort task as handed to the application's executor ({@code Connection.abort(executor)}): run
 * once, then the session is let go. Run by that executor, or by this driver if the executor has not started it
 * within {@link #BOUND_MILLIS}: an executor that accepts the task and never runs it (shut down with a discarding
 * policy, a queue that never drains) would otherwise leave the real connection open, and the session counted in the
 * membership with its transaction's leases, for as long as the JVM lives. pgjdbc alone would leave its socket open
 * then; the application asked for an abort, and the executor was only the means.
 */
final class HandedAbort implements Runnable {

    /**
     * How long the application's executor has to start the task. A working one starts it well within this, even on
     * a loaded machine (the fallback then does nothing); a dropped task keeps its session this long at most, which
     * is short beside the default {@code sqlcache.writeLease} (5 minutes) its transaction's leases would last.
     */
    static final long BOUND_MILLIS = 10_000;

    private final Runnable task;
    private final Runnable then;
    private final AtomicBoolean started = new AtomicBoolean();

    HandedAbort(Runnable task, Runnable then) {
        this.task = task;
        this.then = then;
    }

    @Override
    public void run() {
        if (started.compareAndSet(false, true)) {
            try {
                task.run();
            } finally {
                then.run();
            }
        }
    }

    /** Runs the task after {@code millis} unless it has started by then (on the JDK's own delay thread and pool). */
    void bound(long millis) {
        CompletableFuture.delayedExecutor(millis, TimeUnit.MILLISECONDS).execute(this);
    }
}
