package dev.sqlcache.internal.time;

/**
 * Time as the engine sees it: a monotonic reading and a pause. Every lapse, back-off and wait the engine judges
 * goes through one of these, so that tests can drive them with a clock they advance by hand and decide in
 * milliseconds what takes seconds in production.
 */
public interface Clock {

    /** The system's monotonic clock and real sleeps. */
    Clock SYSTEM = new Clock() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public void sleep(long millis) throws InterruptedException {
            Thread.sleep(millis);
        }
    };

    /** Monotonic nanoseconds, as {@link System#nanoTime()}: only differences mean anything. */
    long nanoTime();

    /** Waits about that long (a test clock advances itself instead). */
    void sleep(long millis) throws InterruptedException;

    /**
     * {@link #sleep} that waits the whole time even on an interrupted thread, and keeps the interrupt flag for the
     * caller: for waits that must finish. Setting the flag again before the next sleep, as this once did, made that
     * sleep throw at once: a loop of pauses on an interrupted thread (a write waiting for the fence) spun without
     * sleeping, retrying the store as fast as it failed, until its wait ended.
     */
    default void pause(long millis) {
        boolean interrupted = Thread.interrupted();
        long end = nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(millis);
        try {
            long left = millis;
            while (left > 0) {
                try {
                    sleep(left);
                } catch (InterruptedException e) {
                    interrupted = true; // the flag is clear now: the next sleep waits
                }
                // Rounded up: a sleep never ends before the time it was given, so this ends the loop on a clock
                // that advances itself by exactly what it sleeps.
                left = java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(end - nanoTime() + 999_999);
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Milliseconds on this clock, for stores that keep their own (the in-process store's "server clock"). */
    default long millis() {
        return nanoTime() / 1_000_000;
    }
}
