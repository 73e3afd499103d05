package dev.sqlcache.driver;

import dev.sqlcache.stats.CacheStatistics;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.util.List;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Redis stopped or frozen in the middle of work: the application keeps working on the database, and once Redis is
 * back no entry written before a missed invalidation is served.
 */
class RedisOutageTest extends RedisBackedTest {

    private static final TestDatabase DB = TestDatabase.H2;
    private static final String READ = "select stock from outage where id = 1";

    private static Properties fastFailing() {
        return settings("sqlcache.redis.socketTimeout", "200ms", "sqlcache.redis.socketConnectTimeout", "200ms");
    }

    private static void prepare(Connection c) throws Exception {
        exec(c, "drop table if exists outage", "create table outage (id int primary key, stock int)",
                "insert into outage values (1, 100)");
    }

    @Test
    void aWriteWhileRedisIsFrozenLeavesNoStaleEntryOnceItThaws() throws Exception {
        try (Connection reader = DB.cached(fastFailing()); Connection writer = DB.cached(fastFailing())) {
            prepare(writer);
            assertEquals(List.of(List.of("100")), rows(reader, READ));
            assertEquals(List.of(List.of("100")), rows(reader, READ));
            redis.pause();
            try {
                CacheStatistics before = stats(writer);
                exec(writer, "update outage set stock = 1 where id = 1");
                assertEquals(List.of(List.of("1")), rows(reader, READ), "reads go to the database");
                assertTrue(stats(writer).since(before).redisErrors() > 0, "the failure is counted");
            } finally {
                redis.resume();
            }
            // The old entry (100) is still in Redis: it must never come back.
            assertServedCorrectlyUntilHitsResume(reader, "1");
        }
    }

    @Test
    void redisStoppedAndRestartedKeepsQueriesWorking() throws Exception {
        try (Connection c = DB.cached(fastFailing())) {
            prepare(c);
            assertEquals(List.of(List.of("100")), rows(c, READ));
            redis.stop();
            try {
                assertEquals(List.of(List.of("100")), rows(c, READ));
                exec(c, "update outage set stock = 5 where id = 1");
                assertEquals(List.of(List.of("5")), rows(c, READ));
            } finally {
                redis.restart();
            }
            assertServedCorrectlyUntilHitsResume(c, "5");
        }
    }

    /** Reads until the cache serves hits again (bounded), checking every answer on the way. */
    private static void assertServedCorrectlyUntilHitsResume(Connection c, String expected) throws Exception {
        CacheStatistics start = stats(c);
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (System.nanoTime() < deadline) {
            assertEquals(List.of(List.of(expected)), rows(c, READ));
            if (stats(c).since(start).hits() > 0) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the cache did not recover within 15 s: " + stats(c).since(start));
    }
}
