package dev.sqlcache.internal.membership;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Review r15 of h15: connections of one JVM open and close on many threads at once, on both sides of a failover
 * (the old primary's entry and the promoted server's), while the renewal thread reads the text. Whatever the
 * interleaving, the text read after a connection registered its entry, and before it closed, names that entry: a
 * renewal can never publish a text that leaves out an entry a live connection holds (a lost count would retire
 * it, and a check would then never look at that connection's lock).
 */
class DatabaseRegistrationRacesTest {

    private static final String OLD = "db1@7/5/00000001";
    private static final String PROMOTED = "db1@7/5/00000002";

    @Test
    void anEntryAnOpenConnectionHoldsIsNeverLeftOutOfTheText() throws Exception {
        DatabaseRegistration registration = new DatabaseRegistration();
        int threads = 4;
        int rounds = 20_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            java.util.List<Future<String>> results = new java.util.ArrayList<>();
            for (int t = 0; t < threads; t++) {
                results.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < rounds; i++) {
                        String entry = ThreadLocalRandom.current().nextBoolean() ? OLD : PROMOTED;
                        registration.hold(entry);
                        SessionLock lock = new SessionLock(entry, 0, true).registeredIn(registration);
                        Thread.yield();
                        String text = registration.text();
                        if (!DatabaseRegistration.entries(text).contains(entry)) {
                            return "held " + entry + " but the text was '" + text + "'";
                        }
                        lock.release();
                        lock.release(); // a second close gives nothing back twice
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<String> result : results) {
                String failure = result.get(5, TimeUnit.MINUTES);
                assertTrue(failure == null, failure);
            }
            // Everything closed: one entry is left (the last released stays while nothing replaces it).
            SessionLock last = new SessionLock(OLD, 0, true).registeredIn(registration);
            registration.hold(OLD);
            assertTrue(registration.text().equals(OLD), "only the held entry: " + registration.text());
            last.release();
        } finally {
            pool.shutdownNow();
        }
    }
}
