package dev.sqlcache.driver;

import dev.sqlcache.stats.CacheStatistics;
import dev.sqlcache.testing.RedisServerFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Base for tests that need a private redis-server: one per test class, flushed before each test. */
abstract class RedisBackedTest {

    static RedisServerFixture redis;

    @BeforeAll
    static void startRedis() throws Exception {
        redis = RedisServerFixture.start();
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    @BeforeEach
    void flushRedis() throws Exception {
        flushCaches();
    }

    /** Tests rebuild their schemas behind the cache: Redis and every near cache start empty. */
    static void flushCaches() {
        redis.flushAll();
    }

    /** sqlcache settings reaching the fixture over TCP. */
    static Properties settings() {
        Properties properties = new Properties();
        properties.putAll(redis.tcpProperties());
        return properties;
    }

    static Properties settings(String... extra) {
        Properties properties = settings();
        for (int i = 0; i < extra.length; i += 2) {
            properties.setProperty(extra[i], extra[i + 1]);
        }
        return properties;
    }

    static CacheStatistics stats(Connection connection) throws SQLException {
        return connection.unwrap(SqlCacheConnection.class).statistics();
    }

    /**
     * How long {@link #untilHit} reads before it gives up: it ends at the first hit, so a generous bound costs a quiet
     * machine nothing, and a loaded one (CI on two cores) stretches every round trip.
     */
    static final long HIT_PATIENCE_NANOS = 30_000_000_000L;

    /** One read, through the cache or from the database. */
    @FunctionalInterface
    interface Read<T> {
        T get() throws Exception;
    }

    /**
     * Reads through the cache until a read is a hit, each answer checked against the database's, for up to 30 s;
     * fails if none is. One read after a miss proves nothing: the miss is stored on the writer thread, and under load
     * a lookup may time out and pass through. Returns how many reads it took.
     */
    static <T> int untilHit(Connection cached, String what, Read<T> database, Read<T> throughCache) throws Exception {
        long deadline = System.nanoTime() + HIT_PATIENCE_NANOS;
        for (int reads = 1; ; reads++) {
            long hits = stats(cached).hits();
            assertEquals(database.get(), throughCache.get(), what);
            if (stats(cached).hits() > hits) {
                return reads;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("no hit within 30 s: " + what + ": " + stats(cached));
            }
            Thread.sleep(10);
        }
    }

    /** {@link #untilHit} for a query's rows as strings. */
    static int untilHit(Connection cached, Connection direct, String sql) throws Exception {
        return untilHit(cached, sql, () -> rows(direct, sql), () -> rows(cached, sql));
    }

    static void exec(Connection connection, String... statements) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                if (isDerby(connection) && (sql.regionMatches(true, 0, "drop table if exists ", 0, 21)
                        || sql.regionMatches(true, 0, "drop view if exists ", 0, 20))) {
                    // Derby has no IF EXISTS: drop, and accept "does not exist" (42Y55, 42X05, X0X05).
                    try {
                        statement.execute(sql.replaceFirst("(?i) if exists", ""));
                    } catch (SQLException e) {
                        if (!java.util.Set.of("42Y55", "42X05", "X0X05").contains(e.getSQLState())) {
                            throw e;
                        }
                    }
                    continue;
                }
                statement.execute(sql);
            }
        }
    }

    private static boolean isDerby(Connection connection) throws SQLException {
        return "Apache Derby".equals(connection.getMetaData().getDatabaseProductName());
    }

    /** Every row of a query as strings, in order. */
    static List<List<String>> rows(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(sql)) {
            return rows(rs);
        }
    }

    static List<List<String>> rows(ResultSet rs) throws SQLException {
        List<List<String>> rows = new ArrayList<>();
        int columns = rs.getMetaData().getColumnCount();
        while (rs.next()) {
            List<String> row = new ArrayList<>();
            for (int i = 1; i <= columns; i++) {
                row.add(rs.getString(i));
            }
            rows.add(row);
        }
        return rows;
    }
}
