package dev.sqlcache.internal.codec;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link ResultCapture#sameCell}: a re-read cell matches its captured form exactly, and nothing else does. */
class SameCellTest {
    private static final String SELECT = "select * from cells order by id";
    private static Connection connection;

    @BeforeAll
    static void open() throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", "sa");
        connection = new org.h2.Driver().connect("jdbc:h2:mem:samecell;DB_CLOSE_DELAY=-1", p);
    }

    @AfterAll
    static void close() throws SQLException {
        connection.close();
    }

    private static void exec(String... sql) throws SQLException {
        try (Statement s = connection.createStatement()) {
            for (String statement : sql) {
                s.execute(statement);
            }
        }
    }

    private static CachedResult capture() throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(SELECT)) {
            ResultCapture c = ResultCapture.begin(rs.getMetaData(), 100, 1 << 20);
            assertNotNull(c);
            while (rs.next()) {
                assertTrue(c.captureRow(rs));
            }
            return c.finish();
        }
    }

    /** Whether every cell of the re-run query matches the capture, row by row. */
    private static boolean allSame(CachedResult cached) throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(SELECT)) {
            for (int row = 0; row < cached.rowCount(); row++) {
                assertTrue(rs.next());
                for (int col = 0; col < cached.columnCount(); col++) {
                    if (!ResultCapture.sameCell(rs, cached, row, col)) {
                        return false;
                    }
                }
            }
            return true;
        }
    }

    @Test
    void everyCellOfAnUnchangedResultMatches() throws SQLException {
        exec("drop table if exists cells",
                "create table cells(id int primary key, v varchar(20), d decimal(10,3), tm time(9), bin varbinary(8))",
                "insert into cells values (1, 'a', 1.500, time '10:11:12.123456789', X'0102')",
                "insert into cells(id) values (2)");
        assertTrue(allSame(capture()));
    }

    @Test
    void aChangedValueTypeOrScaleDoesNotMatch() throws SQLException {
        exec("drop table if exists cells", "create table cells(id int primary key, bin varbinary(8), d decimal(10,3))",
                "insert into cells values (1, X'0102', 1.5)");
        CachedResult cached = capture();
        exec("update cells set bin = X'0103'");
        assertFalse(allSame(cached), "byte arrays compare by content");
        exec("update cells set bin = X'0102'");
        assertTrue(allSame(cached));
        exec("update cells set d = null");
        assertFalse(allSame(cached), "null against a value");
        exec("alter table cells alter column d set data type decimal(10,4)", "update cells set d = 1.5");
        assertFalse(allSame(cached), "same number, another scale");
        exec("alter table cells alter column d set data type double precision");
        assertFalse(allSame(cached), "another column type");
    }
}
