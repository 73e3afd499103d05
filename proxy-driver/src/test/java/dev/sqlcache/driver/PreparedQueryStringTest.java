package dev.sqlcache.driver;

import dev.sqlcache.stats.BypassReason;
import dev.sqlcache.stats.CacheStatistics;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * JDBC forbids a prepared statement's methods that take a query string, and H2, PostgreSQL and MariaDB fail them.
 * A prepared (or callable) statement's {@code executeQuery(String)} and {@code execute(String)} must reach the real
 * statement even when the cache holds the answer (a plain statement cached it first), or they serve rows where the
 * driver fails. The same calls on the plain driver say what the proxy must answer.
 */
class PreparedQueryStringTest {

    private static final String TABLE = "sqlcache_prepared_string";
    private static final String CACHED = "select v from " + TABLE + " where id = 1";

    /** What {@code executeQuery(String)} and {@code execute(String)} of a prepared statement answer on {@code c}. */
    private static String answers(Connection c) throws SQLException {
        String answers = "";
        try (PreparedStatement ps = c.prepareStatement("select 1"); ResultSet rs = ps.executeQuery(CACHED)) {
            answers += rs.next() ? "row " + rs.getInt(1) : "no row";
        } catch (SQLException e) {
            answers += "failed " + e.getSQLState();
        }
        try (PreparedStatement ps = c.prepareStatement("select 1")) {
            answers += ps.execute(CACHED) ? ", a result" : ", a count";
        } catch (SQLException e) {
            answers += ", failed " + e.getSQLState();
        }
        return answers;
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"H2", "POSTGRES", "MARIADB"})
    void aPreparedStatementsQueryStringMethodsAnswerAsTheDriversEvenWhenTheAnswerIsCached(TestDatabase database)
            throws Exception {
        OneRowHits.table(database, TABLE);
        String expected;
        try (Connection plain = database.direct()) {
            expected = answers(plain);
        }
        try (Connection c = OneRowHits.cached(database, TABLE)) {
            try (Statement s = c.createStatement()) {
                OneRowHits.untilHit(c, s, CACHED);
            }
            assertEquals(expected, answers(c));
        }
    }

    /**
     * The three calls reach the real statement with a query the cache could answer: each is a read that passed
     * through, counted under {@link BypassReason#JDBC_METHOD}, or the figures would miss reads the database served.
     */
    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"H2", "POSTGRES", "MARIADB"})
    void aPreparedStatementsQueryStringCallsAreCountedAsBypasses(TestDatabase database) throws Exception {
        OneRowHits.table(database, TABLE);
        try (Connection c = OneRowHits.cached(database, TABLE)) {
            try (Statement s = c.createStatement()) {
                OneRowHits.untilHit(c, s, CACHED);
            }
            CacheStatistics before = c.unwrap(SqlCacheConnection.class).statistics();
            answers(c);
            try (PreparedStatement ps = c.prepareStatement("select 1")) {
                ps.executeUpdate(CACHED);
            } catch (SQLException e) {
                // Every driver here refuses a query through executeUpdate; what counts is that it reached it.
            }
            CacheStatistics delta = c.unwrap(SqlCacheConnection.class).statistics().since(before);
            assertEquals(3, delta.bypasses(BypassReason.JDBC_METHOD), delta.toString());
            assertEquals(3, delta.totalBypasses(), delta.toString());
            assertEquals(0, delta.hits() + delta.misses(), delta.toString());
        }
    }
}
