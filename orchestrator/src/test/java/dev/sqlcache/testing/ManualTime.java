package dev.sqlcache.testing;

import dev.sqlcache.internal.time.Clock;
import dev.sqlcache.internal.time.Scheduler;

import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;

/**
 * A clock and a scheduler that only move when a test (or code that pauses) advances them: background work runs on
 * the caller's thread at the simulated moment it was due. Seconds of lapses, back-offs and waits then take
 * microseconds, and every interleaving is exactly reproducible. Not thread-safe: one test thread drives it.
 */
public final class ManualTime implements Clock, Scheduler {

    private record Task(long at, long sequence, Runnable work, long periodNanos, Lane lane)
            implements Comparable<Task> {
        @Override
        public int compareTo(Task other) {
            int byTime = Long.compare(at, other.at);
            return byTime != 0 ? byTime : Long.compare(sequence, other.sequence);
        }
    }

    private final PriorityQueue<Task> tasks = new PriorityQueue<>();
    private long now = TimeUnit.DAYS.toNanos(1);
    private long sequence;
    private boolean running;

    /** How often the clock was read: what a path costs in clock readings, which tests may bound. */
    private final java.util.concurrent.atomic.AtomicLong reads = new java.util.concurrent.atomic.AtomicLong();

    @Override
    public long nanoTime() {
        reads.incrementAndGet();
        return now;
    }

    /** How many times {@link #nanoTime} was called so far. */
    public long reads() {
        return reads.get();
    }

    /** Advances the clock; tasks that fall due run, in order, each at its own moment. */
    @Override
    public void sleep(long millis) {
        advance(millis);
    }

    public void advance(long millis) {
        advanceNanos(TimeUnit.MILLISECONDS.toNanos(millis));
    }

    public void advanceNanos(long nanos) {
        long target = now + nanos;
        if (running) {
            // Code run by a task paused: let time pass for it, but do not start other tasks inside it.
            now = target;
            return;
        }
        while (!tasks.isEmpty() && tasks.peek().at() <= target) {
            Task task = tasks.poll();
            if (task.lane() != null && task.lane().stopped) {
                continue;
            }
            now = Math.max(now, task.at());
            running = true;
            try {
                task.work().run();
            } finally {
                running = false;
            }
            if (task.periodNanos() > 0) {
                tasks.add(new Task(now + task.periodNanos(), sequence++, task.work(), task.periodNanos(), task.lane()));
            }
        }
        now = Math.max(now, target);
    }

    @Override
    public void schedule(Runnable task, long delayMillis) {
        add(task, delayMillis, 0, null);
    }

    @Override
    public void repeat(Runnable task, long periodMillis) {
        add(task, periodMillis, periodMillis, null);
    }

    private void add(Runnable task, long delayMillis, long periodMillis, Lane lane) {
        tasks.add(new Task(now + TimeUnit.MILLISECONDS.toNanos(delayMillis), sequence++, task,
                TimeUnit.MILLISECONDS.toNanos(periodMillis), lane));
    }

    /** A scheduler of its own on this clock, for one simulated JVM, whose work can be stopped as a kill would. */
    public Lane lane() {
        return new Lane();
    }

    /** The background work of one simulated JVM. */
    public final class Lane implements Scheduler {
        private boolean stopped;

        @Override
        public void schedule(Runnable task, long delayMillis) {
            if (!stopped) {
                add(task, delayMillis, 0, this);
            }
        }

        @Override
        public void repeat(Runnable task, long periodMillis) {
            if (!stopped) {
                add(task, periodMillis, periodMillis, this);
            }
        }

        /** Nothing scheduled here runs again: the JVM was killed (or its runtime closed). */
        public void stop() {
            stopped = true;
        }
    }
}
