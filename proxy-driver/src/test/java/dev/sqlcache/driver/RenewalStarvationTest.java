package dev.sqlcache.driver;

import dev.sqlcache.stats.BypassReason;
import dev.sqlcache.stats.CacheStatistics;
import dev.sqlcache.testing.RedisServerFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Memberships of every store in a JVM are renewed by one shared pool of two threads. A renewal to a frozen Redis
 * holds its thread for the socket timeout (here 5 s, a setting an application may well choose); with two frozen
 * stores both threads are held, the healthy store's renewals stop for seconds, its membership lapses, and every
 * JVM sharing the healthy Redis loses the cache (bypass FENCED) because of a Redis it does not even use.
 */
class RenewalStarvationTest {

    private RedisServerFixture healthy;
    private RedisServerFixture frozenA;
    private RedisServerFixture frozenB;
    private OneRowDatabase db;

    @BeforeEach
    void start() throws Exception {
        healthy = RedisServerFixture.start();
        frozenA = RedisServerFixture.start();
        frozenB = RedisServerFixture.start();
        db = OneRowDatabase.create("starving");
    }

    @AfterEach
    void stop() {
        frozenA.close();
        frozenB.close();
        healthy.close();
    }

    private Connection open(RedisServerFixture redis, String... extra) throws SQLException {
        return db.through(redis.tcpProperties(), extra);
    }

    private int value(Connection c) throws SQLException {
        return db.value(c);
    }

    @Test
    void aFrozenRedisMustNotTakeTheCacheAwayFromAnotherStore() throws Exception {
        try (Connection a = open(frozenA, "sqlcache.redis.socketTimeout", "5s");
             Connection b = open(frozenB, "sqlcache.redis.socketTimeout", "5s");
             Connection reader = open(healthy)) {
            assertEquals(100, value(a));
            assertEquals(100, value(b));
            assertEquals(100, value(reader));
            assertEquals(100, value(reader));

            frozenA.pause();
            frozenB.pause();
            try {
                CacheStatistics before = reader.unwrap(SqlCacheConnection.class).statistics();
                long deadline = System.nanoTime() + 8_000_000_000L;
                while (System.nanoTime() < deadline) {
                    assertEquals(100, value(reader));
                    Thread.sleep(20);
                }
                CacheStatistics delta = reader.unwrap(SqlCacheConnection.class).statistics().since(before);
                assertEquals(0, delta.bypasses(BypassReason.FENCED),
                        "the healthy store lost its fence: " + delta);
            } finally {
                frozenA.resume();
                frozenB.resume();
            }
        }
    }
}
