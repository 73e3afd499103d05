package dev.sqlcache.driver;

import dev.sqlcache.stats.CacheStatistics;
import dev.sqlcache.testing.RedisServerFixture;
import dev.sqlcache.testing.TcpRelay;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.sql.Connection;
import java.sql.SQLException;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The opening of the tests that stand two runtimes (two JVMs) against one private redis-server: one reaches it
 * directly ({@link #redis}'s port), the other through a relay the test can cut ({@link #relay}'s port), both on a
 * one-row table of their own.
 */
abstract class TwoRuntimesOnOneRedis {

    private final String table;
    RedisServerFixture redis;
    TcpRelay relay;
    OneRowDatabase db;

    TwoRuntimesOnOneRedis(String table) {
        this.table = table;
    }

    @BeforeEach
    void startRedisAndRelay() throws Exception {
        redis = RedisServerFixture.start();
        relay = TcpRelay.to(redis.port());
        db = OneRowDatabase.create(table);
    }

    @AfterEach
    void stopRedisAndRelay() {
        relay.close();
        redis.close();
    }

    static CacheStatistics stats(Connection c) throws SQLException {
        return c.unwrap(SqlCacheConnection.class).statistics();
    }

    /** Reads until the near cache answers (its lease needs one renewal to come back through the subscription). */
    void untilNearHit(Connection c, int expected) throws Exception {
        untilNearHit(c, expected, db::value);
    }

    /** How a test reads its row's value on a connection. */
    @FunctionalInterface
    interface RowValue {
        int of(Connection c) throws SQLException;
    }

    /** {@link #untilNearHit(Connection, int)} for a test with a table of its own, read by {@code value}. */
    static void untilNearHit(Connection c, int expected, RowValue value) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            long before = stats(c).nearHits();
            assertEquals(expected, value.of(c));
            if (stats(c).nearHits() > before) {
                return;
            }
            Thread.sleep(5);
        }
        throw new AssertionError("no near hit within 10 s: " + stats(c));
    }
}
