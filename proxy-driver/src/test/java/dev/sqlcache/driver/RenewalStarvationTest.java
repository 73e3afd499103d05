package dev.sqlcache.driver;

import dev.sqlcache.stats.BypassReason;
import dev.sqlcache.stats.CacheStatistics;
import dev.sqlcache.testing.RedisServerFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Memberships of every store in a JVM are renewed by one shared pool of two threads. A renewal to a frozen Redis
 * holds its thread for the socket timeout (here 5 s, a setting an application may well choose); with two frozen
 * stores both threads are held, the healthy store's renewals stop for seconds, its membership lapses, and every
 * JVM sharing the healthy Redis loses the cache (bypass FENCED) because of a Redis it does not even use.
 */
class RenewalStarvationTest {

    private static final String QUERY = "select v from starving where id = 1";

    private RedisServerFixture healthy;
    private RedisServerFixture frozenA;
    private RedisServerFixture frozenB;
    private String h2Url;

    @BeforeEach
    void start() throws Exception {
        healthy = RedisServerFixture.start();
        frozenA = RedisServerFixture.start();
        frozenB = RedisServerFixture.start();
        h2Url = "jdbc:h2:mem:starving_" + UUID.randomUUID().toString().replace("-", "") + ";DB_CLOSE_DELAY=-1";
        try (Connection c = DriverManager.getConnection(h2Url, "sa", ""); Statement s = c.createStatement()) {
            s.execute("create table starving(id int primary key, v int)");
            s.execute("insert into starving values (1, 100)");
        }
    }

    @AfterEach
    void stop() {
        frozenA.close();
        frozenB.close();
        healthy.close();
    }

    private Connection open(RedisServerFixture redis, String... extra) throws SQLException {
        Properties p = new Properties();
        p.putAll(redis.tcpProperties());
        p.setProperty("user", "sa");
        p.setProperty("password", "");
        for (int i = 0; i < extra.length; i += 2) {
            p.setProperty(extra[i], extra[i + 1]);
        }
        return DriverManager.getConnection("jdbc:sqlcache:" + h2Url.substring("jdbc:".length()), p);
    }

    private static int value(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(QUERY)) {
            assertTrue(rs.next());
            return rs.getInt(1);
        }
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
