package dev.sqlcache.driver;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * MariaDB keeps warnings per connection, not per statement: a statement's getWarnings() asks the server for the
 * warnings of the connection's last command, and its clearWarnings() forgets them for the connection. So another
 * statement of the same connection can leave warnings that this statement reports until it executes again (which
 * the real driver does, and a hit does not). The same calls on plain MariaDB say what the hit must report.
 */
class HitWarningsSharedByConnectionTest {

    private static final String CACHED = "select v from sqlcache_hit_warnings where id = 1";
    /** Warns (1292, truncated incorrect INTEGER value) and passes through (it reads no table). */
    private static final String WARNS = "select cast('abc' as signed)";

    @BeforeAll
    static void table() throws SQLException {
        try (Connection c = TestDatabase.MARIADB.direct(); Statement s = c.createStatement()) {
            s.execute("drop table if exists sqlcache_hit_warnings");
            s.execute("create table sqlcache_hit_warnings(id int primary key, v int)");
            s.execute("insert into sqlcache_hit_warnings values (1, 100)");
        }
    }

    /** A reads, B warns, A reads again: what A reports then (its warnings' messages, or "none"). */
    private static String warningsAfterAnotherStatementWarned(Connection c, boolean waitForHit) throws Exception {
        try (Statement a = c.createStatement(); Statement b = c.createStatement()) {
            if (waitForHit) {
                untilHit(c, a);
            } else {
                read(a);
            }
            read(b, WARNS);
            // Not b.getWarnings(): MariaDB asks SHOW WARNINGS, whose answer resets the connection's warning count.
            long hits = hits(c, waitForHit);
            try (ResultSet rs = a.executeQuery(CACHED)) {
                if (waitForHit) {
                    assertEquals(hits + 1, hits(c, true), "the read is a hit");
                }
                SQLWarning w = a.getWarnings();
                return w == null ? "none" : w.getMessage();
            }
        }
    }

    @Test
    void aHitReportsNoWarningsAnotherStatementOfItsConnectionLeft() throws Exception {
        String expected;
        try (Connection plain = TestDatabase.MARIADB.direct()) {
            expected = warningsAfterAnotherStatementWarned(plain, false);
        }
        Properties settings = new Properties();
        settings.setProperty("sqlcache.store", "memory");
        settings.setProperty("sqlcache.tablePolicy", "sqlcache_hit_warnings=on");
        try (Connection c = TestDatabase.MARIADB.cached(settings)) {
            assertEquals(expected, warningsAfterAnotherStatementWarned(c, true));
        }
    }

    private static void read(Statement s) throws SQLException {
        read(s, CACHED);
    }

    private static void read(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                // A miss is stored once its result was read to the end.
            }
        }
    }

    private static long hits(Connection c, boolean cached) throws SQLException {
        return cached ? c.unwrap(SqlCacheConnection.class).statistics().hits() : 0;
    }

    /** Reads {@link #CACHED} on {@code s} until it is a hit (the store lands on the writer thread). */
    private static void untilHit(Connection c, Statement s) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            long hits = hits(c, true);
            read(s);
            if (hits(c, true) > hits) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no hit within 10 s: " + c.unwrap(SqlCacheConnection.class).statistics());
    }
}
