package dev.sqlcache.driver;

import org.junit.jupiter.api.BeforeAll;
import org.postgresql.jdbc.PgResultSet;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * The real statement reaches the application not only through the statement's {@code unwrap}: a real result set the
 * proxy handed out (a pass-through read) unwraps to the driver's own, whose {@code getStatement()} is the real
 * statement. What the application changes there must be seen by the next hit, as by the real driver's next
 * execution. PostgreSQL (its result sets report their statement's fetch size), the in-process store; the same calls
 * on plain pgjdbc say what the hit must answer.
 */
class HitAfterResultSetUnwrapTest {

    /** Passes through (a non-deterministic function): the proxy hands out the real result set. */
    private static final String PASS_THROUGH = "select v from sqlcache_rs_unwrap where id = 1 and random() < 2";
    private static final String CACHED = "select v from sqlcache_rs_unwrap where id = 1";

    @BeforeAll
    static void table() throws SQLException {
        try (Connection c = TestDatabase.POSTGRES.direct(); Statement s = c.createStatement()) {
            s.execute("drop table if exists sqlcache_rs_unwrap");
            s.execute("create table sqlcache_rs_unwrap(id int primary key, v int)");
            s.execute("insert into sqlcache_rs_unwrap values (1, 100)");
        }
    }

    /** Runs the sequence on {@code c}: a read, the fetch size changed on the real statement it leads to, a read. */
    private static int fetchSizeAfterChangeBehindTheProxy(Connection c, boolean waitForHit) throws Exception {
        try (Statement s = c.createStatement()) {
            if (waitForHit) {
                untilHit(c, s);
            }
            Statement real;
            try (ResultSet passed = s.executeQuery(PASS_THROUGH)) {
                real = passed.unwrap(PgResultSet.class).getStatement();
            }
            real.setFetchSize(7);
            long hits = waitForHit ? hits(c) : 0;
            try (ResultSet rs = s.executeQuery(CACHED)) {
                if (waitForHit) {
                    assertEquals(hits + 1, hits(c), "the read is a hit");
                }
                return rs.getFetchSize();
            }
        }
    }

    @Test
    void aFetchSizeSetOnTheRealStatementAResultSetLedToIsSeenByTheNextHit() throws Exception {
        int expected;
        try (Connection plain = TestDatabase.POSTGRES.direct()) {
            expected = fetchSizeAfterChangeBehindTheProxy(plain, false);
        }
        int untouched;
        try (Connection plain = TestDatabase.POSTGRES.direct(); Statement s = plain.createStatement();
             ResultSet rs = s.executeQuery(CACHED)) {
            untouched = rs.getFetchSize();
        }
        assertNotEquals(untouched, expected, "the change shows in pgjdbc's result set (else this test proves nothing)");
        Properties settings = new Properties();
        settings.setProperty("sqlcache.store", "memory");
        settings.setProperty("sqlcache.tablePolicy", "sqlcache_rs_unwrap=on");
        try (Connection c = TestDatabase.POSTGRES.cached(settings)) {
            assertEquals(expected, fetchSizeAfterChangeBehindTheProxy(c, true));
        }
    }

    private static long hits(Connection c) throws SQLException {
        return c.unwrap(SqlCacheConnection.class).statistics().hits();
    }

    /** Reads {@link #CACHED} on {@code s} until it is a hit (the store lands on the writer thread). */
    private static void untilHit(Connection c, Statement s) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            long hits = hits(c);
            try (ResultSet rs = s.executeQuery(CACHED)) {
                while (rs.next()) {
                    // A miss is stored once its result was read to the end.
                }
            }
            if (hits(c) > hits) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no hit within 10 s: " + c.unwrap(SqlCacheConnection.class).statistics());
    }
}
