package dev.sqlcache.internal.time;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Clock#pause} on an interrupted thread: a write waiting for the fence pauses in a loop, and each pause used
 * to give the flag back before the next one, whose sleep then threw at once, so the loop spun (retrying the store
 * as fast as it failed) until its wait ended.
 */
class ClockPauseTest {

    /** The system clock, counting the sleeps that were cut short by an interrupt. */
    private final AtomicInteger cutShort = new AtomicInteger();
    /** Makes the first sleep find this thread interrupted, as an interrupt arriving while it sleeps does. */
    private boolean interruptInFirstSleep;
    private final Clock clock = new Clock() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public void sleep(long millis) throws InterruptedException {
            if (interruptInFirstSleep) {
                interruptInFirstSleep = false;
                Thread.currentThread().interrupt();
            }
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                cutShort.incrementAndGet();
                throw e;
            }
        }
    };

    @AfterEach
    void clearFlag() {
        Thread.interrupted();
    }

    @Test
    void pausesOnAnInterruptedThreadWaitTheirWholeTimeAndKeepTheFlag() {
        Thread.currentThread().interrupt();
        long start = clock.nanoTime();
        for (int i = 0; i < 10; i++) {
            clock.pause(20);
        }
        // A lower bound only: a pause never ends early, however loaded the machine.
        assertTrue(clock.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(200),
                "ten pauses of 20 ms waited at least 200 ms, not a spin");
        assertEquals(0, cutShort.get(), "no sleep was cut short by the flag the caller already had");
        assertTrue(Thread.currentThread().isInterrupted(), "the flag is kept for the caller");
    }

    @Test
    void anInterruptDuringAPauseIsKeptAndThePauseStillWaitsItsWholeTime() {
        interruptInFirstSleep = true; // as if another thread interrupted this one while it slept
        long start = clock.nanoTime();
        clock.pause(200);
        assertEquals(1, cutShort.get(), "the interrupt arrived during the pause");
        assertTrue(clock.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(200), "the whole pause");
        assertTrue(Thread.currentThread().isInterrupted(), "the flag is kept for the caller");
    }
}
