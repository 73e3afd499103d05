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

    /** {@link #sleep} that keeps the interrupt flag instead of throwing: for waits that must finish. */
    default void pause(long millis) {
        try {
            sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Milliseconds on this clock, for stores that keep their own (the in-process store's "server clock"). */
    default long millis() {
        return nanoTime() / 1_000_000;
    }
}
