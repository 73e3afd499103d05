package dev.sqlcache.driver;

import dev.sqlcache.stats.BypassReason;
import dev.sqlcache.stats.CacheStatistics;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * pgjdbc answers getString differently once a statement has run prepareThreshold times with binary transfer on;
 * sqlcache therefore runs it with text results only, and refuses to cache a connection that may get binary ones.
 */
class PostgresResultFormatTest extends RedisBackedTest {

    private static final String QUERY = "select f, n from sqlcache_result_format where id = ?";

    @BeforeAll
    static void table() throws SQLException {
        try (Connection c = TestDatabase.POSTGRES.direct()) {
            exec(c, "drop table if exists sqlcache_result_format",
                    "create table sqlcache_result_format(id int primary key, f float8, n numeric(20,10))",
                    "insert into sqlcache_result_format values (1, 1.0, 0.0000000001)");
        }
    }

    /** getString of both columns over eight executions of one prepared statement. */
    private static List<String> eightRuns(Connection c) throws SQLException {
        List<String> answers = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(QUERY)) {
            for (int run = 0; run < 8; run++) {
                ps.setInt(1, 1);
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    answers.add(rs.getString(1) + " " + rs.getString(2));
                }
            }
        }
        return answers;
    }

    @Test
    void answersDoNotChangeWithHowOftenAStatementRan() throws SQLException {
        List<String> realDefault;
        try (Connection c = TestDatabase.POSTGRES.direct()) {
            realDefault = eightRuns(c);
        }
        assertNotEquals(realDefault.get(0), realDefault.get(7),
                "pgjdbc's default binary transfer changes getString after prepareThreshold runs: " + realDefault);

        Properties text = TestDatabase.POSTGRES.credentials();
        text.setProperty("binaryTransfer", "false");
        List<String> realText;
        try (Connection c = DriverManager.getConnection(TestDatabase.POSTGRES.url(), text)) {
            realText = eightRuns(c);
        }
        try (Connection c = TestDatabase.POSTGRES.cached(settings())) {
            CacheStatistics before = stats(c);
            assertEquals(realText, eightRuns(c));
            assertEquals(7, stats(c).since(before).hits(), "one miss, then hits");
        }
        assertEquals(List.of("1 0.0000000001"), realText.stream().distinct().toList());
    }

    @Test
    void binaryTransferOnIsRefusedWithAClearError() throws SQLException {
        SQLException inUrl = assertThrows(SQLException.class, () -> DriverManager.getConnection(
                TestDatabase.POSTGRES.cachedUrl() + "?binaryTransfer=true", withSettings()));
        assertEquals("HY024", inUrl.getSQLState());
        assertTrue(inUrl.getMessage().contains("binaryTransfer=true is not supported"), inUrl.getMessage());

        Properties asProperty = withSettings();
        asProperty.setProperty("binaryTransfer", "true");
        SQLException inProperties = assertThrows(SQLException.class,
                () -> DriverManager.getConnection(TestDatabase.POSTGRES.cachedUrl(), asProperty));
        assertEquals("HY024", inProperties.getSQLState());

        try (Connection c = DriverManager.getConnection(TestDatabase.POSTGRES.cachedUrl() + "?binaryTransfer=false",
                withSettings())) {
            assertEquals(List.of("1 0.0000000001"), eightRuns(c).stream().distinct().toList());
        }
    }

    private static Properties withSettings() {
        Properties p = TestDatabase.POSTGRES.credentials();
        p.putAll(settings());
        return p;
    }

    @Test
    void aWrappedDataSourceWithBinaryTransferPassesReadsThrough() throws SQLException {
        Map<String, String> settings = new java.util.HashMap<>();
        settings().forEach((k, v) -> settings.put((String) k, (String) v));

        PGSimpleDataSource binary = dataSource();
        try (Connection c = new SqlCacheDataSource(binary, settings).getConnection()) {
            CacheStatistics before = stats(c);
            eightRuns(c);
            CacheStatistics delta = stats(c).since(before);
            assertEquals(0, delta.hits() + delta.misses(), delta::toString);
            assertEquals(8, delta.bypasses(BypassReason.DRIVER_SETTING), delta::toString);
        }

        PGSimpleDataSource text = dataSource();
        text.setBinaryTransfer(false);
        try (Connection c = new SqlCacheDataSource(text, settings).getConnection()) {
            CacheStatistics before = stats(c);
            eightRuns(c);
            assertEquals(7, stats(c).since(before).hits());
        }
    }

    private static PGSimpleDataSource dataSource() {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(TestDatabase.POSTGRES.url());
        ds.setUser("postgres");
        return ds;
    }
}
