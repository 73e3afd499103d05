package dev.sqlcache.internal.resultset;

import dev.sqlcache.internal.codec.CachedResult;
import dev.sqlcache.internal.codec.CaptureFailure;
import dev.sqlcache.internal.codec.ResultCapture;
import dev.sqlcache.internal.codec.ResultCodec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.sql.Wrapper;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CachedResultSetTest {
    private static Connection h2;

    @BeforeAll
    static void open() throws SQLException {
        h2 = TestDatabases.h2("rs");
        try (Statement s = h2.createStatement()) {
            s.execute("create table nums(id int primary key, name varchar(20))");
            for (int i = 1; i <= 7; i++) {
                s.execute("insert into nums values (" + i + ", 'n" + i + "')");
            }
        }
    }

    @AfterAll
    static void close() throws SQLException {
        h2.close();
    }

    static CachedResult cache(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            ResultCapture capture = ResultCapture.begin(rs.getMetaData(), 1000, 1 << 20);
            assertNotNull(capture);
            while (rs.next()) {
                assertTrue(capture.captureRow(rs));
            }
            return ResultCodec.decode(ResultCodec.encode(new String[0], capture.finish()));
        }
    }

    interface Move {
        Object apply(ResultSet rs) throws SQLException;
    }

    @Test
    void scrollingMatchesH2ScrollInsensitive() throws SQLException {
        for (String sql : new String[] {"select * from nums order by id", "select * from nums where id < 0"}) {
            CachedResult cached = cache(h2, sql);
            List<Move> moves = List.of(ResultSet::isBeforeFirst, ResultSet::isAfterLast, ResultSet::next,
                    ResultSet::isFirst, ResultSet::next, ResultSet::previous, ResultSet::previous,
                    ResultSet::previous, ResultSet::isBeforeFirst, ResultSet::last, ResultSet::isLast,
                    ResultSet::next, ResultSet::isAfterLast, ResultSet::next, ResultSet::previous, ResultSet::first,
                    rs -> rs.absolute(3), rs -> rs.absolute(-2), rs -> rs.absolute(0), rs -> rs.absolute(100),
                    rs -> rs.absolute(-100), rs -> rs.relative(2), rs -> rs.relative(-1), rs -> rs.relative(0),
                    rs -> rs.relative(100), rs -> rs.relative(-3), rs -> rs.relative(-100), rs -> {
                        rs.afterLast();
                        return rs.previous();
                    }, rs -> {
                        rs.beforeFirst();
                        return rs.next();
                    }, rs -> rs.absolute(7), rs -> rs.absolute(8));
            try (Statement s = h2.createStatement(ResultSet.TYPE_SCROLL_INSENSITIVE, ResultSet.CONCUR_READ_ONLY);
                 ResultSet real = s.executeQuery(sql);
                 ResultSet hit = new CachedResultSet(cached, s, ResultSet.TYPE_SCROLL_INSENSITIVE,
                         ResultSet.HOLD_CURSORS_OVER_COMMIT)) {
                int step = 0;
                for (Move m : moves) {
                    step++;
                    assertEquals(m.apply(real), m.apply(hit), sql + " step " + step);
                    assertEquals(real.getRow(), hit.getRow(), "getRow at step " + step);
                    assertEquals(real.isFirst(), hit.isFirst(), "isFirst at step " + step);
                    assertEquals(real.isLast(), hit.isLast(), "isLast at step " + step);
                    assertEquals(real.isBeforeFirst(), hit.isBeforeFirst(), "isBeforeFirst at step " + step);
                    assertEquals(real.isAfterLast(), hit.isAfterLast(), "isAfterLast at step " + step);
                    if (real.getRow() > 0) {
                        assertEquals(real.getInt(1), hit.getInt(1));
                        assertEquals(real.getString("NAME"), hit.getString("name"));
                    } else {
                        assertThrows(SQLException.class, () -> real.getInt(1));
                        SQLException e = assertThrows(SQLException.class, () -> hit.getInt(1));
                        assertEquals("24000", e.getSQLState());
                    }
                }
                assertEquals(ResultSet.TYPE_SCROLL_INSENSITIVE, hit.getType());
            }
        }
    }

    @Test
    void forwardOnlyRefusesScrolling() throws SQLException {
        try (ResultSet rs = new CachedResultSet(cache(h2, "select * from nums"), null, ResultSet.TYPE_FORWARD_ONLY,
                ResultSet.CLOSE_CURSORS_AT_COMMIT)) {
            List<Move> scroll = List.of(ResultSet::previous, ResultSet::first, ResultSet::last, rs2 -> rs2.absolute(1),
                    rs2 -> rs2.relative(1), rs2 -> {
                        rs2.beforeFirst();
                        return null;
                    }, rs2 -> {
                        rs2.afterLast();
                        return null;
                    }, rs2 -> {
                        rs2.setFetchDirection(ResultSet.FETCH_REVERSE);
                        return null;
                    });
            for (Move m : scroll) {
                SQLException e = assertThrows(SQLException.class, () -> m.apply(rs));
                assertEquals("24000", e.getSQLState());
            }
            assertTrue(rs.isBeforeFirst());
            assertTrue(rs.next());
            assertEquals(1, rs.getRow());
            assertTrue(rs.isFirst());
            assertNull(rs.getStatement());
            assertEquals(ResultSet.CONCUR_READ_ONLY, rs.getConcurrency());
            assertEquals(ResultSet.CLOSE_CURSORS_AT_COMMIT, rs.getHoldability());
            assertEquals(ResultSet.FETCH_FORWARD, rs.getFetchDirection());
            rs.setFetchSize(50);
            assertEquals(50, rs.getFetchSize());
            assertThrows(SQLException.class, () -> rs.setFetchSize(-1));
            assertNull(rs.getWarnings());
        }
    }

    @Test
    void labelsAreCaseInsensitiveAndTheFirstDuplicateWins() throws SQLException {
        String sql = "select id as x, name as \"X\", id * 10 as \"Id\", name from nums where id = 2";
        CachedResult cached = cache(h2, sql);
        try (Statement s = h2.createStatement(); ResultSet real = s.executeQuery(sql);
             ResultSet hit = new CachedResultSet(cached, s, ResultSet.TYPE_FORWARD_ONLY, ResultSet.HOLD_CURSORS_OVER_COMMIT)) {
            assertTrue(real.next());
            assertTrue(hit.next());
            for (String label : new String[] {"x", "X", "id", "ID", "iD", "name", "NAME"}) {
                assertEquals(real.findColumn(label), hit.findColumn(label), label);
                assertEquals(real.getString(label), hit.getString(label), label);
            }
            assertEquals(1, hit.findColumn("x"));
            assertEquals(3, hit.findColumn("ID"));
        }
        // Duplicates that differ in case only: the first wins for every spelling, the second's own included.
        String mixed = "select id as \"a\", name as \"A\", id as \"Bb\", name as \"bB\" from nums where id = 2";
        CachedResult twice = cache(h2, mixed);
        try (Statement s = h2.createStatement(); ResultSet real = s.executeQuery(mixed);
             ResultSet hit = new CachedResultSet(twice, s, ResultSet.TYPE_FORWARD_ONLY, ResultSet.HOLD_CURSORS_OVER_COMMIT)) {
            assertTrue(real.next());
            assertTrue(hit.next());
            for (String label : new String[] {"a", "A", "bb", "BB", "Bb", "bB"}) {
                assertEquals(real.findColumn(label), hit.findColumn(label), label);
            }
            assertEquals(1, hit.findColumn("A"));
            assertEquals(3, hit.findColumn("bB"));
            SQLException e = assertThrows(SQLException.class, () -> hit.getString("nope"));
            assertEquals("42S22", e.getSQLState());
            assertThrows(SQLException.class, () -> real.getString("nope"));
            for (int bad : new int[] {0, -1, 5}) {
                SQLException ie = assertThrows(SQLException.class, () -> hit.getString(bad));
                assertEquals("07009", ie.getSQLState());
                assertThrows(SQLException.class, () -> real.getString(bad));
            }
            ResultSetMetaData md = hit.getMetaData();
            assertEquals("07009", assertThrows(SQLException.class, () -> md.getColumnLabel(5)).getSQLState());
        }
    }

    @Test
    void closeIsIdempotentAndLaterCallsThrow() throws SQLException {
        ResultSet rs = new CachedResultSet(cache(h2, "select * from nums"), null, ResultSet.TYPE_FORWARD_ONLY,
                ResultSet.HOLD_CURSORS_OVER_COMMIT);
        assertTrue(rs.next());
        assertFalse(rs.isClosed());
        rs.close();
        rs.close();
        assertTrue(rs.isClosed());
        List<Move> after = List.of(ResultSet::next, rs2 -> rs2.getInt(1), rs2 -> rs2.getString("id"),
                ResultSet::getMetaData, ResultSet::wasNull, ResultSet::getStatement, ResultSet::getType,
                ResultSet::getRow, ResultSet::getWarnings, rs2 -> rs2.findColumn("id"));
        for (Move m : after) {
            SQLException e = assertThrows(SQLException.class, () -> m.apply(rs));
            assertEquals("24000", e.getSQLState());
        }
    }

    @Test
    void readOnlyAndWrapper() throws SQLException {
        try (ResultSet rs = new CachedResultSet(cache(h2, "select * from nums"), null, ResultSet.TYPE_FORWARD_ONLY,
                ResultSet.HOLD_CURSORS_OVER_COMMIT)) {
            assertTrue(rs.next());
            assertThrows(SQLFeatureNotSupportedException.class, () -> rs.updateInt(1, 5));
            assertThrows(SQLFeatureNotSupportedException.class, () -> rs.updateString("name", "x"));
            assertThrows(SQLFeatureNotSupportedException.class, rs::updateRow);
            assertThrows(SQLFeatureNotSupportedException.class, rs::moveToInsertRow);
            assertSame(rs, rs.unwrap(ResultSet.class));
            assertSame(rs, rs.unwrap(CachedResultSet.class));
            assertTrue(rs.isWrapperFor(Wrapper.class));
            assertFalse(rs.isWrapperFor(Statement.class));
            assertThrows(SQLException.class, () -> rs.unwrap(Statement.class));
            assertTrue(rs.getMetaData().isWrapperFor(ResultSetMetaData.class));
        }
    }

    @Test
    void gettersReturnCopiesSoTheSharedResultCannotBeChanged() throws SQLException {
        CachedResult cached = cache(h2, "select X'0102' as b, timestamp '2020-01-01 00:00:00.5' as ts");
        try (ResultSet rs = new CachedResultSet(cached, null, ResultSet.TYPE_FORWARD_ONLY, 1)) {
            assertTrue(rs.next());
            rs.getBytes(1)[0] = 9;
            ((byte[]) rs.getObject(1))[0] = 9;
            rs.getTimestamp(2).setNanos(0);
            assertEquals(1, rs.getBytes(1)[0]);
            assertEquals(500_000_000, rs.getTimestamp(2).getNanos());
        }
    }

    @Test
    void postgresqlValuesOfAnUnexpectedClassStopTheCapture() throws SQLException {
        try (Connection pg = TestDatabases.postgresql(); Statement s = pg.createStatement()) {
            // numeric NaN comes back as a Double from a BigDecimal column; bit(3) as a PGobject from a Boolean column;
            // ±infinity dates/timestamps as sentinel values whose java.time form cannot be derived.
            for (String sql : new String[] {"select 1.5::numeric union all select 'NaN'::numeric",
                    "select B'101'::bit(3)", "select 'infinity'::timestamp", "select '-infinity'::date"}) {
                try (ResultSet rs = s.executeQuery(sql)) {
                    ResultCapture c = ResultCapture.begin(rs.getMetaData(), 100, 100_000);
                    assertNotNull(c, sql);
                    boolean ok = true;
                    while (ok && rs.next()) {
                        ok = c.captureRow(rs);
                    }
                    assertFalse(ok, sql);
                    assertEquals(CaptureFailure.UNSUPPORTED_TYPE, c.failure());
                }
            }
            List<String> refused = new ArrayList<>();
            for (String expr : new String[] {"'{\"a\":1}'::jsonb", "'{\"a\":1}'::json", "interval '1 day'",
                    "array[1,2]", "12.5::money", "'<a/>'::xml", "B'1'::varbit", "point(1,2)", "'1.2.3.4'::inet"}) {
                try (ResultSet rs = s.executeQuery("select " + expr)) {
                    if (ResultCapture.begin(rs.getMetaData(), 100, 100_000) == null) {
                        refused.add(expr);
                    }
                }
            }
            assertEquals(9, refused.size(), "refused: " + refused);
        }
    }

    @Test
    void mariadbUnsupportedColumnsAreRefused() throws SQLException {
        try (Connection m = TestDatabases.mariadb(); Statement s = m.createStatement()) {
            s.execute("create temporary table lobs(bl blob, bt bit(8))");
            s.execute("insert into lobs values (X'01', 8)");
            try (ResultSet rs = s.executeQuery("select bl from lobs")) {
                assertNull(ResultCapture.begin(rs.getMetaData(), 100, 100_000), "BLOB");
            }
            try (ResultSet rs = s.executeQuery("select bt from lobs")) {
                assertNull(ResultCapture.begin(rs.getMetaData(), 100, 100_000), "BIT(8)");
            }
        }
    }
}
