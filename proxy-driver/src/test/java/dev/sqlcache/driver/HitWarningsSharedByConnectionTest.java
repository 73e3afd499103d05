package dev.sqlcache.driver;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;

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
        OneRowHits.table(TestDatabase.MARIADB, "sqlcache_hit_warnings");
    }

    /** A reads, B warns, A reads again: what A reports then (its warnings' messages, or "none"). */
    private static String warningsAfterAnotherStatementWarned(Connection c, boolean waitForHit) throws Exception {
        try (Statement a = c.createStatement(); Statement b = c.createStatement()) {
            if (waitForHit) {
                OneRowHits.untilHit(c, a, CACHED);
            } else {
                OneRowHits.read(a, CACHED);
            }
            OneRowHits.read(b, WARNS);
            // Not b.getWarnings(): MariaDB asks SHOW WARNINGS, whose answer resets the connection's warning count.
            try (ResultSet rs = OneRowHits.query(c, a, CACHED, waitForHit)) {
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
        try (Connection c = OneRowHits.cached(TestDatabase.MARIADB, "sqlcache_hit_warnings")) {
            assertEquals(expected, warningsAfterAnotherStatementWarned(c, true));
        }
    }
}
