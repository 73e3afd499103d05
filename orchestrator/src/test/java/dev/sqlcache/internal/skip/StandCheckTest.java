package dev.sqlcache.internal.skip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlcache.testing.RedisServerFixture;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

/**
 * The group commit of skipping writes' stand checks ({@link StandCheck}) against a private Redis: the check here is
 * one GET of a lease key (the real one, {@code skip_stands.lua}, is tested by SkipPermitCheckTest), so that the
 * server's own counts say how many checks were sent. A check can be held in flight by the test after it read Redis
 * and before its answer returns; which writes its answer reaches is what these tests pin down. No timing: the
 * writes' threads are observed waiting through {@link StandCheck#waiting()}, in bounded loops.
 */
class StandCheckTest {

    private static final String KEY = "sql:items:version:db1";
    private static final String TOKEN = "lease:skip:test";
    private static final Pattern GETS = Pattern.compile("cmdstat_get:calls=(\\d+)");

    private static RedisServerFixture server;
    private static RedisClient redis;

    private final TableSkip table = new TableSkip(KEY, "items", "sql:seq:db1", 0);
    private final StandCheck check = new StandCheck();
    private final AtomicInteger asked = new AtomicInteger();
    /** Counted down by the first check once it has read Redis; it then waits for {@link #release}. */
    private final CountDownLatch firstRead = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private volatile boolean failFirst;
    private ExecutorService writes;

    /** The store's check: whether the key holds the token. The first one is held in flight until released. */
    private final StandCheck.Ask ask = (t, token) -> {
        boolean stands = token.equals(redis.get(t.tableKey));
        if (asked.incrementAndGet() == 1) {
            firstRead.countDown();
            try {
                assertTrue(release.await(30, TimeUnit.SECONDS), "released");
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            if (failFirst) {
                throw new IllegalStateException("no answer");
            }
        }
        return stands;
    };

    @BeforeAll
    static void startRedis() {
        server = RedisServerFixture.start();
        redis = RedisClient.create("127.0.0.1", server.port());
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
        server.close();
    }

    @BeforeEach
    void leased() {
        server.command("FLUSHALL");
        redis.set(KEY, TOKEN);
        server.command("CONFIG", "RESETSTAT");
        writes = Executors.newCachedThreadPool();
    }

    @AfterEach
    void stopWrites() throws InterruptedException {
        release.countDown();
        writes.shutdownNow();
        assertTrue(writes.awaitTermination(30, TimeUnit.SECONDS), "writes ended");
    }

    private static long checksSent() {
        Matcher m = GETS.matcher(redis.info("commandstats"));
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    private Future<Boolean> writeEnds() {
        return writes.submit(() -> check.stands(ask, table, TOKEN));
    }

    /** The first write's check has read Redis and is held before it answers. */
    private Future<Boolean> firstCheckInFlight() throws InterruptedException {
        Future<Boolean> first = writeEnds();
        assertTrue(firstRead.await(30, TimeUnit.SECONDS), "the first check was sent");
        return first;
    }

    private void awaitWaiting(int n) throws InterruptedException {
        for (int i = 0; i < 3_000 && check.waiting() < n; i++) {
            Thread.sleep(10);
        }
        assertEquals(n, check.waiting(), "writes waiting for the next check");
    }

    @Test
    void writesEndingWhileACheckIsInFlightShareTheNextOne() throws Exception {
        Future<Boolean> first = firstCheckInFlight();
        List<Future<Boolean>> later = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            later.add(writeEnds());
        }
        awaitWaiting(3);
        release.countDown();
        assertTrue(first.get(30, TimeUnit.SECONDS));
        for (Future<Boolean> write : later) {
            assertTrue(write.get(30, TimeUnit.SECONDS));
        }
        // One check each was four: the three that ended together share the one begun after them.
        assertEquals(2, checksSent(), "checks for four writes");
    }

    /**
     * The lease goes after the check in flight read it, and a write ends after that: the check's "stands" was read
     * before this write's commit returned and says nothing of it (another JVM may have cached the table since the
     * lease went). The write must take the answer of a check begun after it arrived, which finds the lease gone.
     */
    @Test
    void aCheckInFlightWhenAWriteEndsDoesNotAnswerForIt() throws Exception {
        Future<Boolean> first = firstCheckInFlight();
        redis.del(KEY);
        Future<Boolean> later = writeEnds();
        awaitWaiting(1);
        release.countDown();
        assertTrue(first.get(30, TimeUnit.SECONDS), "the first write's check read the lease before it went");
        assertFalse(later.get(30, TimeUnit.SECONDS), "the later write finds the lease gone");
        assertEquals(2, checksSent());
    }

    /** A check that gives no answer is "gone" for its own write; the writes waiting for the next send their own. */
    @Test
    void aCheckWithoutAnAnswerLeavesTheWaitingWritesToTheNextOne() throws Exception {
        failFirst = true;
        Future<Boolean> first = writes.submit(() -> {
            try {
                return check.stands(ask, table, TOKEN);
            } catch (IllegalStateException e) {
                return false;
            }
        });
        assertTrue(firstRead.await(30, TimeUnit.SECONDS), "the first check was sent");
        Future<Boolean> later = writeEnds();
        awaitWaiting(1);
        release.countDown();
        assertFalse(first.get(30, TimeUnit.SECONDS));
        assertTrue(later.get(30, TimeUnit.SECONDS), "its own check finds the lease standing");
        assertEquals(2, checksSent());
    }

    @Test
    void aWriteEndingAloneSendsItsOwnCheckAtOnce() {
        release.countDown();
        for (int i = 0; i < 3; i++) {
            assertTrue(check.stands(ask, table, TOKEN));
        }
        redis.del(KEY);
        assertFalse(check.stands(ask, table, TOKEN));
        assertEquals(4, checksSent(), "one check per write ending alone");
        assertEquals(0, check.waiting());
    }

    /**
     * An application thread interrupted while its write waits for a check is no sign that the lease went: it takes
     * the next check's answer, as its own check would have answered it (socket I/O ignores interrupts), and keeps
     * its interrupt. Taken for "gone", it bumped the table and ended the permit's local validity, so that every
     * writer of the JVM leased until the next renewal, for one interrupted thread.
     */
    @Test
    void anInterruptedWriteWaitingForACheckTakesTheNextChecksAnswerAndKeepsItsInterrupt() throws Exception {
        Future<Boolean> first = firstCheckInFlight();
        java.util.concurrent.atomic.AtomicReference<Thread> thread = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicBoolean interrupted = new java.util.concurrent.atomic.AtomicBoolean();
        Future<Boolean> later = writes.submit(() -> {
            thread.set(Thread.currentThread());
            boolean stands = check.stands(ask, table, TOKEN);
            interrupted.set(Thread.interrupted());
            return stands;
        });
        awaitWaiting(1);
        thread.get().interrupt();
        release.countDown();
        assertTrue(first.get(30, TimeUnit.SECONDS));
        assertTrue(later.get(30, TimeUnit.SECONDS), "the interrupted write takes the next check's answer");
        assertTrue(interrupted.get(), "the write keeps its interrupt");
        assertEquals(2, checksSent());
    }
}
