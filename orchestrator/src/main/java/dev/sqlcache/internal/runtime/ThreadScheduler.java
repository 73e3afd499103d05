package dev.sqlcache.internal.runtime;

import dev.sqlcache.internal.time.Scheduler;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** One daemon thread per runtime, stopped with it: nothing sqlcache starts outlives its runtime. */
final class ThreadScheduler implements Scheduler {

    private final ScheduledExecutorService executor;

    ThreadScheduler(String name) {
        ScheduledThreadPoolExecutor pool = new ScheduledThreadPoolExecutor(1, Scheduler.daemonThreads(name));
        pool.setRemoveOnCancelPolicy(true);
        pool.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.executor = pool;
    }

    @Override
    public void schedule(Runnable task, long delayMillis) {
        try {
            executor.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException shutDown) {
            // The runtime is closing; its work dies with it.
        }
    }

    @Override
    public void repeat(Runnable task, long periodMillis) {
        try {
            executor.scheduleWithFixedDelay(task, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException shutDown) {
            // The runtime is closing.
        }
    }

    /**
     * A single thread with a bounded queue for work that may be dropped when the store cannot keep up (stores of
     * missed results): a full queue rejects instead of growing.
     */
    static java.util.concurrent.ThreadPoolExecutor boundedWorker(String name, int queue) {
        java.util.concurrent.ThreadPoolExecutor worker = new java.util.concurrent.ThreadPoolExecutor(1, 1, 0,
                TimeUnit.MILLISECONDS, new java.util.concurrent.ArrayBlockingQueue<>(queue), Scheduler.daemonThreads(name),
                new java.util.concurrent.ThreadPoolExecutor.AbortPolicy());
        return worker;
    }

    /** Stops the thread, waiting briefly for a task in flight (a renewal) to finish. */
    void shutdown() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
