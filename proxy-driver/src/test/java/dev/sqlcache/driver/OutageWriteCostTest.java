package dev.sqlcache.driver;

import dev.sqlcache.stats.CacheStatistics;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * During a Redis outage or freeze only the first write waits (until this JVM's membership has lapsed for certain);
 * the writes after it go straight to the database, without calling the frozen or dead Redis. Counted, not timed:
 * {@link CacheStatistics#fenceWaits()} says which writes waited, and the Redis errors counted on the application's
 * threads say whether a later write still tried Redis (which, frozen, costs a socket timeout per call). The times
 * are printed for the record.
 */
class OutageWriteCostTest extends RedisBackedTest {

    private static final TestDatabase DB = TestDatabase.H2;
    private static final String READ = "select stock from outage_cost where id = 1";
    /** A table nobody writes during the outage: the cache must serve it again once Redis is back. */
    private static final String QUIET = "select stock from outage_quiet where id = 1";
    private static final int LATER_WRITES = 8;

    @Test
    void aFrozenRedisDelaysOnlyTheFirstWrite() throws Exception {
        try (Connection c = DB.cached(settings())) {
            prepare(c);
            redis.pause();
            try {
                writeThroughTheOutage(c, "freeze");
            } finally {
                redis.resume();
            }
            assertServedCorrectlyUntilHitsResume(c, Integer.toString(LATER_WRITES + 1));
        }
    }

    @Test
    void aKilledRedisDelaysOnlyTheFirstWrite() throws Exception {
        try (Connection c = DB.cached(settings())) {
            prepare(c);
            redis.stop();
            try {
                writeThroughTheOutage(c, "kill");
            } finally {
                redis.restart();
            }
            assertServedCorrectlyUntilHitsResume(c, Integer.toString(LATER_WRITES + 1));
        }
    }

    private static void prepare(Connection c) throws Exception {
        exec(c, "drop table if exists outage_cost", "create table outage_cost (id int primary key, stock int)",
                "insert into outage_cost values (1, 0)", "drop table if exists outage_quiet",
                "create table outage_quiet (id int primary key, stock int)", "insert into outage_quiet values (1, 7)");
        CacheStatistics start = stats(c);
        for (int i = 0; i < 50 && stats(c).since(start).hits() == 0; i++) {
            assertEquals(List.of(List.of("0")), rows(c, READ));
            assertEquals(List.of(List.of("7")), rows(c, QUIET));
            Thread.sleep(20);
        }
        assertTrue(stats(c).since(start).hits() > 0, "cached before the outage: " + stats(c).since(start));
    }

    private static void writeThroughTheOutage(Connection c, String fault) throws Exception {
        CacheStatistics before = stats(c);
        long started = System.nanoTime();
        exec(c, "update outage_cost set stock = 1 where id = 1");
        long firstMillis = (System.nanoTime() - started) / 1_000_000;
        CacheStatistics afterFirst = stats(c);
        assertEquals(1, afterFirst.since(before).fenceWaits(), "the first write waited for the fence: "
                + afterFirst.since(before));

        long slowest = 0;
        long total = 0;
        for (int i = 2; i <= LATER_WRITES + 1; i++) {
            long t = System.nanoTime();
            exec(c, "update outage_cost set stock = " + i + " where id = 1");
            long millis = (System.nanoTime() - t) / 1_000_000;
            slowest = Math.max(slowest, millis);
            total += millis;
        }
        CacheStatistics later = stats(c).since(afterFirst);
        System.out.printf("OutageWriteCostTest (%s): first write %d ms; %d later writes %d ms in all, slowest %d ms;"
                + " later: %d fence waits, %d Redis errors%n", fault, firstMillis, LATER_WRITES, total, slowest,
                later.fenceWaits(), later.redisErrors());
        assertEquals(0, later.fenceWaits(), "no later write waited: " + later);
        assertEquals(0, later.redisErrors(), "no later write called Redis: " + later);
        assertEquals(List.of(List.of(Integer.toString(LATER_WRITES + 1))), rows(c, READ), "reads go to the database");
    }

    /**
     * Reads until the cache serves the quiet table again (bounded), checking every answer of the written one on the
     * way. Hits on the written table itself may take longer: a lease attempt the frozen server received may be
     * executed after the write's end was delivered, and then keeps the table uncached until it expires.
     */
    private static void assertServedCorrectlyUntilHitsResume(Connection c, String expected) throws Exception {
        CacheStatistics start = stats(c);
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (System.nanoTime() < deadline) {
            assertEquals(List.of(List.of(expected)), rows(c, READ));
            assertEquals(List.of(List.of("7")), rows(c, QUIET));
            if (stats(c).since(start).table("outage_quiet").hits() > 0) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the cache did not recover within 15 s: " + stats(c).since(start));
    }
}
