package dev.sqlcache.driver;

import org.junit.jupiter.api.BeforeAll;
import org.postgresql.jdbc.PgResultSet;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

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
        OneRowHits.table(TestDatabase.POSTGRES, "sqlcache_rs_unwrap");
    }

    /** Runs the sequence on {@code c}: a read, the fetch size changed on the real statement it leads to, a read. */
    private static int fetchSizeAfterChangeBehindTheProxy(Connection c, boolean waitForHit) throws Exception {
        try (Statement s = c.createStatement()) {
            if (waitForHit) {
                OneRowHits.untilHit(c, s, CACHED);
            }
            Statement real;
            try (ResultSet passed = s.executeQuery(PASS_THROUGH)) {
                real = passed.unwrap(PgResultSet.class).getStatement();
            }
            real.setFetchSize(7);
            try (ResultSet rs = OneRowHits.query(c, s, CACHED, waitForHit)) {
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
        try (Connection c = OneRowHits.cached(TestDatabase.POSTGRES, "sqlcache_rs_unwrap")) {
            assertEquals(expected, fetchSizeAfterChangeBehindTheProxy(c, true));
        }
    }
}
