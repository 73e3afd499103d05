package dev.sqlcache.sample;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Says how far a run has got, every few seconds, so that a long run does not look hung. Plain lines only, never
 * escape codes or carriage returns: the output is as often a file, a pipe or a CI log as a terminal.
 */
final class Progress implements AutoCloseable {

    private final AtomicLong done = new AtomicLong();
    private final ScheduledExecutorService timer;

    /**
     * @param out          where the lines go; {@code null} for none
     * @param periodMillis how often a line is printed while the run lasts
     */
    Progress(PrintStream out, String label, long total, long periodMillis) {
        if (out == null) {
            timer = null;
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "sample-progress");
            thread.setDaemon(true);
            return thread;
        });
        timer.scheduleAtFixedRate(() -> {
            long now = done.get();
            if (now < total) {
                out.printf(Locale.ROOT, "  %s: %,d of %,d statements (%d%%)%n", label, now, total, now * 100 / total);
            }
        }, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    }

    /** One more statement done; thread-safe. */
    void step() {
        done.incrementAndGet();
    }

    /** Stops the lines; a line being printed is finished first, so none follows the run's own output. */
    @Override
    public void close() {
        if (timer != null) {
            timer.shutdown();
            try {
                timer.awaitTermination(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
