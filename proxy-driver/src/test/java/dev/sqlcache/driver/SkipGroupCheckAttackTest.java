package dev.sqlcache.driver;

import dev.sqlcache.stats.CacheStatistics;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attack on the group commit of skipping writes' stand checks (StandCheck, docs/consistency.md, "Tables nobody
 * caches", "Writes that end together share one check") through the driver, two runtimes on one Redis: A writes a
 * table it has pinned off under its skip permit, B caches it. A stand check that has read the permit's lease is kept
 * on its way back (its reply held by a relay); the lease is then deleted (an eviction, a DEL), B caches the table,
 * and a second skipping write of A commits and ends while that check is still in flight. The check's "stands" was
 * read before the second write's commit: were it taken as the second write's answer, the write would return without
 * invalidating, and B would go on serving the row from before it.
 */
class SkipGroupCheckAttackTest extends TwoRuntimesOnOneRedis {

    private static final String TABLE = "grouped";
    private static final long PATIENCE_NANOS = 30_000_000_000L;
    /** A stand check (skip_stands.lua): the table's version keys and the permit's token, no cachers set. */
    private static final Pattern STAND_CHECK =
            Pattern.compile("(?s)^(?!.*:cachers).*EVALSHA.*sql:" + TABLE + ":version:.*\r\nlease:skip:");
    /** A renewal of the permit names the table's cachers set, then its version keys. */
    private static final Pattern RENEWAL = Pattern.compile(":cachers\r\n\\$\\d+\r\nsql:");

    SkipGroupCheckAttackTest() {
        super(TABLE);
    }

    /** A connection of A: the table pinned off, a socket timeout long enough for the held reply. */
    private Connection a(int port) throws SQLException {
        return db.through(port, "sqlcache.tablePolicy", TABLE + "=off", "sqlcache.redis.socketTimeout", "20s");
    }

    private void untilPermit(Connection c) throws Exception {
        long deadline = System.nanoTime() + PATIENCE_NANOS;
        for (int v = 1; stats(c).skipPermits() == 0; v++) {
            assertTrue(System.nanoTime() < deadline, "no skip permit within 30 s: " + stats(c));
            db.update(c, v);
            Thread.sleep(50);
        }
    }

    /** Whether the thread waits in a shared stand check (for the next one to be begun and answered). */
    private static boolean waitingForACheck(Thread thread) {
        if (thread.getState() != Thread.State.WAITING) {
            return false;
        }
        for (StackTraceElement frame : thread.getStackTrace()) {
            if (frame.getClassName().endsWith(".StandCheck") && frame.getMethodName().equals("stands")) {
                return true;
            }
        }
        return false;
    }

    @Test
    void aCheckInFlightWhenTheLeaseGoesDoesNotVouchForAWriteThatEndsAfterIt() throws Exception {
        ExecutorService writers = Executors.newFixedThreadPool(2);
        try (ScriptedRelay scripted = ScriptedRelay.to(redis.port());
             Connection a1 = a(scripted.port()); Connection a2 = a(scripted.port());
             Connection b = db.through(relay.port())) {
            untilPermit(a1);
            // From now on A's renewals arrive late, so that A keeps its permit locally (up to 3.75 s after the last
            // renewal answered) and does not see the lease gone before the second write ends.
            scripted.delayRequests(10_000, RENEWAL);
            Thread.sleep(100);
            CacheStatistics aBefore = stats(a1);
            scripted.holdReplyOnce(STAND_CHECK);
            Future<?> first = writers.submit(() -> {
                db.update(a1, 200);
                return null;
            });
            assertTrue(scripted.replyHeld(), "the first write's check was sent and answered by Redis");
            // The check read the lease standing; now the lease goes, and B caches the table (the first write's
            // value: committed before that check was sent, so "stands" vouched for it rightly).
            try (redis.clients.jedis.Jedis jedis = new redis.clients.jedis.Jedis(redis.host(), redis.port())) {
                for (String key : jedis.keys("sql:" + TABLE + ":version:*")) {
                    if (!key.endsWith(":cachers") && !key.contains("holders")) {
                        jedis.del(key);
                    }
                }
            }
            CacheStatistics bBefore = stats(b);
            long deadline = System.nanoTime() + 2_000_000_000L;
            while (stats(b).since(bBefore).hits() == 0) {
                assertTrue(System.nanoTime() < deadline, "B cached nothing: " + stats(b).since(bBefore));
                assertEquals(200, db.value(b));
                Thread.sleep(10);
            }
            // The second write commits, then ends while the first check is still in flight.
            AtomicReference<Thread> secondThread = new AtomicReference<>();
            Future<?> second = writers.submit(() -> {
                secondThread.set(Thread.currentThread());
                db.update(a2, 300);
                return null;
            });
            for (int i = 0; i < 2_000 && (secondThread.get() == null || !waitingForACheck(secondThread.get())); i++) {
                Thread.sleep(5);
            }
            assertTrue(secondThread.get() != null && waitingForACheck(secondThread.get()),
                    "the second write's end waits for a check while the first is in flight");
            scripted.releaseReply();
            first.get(30, TimeUnit.SECONDS);
            second.get(30, TimeUnit.SECONDS);
            assertEquals(2, stats(a1).since(aBefore).skippedWrites(), "both writes skipped under the permit");
            assertEquals(300, db.value(b), "B's read after A's second write returned");
            assertEquals(300, db.value(b), "B's second read after A's second write returned");
        } finally {
            writers.shutdownNow();
            assertTrue(writers.awaitTermination(30, TimeUnit.SECONDS), "writers ended");
        }
    }

    /**
     * Liveness: Redis frozen while skipping writes of four connections end together. The first write's check times
     * out; the writes that ended meanwhile wait for it, then for the next one, which times out as well: every one
     * of them must return (having invalidated, as under any check without an answer), none may wait for a check
     * that never comes, and once Redis is back B reads what the last of them wrote.
     */
    @Test
    void writesEndingTogetherWithRedisFrozenAllReturnAndInvalidate() throws Exception {
        String[] fast = {"sqlcache.tablePolicy", TABLE + "=off", "sqlcache.redis.socketTimeout", "200ms",
                "sqlcache.redis.socketConnectTimeout", "200ms"};
        int writers = 4;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        java.util.List<Connection> as = new java.util.ArrayList<>();
        try (Connection b = db.through(relay.port(), "sqlcache.redis.socketTimeout", "200ms",
                "sqlcache.redis.socketConnectTimeout", "200ms")) {
            for (int i = 0; i < writers; i++) {
                as.add(db.through(redis.port(), fast));
            }
            untilPermit(as.get(0));
            CacheStatistics aBefore = stats(as.get(0));
            java.util.List<Thread> threads = new java.util.concurrent.CopyOnWriteArrayList<>();
            java.util.List<Future<?>> writes = new java.util.ArrayList<>();
            redis.pause();
            try {
                for (int i = 0; i < writers; i++) {
                    Connection a = as.get(i);
                    int value = 1_001 + i;
                    writes.add(pool.submit(() -> {
                        threads.add(Thread.currentThread());
                        db.update(a, value);
                        return null;
                    }));
                }
                boolean shared = false;
                for (int i = 0; i < 2_000 && !shared; i++) {
                    for (Thread t : threads) {
                        shared |= waitingForACheck(t);
                    }
                    if (!shared) {
                        Thread.sleep(1);
                    }
                    if (writes.stream().allMatch(Future::isDone)) {
                        break;
                    }
                }
                assertTrue(shared, "a write waited for a check in flight (the writes ended together)");
                for (Future<?> write : writes) {
                    write.get(60, TimeUnit.SECONDS); // bounded: no write waits for a check that never comes
                }
            } finally {
                redis.resume();
            }
            assertEquals(writers, stats(as.get(0)).since(aBefore).skippedWrites(), "every write skipped");
            int last;
            try (Connection plain = db.plain()) {
                last = db.value(plain);
            }
            assertEquals(last, db.value(b), "B's read after the writes returned, Redis back");
            assertEquals(last, db.value(b), "B's second read");
        } finally {
            pool.shutdownNow();
            for (Connection a : as) {
                a.close();
            }
            assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS), "writers ended");
        }
    }
}
