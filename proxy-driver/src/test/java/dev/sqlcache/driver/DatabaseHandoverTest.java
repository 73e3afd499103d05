package dev.sqlcache.driver;

import dev.sqlcache.stats.CacheStatistics;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.InputStream;
import java.io.Reader;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Getters the cache cannot answer exactly from a cell (conversions it refuses, LOBs, streams) are handed over to
 * the database on a hit and answer exactly as the real driver does — but only while the database's cell is still
 * the cached one; otherwise they fail with SQLState 22018 and never show a value from another snapshot.
 */
class DatabaseHandoverTest extends RedisBackedTest {

    private static final String SELECT = "select id, n, v, u, b from handover order by id";
    private static final String SELECT_FROM = "select id, n, v, u, b from handover where id >= ? order by id";

    private record Getter(String name, Read read) {
    }

    @FunctionalInterface
    private interface Read {
        Object read(ResultSet rs) throws Exception;
    }

    /**
     * Getters a hit used to refuse (22018 or 0A000) on at least one row of the table where drivers answer, or to
     * answer where a driver fails.
     */
    private static final List<Getter> REFUSED = List.of(
            new Getter("getBoolean(int 5)", rs -> rs.getBoolean(2)),
            new Getter("getObject(int, Boolean)", rs -> rs.getObject(2, Boolean.class)),
            new Getter("getInt(varchar)", rs -> rs.getInt(3)),
            new Getter("getLong(varchar)", rs -> rs.getLong(3)),
            new Getter("getDouble(varchar)", rs -> rs.getDouble(3)),
            new Getter("getInt(label)", rs -> rs.getInt("v")),
            new Getter("getBytes(uuid)", rs -> rs.getBytes(4)),
            new Getter("getBinaryStream(uuid)", rs -> rs.getBinaryStream(4)),
            new Getter("getClob(varchar)", rs -> rs.getClob(3)),
            new Getter("getNClob(varchar)", rs -> rs.getNClob(3)),
            new Getter("getCharacterStream(varchar)", rs -> rs.getCharacterStream(3)),
            new Getter("getAsciiStream(varchar)", rs -> rs.getAsciiStream(3)),
            new Getter("getBlob(binary)", rs -> rs.getBlob(5)),
            new Getter("getURL(varchar)", rs -> rs.getURL(3)),
            new Getter("getObject(int, map)", rs -> rs.getObject(2, Map.of("int4", Integer.class))),
            // MariaDB answers null with wasNull true for the all-zero UUID: wasNull is the driver's too.
            new Getter("getObject(uuid, LocalDateTime)", rs -> rs.getObject(4, java.time.LocalDateTime.class)),
            // Text getters a hit answered from getString where the driver refuses them (pgjdbc: the N getters on
            // every column; MariaDB: a Reader from a number).
            new Getter("getNString(int)", rs -> rs.getNString(2)),
            new Getter("getNString(varchar)", rs -> rs.getNString(3)),
            new Getter("getNString(label)", rs -> rs.getNString("v")),
            new Getter("getCharacterStream(int)", rs -> rs.getCharacterStream(2)),
            new Getter("getNCharacterStream(int)", rs -> rs.getNCharacterStream(2)),
            new Getter("getNCharacterStream(label)", rs -> rs.getNCharacterStream("v")));

    private static void createTable(Connection direct, TestDatabase db) throws SQLException {
        String binary = db == TestDatabase.POSTGRES ? "bytea" : "varbinary(20)";
        String bytes = db == TestDatabase.POSTGRES ? "'\\x0102ff'" : "X'0102ff'";
        exec(direct, "drop table if exists handover",
                "create table handover (id int primary key, n int, v varchar(20), u uuid, b " + binary + ")",
                "insert into handover values (1, 5, 'abc', '6a2f41a3-c54c-4ce8-82d2-0324e1c32e22', " + bytes + ")",
                "insert into handover values (2, 0, ' 7 ', '00000000-0000-0000-0000-000000000000', " + bytes + ")",
                "insert into handover values (3, 1, '42', 'ffffffff-ffff-ffff-ffff-ffffffffffff', " + bytes + ")",
                "insert into handover (id) values (4)");
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"H2", "POSTGRES", "MARIADB"})
    void refusedGettersOnAHitAnswerAsTheRealDriver(TestDatabase db) throws Exception {
        try (Connection direct = db.direct(); Connection cached = db.cached(settings())) {
            createTable(direct, db);
            List<String> real = readAll(direct, SELECT);
            readAll(cached, SELECT);
            CacheStatistics before = stats(cached);
            List<String> hit = readAll(cached, SELECT);
            CacheStatistics delta = stats(cached).since(before);
            assertEquals(1, delta.hits(), "the second read is a hit");
            assertEquals(0, delta.misses(), "a handover is not a miss");
            assertEquals(real, hit);
        }
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"H2", "POSTGRES", "MARIADB"})
    void preparedStatementsHandOverWithTheirParameters(TestDatabase db) throws Exception {
        try (Connection direct = db.direct(); Connection cached = db.cached(settings())) {
            createTable(direct, db);
            List<String> real = readAllPrepared(direct, 2);
            readAllPrepared(cached, 2);
            CacheStatistics before = stats(cached);
            List<String> hit = readAllPrepared(cached, 2);
            assertEquals(1, stats(cached).since(before).hits());
            assertEquals(real, hit);
        }
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"H2", "POSTGRES", "MARIADB"})
    void scrollingBackThenHandingOverAnswersForTheRowTheCursorIsOn(TestDatabase db) throws Exception {
        try (Connection direct = db.direct(); Connection cached = db.cached(settings())) {
            createTable(direct, db);
            List<String> real = scroll(direct);
            // A miss captures only a result read forward; scrolling reads the cached copy of it.
            readAll(cached, SELECT);
            CacheStatistics before = stats(cached);
            List<String> hit = scroll(cached);
            assertEquals(1, stats(cached).since(before).hits());
            assertEquals(real, hit);
        }
    }

    /** A row changed behind sqlcache's back: the hit keeps its snapshot and refuses rather than mix in the new row. */
    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"H2", "POSTGRES", "MARIADB"})
    void aRowChangedSinceItWasCachedIsRefusedNeverAnsweredFromTheDatabase(TestDatabase db) throws Exception {
        try (Connection direct = db.direct(); Connection cached = db.cached(settings())) {
            createTable(direct, db);
            List<String> expectedRow1 = readAll(direct, SELECT).subList(0, REFUSED.size());
            readAll(cached, SELECT);
            CacheStatistics before = stats(cached);
            try (Statement st = cached.createStatement(); ResultSet rs = st.executeQuery(SELECT)) {
                assertEquals(1, stats(cached).since(before).hits());
                // Bypassing sqlcache: nothing is invalidated, the hit goes on with the cached rows.
                exec(direct, "update handover set v = ' 8 ', u = 'aaaaaaaa-c54c-4ce8-82d2-0324e1c32e22' where id = 2",
                        "delete from handover where id = 3");

                assertTrue(rs.next());
                assertEquals(expectedRow1, describeRow(rs), "row 1 is unchanged: handed over");

                assertTrue(rs.next());
                SQLException toInt = assertThrows(SQLException.class, () -> rs.getInt(3));
                assertEquals("22018", toInt.getSQLState());
                assertNotNull(toInt.getCause(), "why the handover was refused");
                assertEquals("22018", assertThrows(SQLException.class, () -> rs.getBytes(4)).getSQLState());
                assertEquals("0A000", assertThrows(SQLException.class, () -> rs.getClob(3)).getSQLState());
                assertEquals(" 7 ", rs.getString(3), "cached getters still read the cached row");
                assertEquals("00000000-0000-0000-0000-000000000000", rs.getObject(4).toString());

                assertTrue(rs.next());
                assertEquals("22018", assertThrows(SQLException.class, () -> rs.getBytes(4)).getSQLState(),
                        "row 3 was deleted");
                assertEquals("ffffffff-ffff-ffff-ffff-ffffffffffff", rs.getString(4));
                assertTrue(rs.next());
                assertEquals(4, rs.getInt(1));
                assertFalse(rs.next());
            }
        }
    }

    /** Parameters bound after the hit select other rows: the re-run query's cells are not the cached ones. */
    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"H2", "POSTGRES", "MARIADB"})
    void parametersReboundAfterTheHitAreNeverMixedIn(TestDatabase db) throws Exception {
        Getter getBytes = REFUSED.get(6);
        try (Connection direct = db.direct(); Connection cached = db.cached(settings())) {
            createTable(direct, db);
            readAllPrepared(cached, 1);
            CacheStatistics before = stats(cached);
            try (PreparedStatement ps = cached.prepareStatement(SELECT_FROM)) {
                ps.setInt(1, 1);
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    assertEquals(describe(direct, 1, getBytes), describe(rs, getBytes), "the parameter bound");
                }
                try (ResultSet rs = ps.executeQuery()) {
                    ps.setInt(1, 2);
                    assertTrue(rs.next());
                    assertEquals("22018", assertThrows(SQLException.class, () -> rs.getBytes(4)).getSQLState(),
                            "another parameter bound since");
                    assertEquals(1, rs.getInt(1));
                }
                assertEquals(2, stats(cached).since(before).hits());
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    assertEquals(2, rs.getInt(1), "the statement runs with its new parameter");
                }
            }
        }
    }

    /**
     * A forward-only result the handover read past its end runs the query again for a later getter; unless the
     * statement is closeOnCompletion, which running it again would close: that getter is refused instead.
     */
    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"H2", "POSTGRES", "MARIADB"})
    void aForwardOnlyHandoverRunsTheQueryAgainForARowItPassed(TestDatabase db) throws Exception {
        Getter getClob = REFUSED.get(8);
        for (boolean closeOnCompletion : new boolean[] {false, true}) {
            try (Connection direct = db.direct(); Connection cached = db.cached(settings())) {
                createTable(direct, db);
                String expected = describe(direct, 4, getClob);
                readAll(cached, SELECT);
                try (Statement st = cached.createStatement()) {
                    if (closeOnCompletion) {
                        st.closeOnCompletion();
                    }
                    ResultSet rs = st.executeQuery(SELECT);
                    exec(direct, "delete from handover where id = 4");
                    for (int row = 1; row <= 4; row++) {
                        assertTrue(rs.next());
                    }
                    SQLException refused = assertThrows(SQLException.class, () -> rs.getClob(3), "row 4 is gone");
                    assertEquals("0A000", refused.getSQLState());
                    exec(direct, "insert into handover (id) values (4)");
                    if (closeOnCompletion) {
                        assertEquals("0A000", assertThrows(SQLException.class, () -> rs.getClob(3)).getSQLState());
                        assertFalse(st.isClosed());
                    } else {
                        assertEquals(expected, describe(rs, getClob), "row 4 is back");
                    }
                    assertFalse(rs.next());
                    rs.close();
                    assertEquals(closeOnCompletion, st.isClosed());
                }
            }
        }
    }

    /**
     * A hit that handed a getter over still looks like a hit to code walking the statement's results, and
     * closeOnCompletion, getMoreResults and closing behave as with the real driver.
     */
    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"H2", "POSTGRES", "MARIADB"})
    void statementLifecycleAfterAHandoverIsTheRealDriversOne(TestDatabase db) throws Exception {
        try (Connection direct = db.direct(); Connection cached = db.cached(settings())) {
            createTable(direct, db);
            for (boolean closeOnCompletion : new boolean[] {false, true}) {
                for (int mode : new int[] {Statement.CLOSE_CURRENT_RESULT, Statement.KEEP_CURRENT_RESULT}) {
                    String what = "closeOnCompletion=" + closeOnCompletion + " mode=" + mode;
                    List<String> real = lifecycle(direct, closeOnCompletion, mode);
                    readAll(cached, SELECT);
                    CacheStatistics before = stats(cached);
                    List<String> hit = lifecycle(cached, closeOnCompletion, mode);
                    assertTrue(stats(cached).since(before).hits() >= 1, what);
                    assertEquals(real, hit, what);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"H2", "POSTGRES", "MARIADB"})
    void closingTheHitClosesACloseOnCompletionStatement(TestDatabase db) throws Exception {
        try (Connection direct = db.direct(); Connection cached = db.cached(settings())) {
            createTable(direct, db);
            readAll(cached, SELECT);
            Statement st = cached.createStatement();
            st.closeOnCompletion();
            ResultSet rs = st.executeQuery(SELECT);
            assertTrue(rs.next());
            assertEquals(describe(direct, 1, REFUSED.get(6)), describe(rs, REFUSED.get(6)));
            assertFalse(st.isClosed());
            rs.close();
            assertTrue(st.isClosed());
            assertThrows(SQLException.class, () -> st.executeQuery(SELECT));
        }
    }

    // ---- what the application sees

    private static List<String> readAll(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return describeRows(rs);
        }
    }

    private static List<String> readAllPrepared(Connection c, int fromId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SELECT_FROM)) {
            ps.setInt(1, fromId);
            try (ResultSet rs = ps.executeQuery()) {
                return describeRows(rs);
            }
        }
    }

    private static List<String> scroll(Connection c) throws SQLException {
        List<String> seen = new ArrayList<>();
        try (Statement st = c.createStatement(ResultSet.TYPE_SCROLL_INSENSITIVE, ResultSet.CONCUR_READ_ONLY);
             ResultSet rs = st.executeQuery(SELECT)) {
            assertTrue(rs.last());
            seen.addAll(describeRow(rs));
            assertTrue(rs.previous());
            assertTrue(rs.previous());
            seen.addAll(describeRow(rs));
            assertTrue(rs.first());
            seen.addAll(describeRow(rs));
            assertTrue(rs.absolute(2));
            seen.addAll(describeRow(rs));
        }
        return seen;
    }

    /** Walks a statement's results as generic JDBC code does, with a handed-over getter in between. */
    private static List<String> lifecycle(Connection c, boolean closeOnCompletion, int mode) throws SQLException {
        List<String> seen = new ArrayList<>();
        Statement st = c.createStatement();
        try {
            if (closeOnCompletion) {
                st.closeOnCompletion();
            }
            seen.add("execute=" + st.execute(SELECT));
            ResultSet rs = st.getResultSet();
            assertTrue(rs.next());
            seen.add(describe(rs, REFUSED.get(6)));
            seen.add("count=" + st.getUpdateCount());
            seen.add("same=" + (rs == st.getResultSet()));
            seen.add("more=" + st.getMoreResults(mode));
            seen.add("rs closed=" + rs.isClosed() + " st closed=" + st.isClosed());
            seen.add("count=" + outcome(() -> String.valueOf(st.getUpdateCount())));
            if (mode != Statement.KEEP_CURRENT_RESULT) {
                // (H2 still returns a kept result here, hit or not: not what this test is about.)
                seen.add("result=" + outcome(() -> String.valueOf(st.getResultSet())));
            }
            if (!rs.isClosed()) {
                seen.add("kept " + describe(rs, REFUSED.get(6)));
                rs.close();
                seen.add("st closed=" + st.isClosed());
            }
            seen.add("again=" + outcome(() -> {
                try (ResultSet again = st.executeQuery(SELECT)) {
                    again.next();
                    return describe(again, REFUSED.get(6)) + " st closed=" + st.isClosed();
                }
            }));
        } finally {
            st.close();
        }
        return seen;
    }

    private static List<String> describeRows(ResultSet rs) throws SQLException {
        List<String> seen = new ArrayList<>();
        while (rs.next()) {
            seen.addAll(describeRow(rs));
        }
        assertFalse(seen.isEmpty());
        return seen;
    }

    private static List<String> describeRow(ResultSet rs) throws SQLException {
        List<String> row = new ArrayList<>();
        for (Getter getter : REFUSED) {
            row.add(describe(rs, getter));
        }
        return row;
    }

    /** What a getter gives on the real driver's row {@code id}. */
    private static String describe(Connection direct, int id, Getter getter) throws SQLException {
        try (Statement st = direct.createStatement(); ResultSet rs = st.executeQuery(SELECT)) {
            while (rs.next()) {
                if (rs.getInt(1) == id) {
                    return describe(rs, getter);
                }
            }
        }
        throw new AssertionError("no row " + id);
    }

    /** A getter's answer, read out in full, with wasNull; or the SQLState it failed with. */
    private static String describe(ResultSet rs, Getter getter) throws SQLException {
        int row = rs.getRow();
        return "row " + row + " " + getter.name() + ": " + outcome(() -> {
            Object value = getter.read().read(rs);
            boolean wasNull = rs.wasNull();
            return show(value) + " wasNull=" + wasNull;
        });
    }

    @FunctionalInterface
    private interface Outcome {
        String get() throws Exception;
    }

    private static String outcome(Outcome outcome) {
        try {
            return outcome.get();
        } catch (SQLException e) {
            return "error " + e.getSQLState();
        } catch (Exception e) {
            return "error " + e.getClass().getName();
        }
    }

    private static String show(Object value) throws Exception {
        if (value == null) {
            return "null";
        }
        if (value instanceof byte[] bytes) {
            return "bytes " + HexFormat.of().formatHex(bytes);
        }
        if (value instanceof Clob clob) {
            return "clob " + clob.getSubString(1, (int) clob.length());
        }
        if (value instanceof Blob blob) {
            return "blob " + HexFormat.of().formatHex(blob.getBytes(1, (int) blob.length()));
        }
        if (value instanceof InputStream stream) {
            return "stream " + HexFormat.of().formatHex(stream.readAllBytes());
        }
        if (value instanceof Reader reader) {
            StringBuilder text = new StringBuilder();
            char[] buffer = new char[64];
            for (int n = reader.read(buffer); n >= 0; n = reader.read(buffer)) {
                text.append(buffer, 0, n);
            }
            return "reader " + text;
        }
        return value.getClass().getSimpleName() + " " + value;
    }
}
