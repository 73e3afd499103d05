package dev.sqlcache.driver;

import dev.sqlcache.stats.BypassReason;
import dev.sqlcache.stats.CacheStatistics;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Read-through caching and invalidation on each real database, against a real Redis. */
class ReadThroughTest extends RedisBackedTest {

    private static void createItems(Connection c, TestDatabase db) throws SQLException {
        exec(c, "drop table if exists order_lines", "drop table if exists items");
        exec(c, "create table items (" + db.identityColumn() + ", name varchar(40) not null, price decimal(10,2),"
                        + " stock bigint, active boolean, added date)",
                "create table order_lines (line_id integer primary key, item_id integer, quantity integer)");
        exec(c, "insert into items (name, price, stock, active, added) values ('apple', 1.50, 100, true, DATE '2024-01-02')",
                "insert into items (name, price, stock, active, added) values ('pear', 2.25, 5, false, DATE '2023-12-31')",
                "insert into items (name, price, stock, active, added) values ('fig', null, null, null, null)",
                "insert into order_lines values (1, 1, 3)", "insert into order_lines values (2, 2, 7)");
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"H2", "POSTGRES", "MARIADB"})
    void aHitReturnsTheSameDataAndMetadataAsTheRealDriver(TestDatabase db) throws Exception {
        try (Connection direct = db.direct(); Connection cached = db.cached(settings())) {
            createItems(direct, db);
            String sql = "select id, name, price, stock, active, added from items order by id";
            CacheStatistics before = stats(cached);
            List<List<String>> miss = rows(cached, sql);
            List<List<String>> hit;
            try (var st = cached.createStatement(); ResultSet cachedRs = st.executeQuery(sql);
                 var dst = direct.createStatement(); ResultSet realRs = dst.executeQuery(sql)) {
                assertSameMetadata(realRs.getMetaData(), cachedRs.getMetaData());
                int columns = realRs.getMetaData().getColumnCount();
                while (realRs.next()) {
                    assertTrue(cachedRs.next());
                    for (int i = 1; i <= columns; i++) {
                        assertEquals(realRs.getObject(i), cachedRs.getObject(i), "column " + i);
                        assertEquals(realRs.wasNull(), cachedRs.wasNull(), "wasNull " + i);
                        assertEquals(realRs.getString(i), cachedRs.getString(i), "string " + i);
                    }
                }
                assertFalse(cachedRs.next());
            }
            hit = rows(cached, sql);
            CacheStatistics delta = stats(cached).since(before);
            assertEquals(1, delta.misses(), "first read misses");
            assertEquals(2, delta.hits(), "later reads hit");
            assertEquals(rows(direct, sql), miss);
            assertEquals(miss, hit);
        }
    }

    static void assertSameMetadata(ResultSetMetaData real, ResultSetMetaData cached) throws SQLException {
        assertEquals(real.getColumnCount(), cached.getColumnCount());
        for (int i = 1; i <= real.getColumnCount(); i++) {
            assertEquals(real.getColumnLabel(i), cached.getColumnLabel(i));
            assertEquals(real.getColumnName(i), cached.getColumnName(i));
            assertEquals(real.getColumnType(i), cached.getColumnType(i));
            assertEquals(real.getColumnTypeName(i), cached.getColumnTypeName(i));
            assertEquals(real.getColumnClassName(i), cached.getColumnClassName(i));
            assertEquals(real.getPrecision(i), cached.getPrecision(i));
            assertEquals(real.getScale(i), cached.getScale(i));
            assertEquals(real.isNullable(i), cached.isNullable(i));
            assertEquals(real.getTableName(i), cached.getTableName(i));
            assertEquals(real.isAutoIncrement(i), cached.isAutoIncrement(i));
            assertEquals(real.isSigned(i), cached.isSigned(i));
            assertEquals(real.getColumnDisplaySize(i), cached.getColumnDisplaySize(i));
        }
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"H2", "POSTGRES", "MARIADB"})
    void everyParameterValueAndTypeChangesTheKey(TestDatabase db) throws Exception {
        try (Connection direct = db.direct(); Connection cached = db.cached(settings())) {
            createItems(direct, db);
            try (PreparedStatement ps = cached.prepareStatement("select name from items where id = ?")) {
                for (int round = 0; round < 2; round++) {
                    ps.setInt(1, 1);
                    assertEquals(List.of(List.of("apple")), rows(ps.executeQuery()));
                    ps.setInt(1, 2);
                    assertEquals(List.of(List.of("pear")), rows(ps.executeQuery()));
                    ps.setLong(1, 1);
                    assertEquals(List.of(List.of("apple")), rows(ps.executeQuery()));
                    ps.setLong(1, 3);
                    assertEquals(List.of(List.of("fig")), rows(ps.executeQuery()));
                }
            }
            try (PreparedStatement ps = cached.prepareStatement(
                    "select id from items where name = ? or price = ? or added = ? order by id")) {
                for (int round = 0; round < 2; round++) {
                    ps.setString(1, "pear");
                    ps.setBigDecimal(2, new java.math.BigDecimal("1.50"));
                    ps.setDate(3, java.sql.Date.valueOf("2000-01-01"));
                    assertEquals(List.of(List.of("1"), List.of("2")), rows(ps.executeQuery()));
                    ps.setString(1, "fig");
                    assertEquals(List.of(List.of("1"), List.of("3")), rows(ps.executeQuery()));
                    ps.setNull(2, java.sql.Types.DECIMAL);
                    assertEquals(List.of(List.of("3")), rows(ps.executeQuery()));
                    ps.setDate(3, java.sql.Date.valueOf("2023-12-31"));
                    assertEquals(List.of(List.of("2"), List.of("3")), rows(ps.executeQuery()));
                }
            }
            CacheStatistics s = stats(cached);
            assertTrue(s.hits() >= 8, "the second round is served from the cache: " + s);
        }
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"H2", "POSTGRES", "MARIADB"})
    void aWriteThroughAnotherConnectionInvalidates(TestDatabase db) throws Exception {
        try (Connection direct = db.direct(); Connection reader = db.cached(settings());
             Connection writer = db.cached(settings())) {
            createItems(direct, db);
            String sql = "select stock from items where name = 'apple'";
            assertEquals(List.of(List.of("100")), rows(reader, sql));
            assertEquals(List.of(List.of("100")), rows(reader, sql));
            exec(writer, "update items set stock = 99 where name = 'apple'");
            assertEquals(List.of(List.of("99")), rows(reader, sql));
            try (PreparedStatement ps = writer.prepareStatement("update items set stock = ? where name = ?")) {
                ps.setLong(1, 42);
                ps.setString(2, "apple");
                ps.addBatch();
                ps.setLong(1, 6);
                ps.setString(2, "pear");
                ps.addBatch();
                ps.executeBatch();
            }
            assertEquals(List.of(List.of("42")), rows(reader, sql));
            exec(writer, "delete from items where name = 'apple'");
            assertEquals(List.of(), rows(reader, sql));
            exec(writer, "insert into items (name, stock) values ('apple', 7)");
            assertEquals(List.of(List.of("7")), rows(reader, sql));
        }
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"H2", "POSTGRES", "MARIADB"})
    void aJoinIsInvalidatedByAWriteToEitherTable(TestDatabase db) throws Exception {
        try (Connection direct = db.direct(); Connection cached = db.cached(settings())) {
            createItems(direct, db);
            String sql = "select i.name, l.quantity from items i join order_lines l on l.item_id = i.id order by l.line_id";
            assertEquals(List.of(List.of("apple", "3"), List.of("pear", "7")), rows(cached, sql));
            assertEquals(List.of(List.of("apple", "3"), List.of("pear", "7")), rows(cached, sql));
            exec(cached, "update order_lines set quantity = 4 where line_id = 1");
            assertEquals(List.of(List.of("apple", "4"), List.of("pear", "7")), rows(cached, sql));
            exec(cached, "update items set name = 'APPLE' where id = 1");
            assertEquals(List.of(List.of("APPLE", "4"), List.of("pear", "7")), rows(cached, sql));
            // A subquery counts as a read of its table too.
            String sub = "select name from items where id in (select item_id from order_lines where quantity > 5)";
            assertEquals(List.of(List.of("pear")), rows(cached, sub));
            exec(cached, "update order_lines set quantity = 9 where line_id = 1");
            assertEquals(List.of(List.of("APPLE"), List.of("pear")), rows(cached, sub).stream().sorted(
                    java.util.Comparator.comparing(r -> r.get(0))).toList());
        }
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"H2", "POSTGRES", "MARIADB"})
    void aTransactionReadsItsOwnWritesAndOthersSeeThemAfterCommit(TestDatabase db) throws Exception {
        try (Connection direct = db.direct(); Connection tx = db.cached(settings());
             Connection other = db.cached(settings())) {
            createItems(direct, db);
            String sql = "select stock from items where id = 2";
            assertEquals(List.of(List.of("5")), rows(other, sql));
            assertEquals(List.of(List.of("5")), rows(tx, sql));
            tx.setAutoCommit(false);
            exec(tx, "update items set stock = 6 where id = 2");
            assertEquals(List.of(List.of("6")), rows(tx, sql), "read-your-writes");
            assertEquals(List.of(List.of("5")), rows(other, sql), "uncommitted data is not visible");
            tx.commit();
            assertEquals(List.of(List.of("6")), rows(other, sql), "visible once the commit returned");
            assertEquals(List.of(List.of("6")), rows(tx, sql));
            exec(tx, "update items set stock = 8 where id = 2");
            assertEquals(List.of(List.of("8")), rows(tx, sql));
            tx.rollback();
            assertEquals(List.of(List.of("6")), rows(tx, sql), "rolled back");
            assertEquals(List.of(List.of("6")), rows(other, sql));
            exec(tx, "update items set stock = 9 where id = 2");
            tx.setAutoCommit(true);
            assertEquals(List.of(List.of("9")), rows(other, sql), "setAutoCommit(true) commits");
        }
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"H2", "POSTGRES", "MARIADB"})
    void statementsThatCannotBeCachedPassThrough(TestDatabase db) throws Exception {
        try (Connection direct = db.direct(); Connection cached = db.cached(settings())) {
            createItems(direct, db);
            List<String> uncacheable = List.of(
                    "select current_timestamp, name from items where id = 1",
                    "select name from items where id = 1 for update",
                    "select 1",
                    "select count(*) from information_schema.tables where table_name = 'ITEMS'",
                    "select name, " + (db == TestDatabase.MARIADB ? "rand()" : "random()") + " from items where id = 1");
            for (String sql : uncacheable) {
                CacheStatistics before = stats(cached);
                rows(cached, sql);
                rows(cached, sql);
                CacheStatistics delta = stats(cached).since(before);
                assertEquals(0, delta.hits(), sql);
                assertEquals(0, delta.misses(), sql);
                assertEquals(2, delta.totalBypasses(), sql + " " + delta);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"H2", "POSTGRES", "MARIADB"})
    void aResultOverTheRowLimitStreamsThroughUncached(TestDatabase db) throws Exception {
        try (Connection direct = db.direct(); Connection cached = db.cached(settings("sqlcache.maxRows", "2"))) {
            createItems(direct, db);
            String sql = "select name from items order by id";
            CacheStatistics before = stats(cached);
            assertEquals(3, rows(cached, sql).size());
            assertEquals(3, rows(cached, sql).size());
            CacheStatistics delta = stats(cached).since(before);
            assertEquals(0, delta.hits());
            // Counted once each: as misses whose result was rejected, never also as bypasses.
            assertEquals(2, delta.misses(), delta.toString());
            assertEquals(2, delta.rejected(BypassReason.TOO_LARGE), delta.toString());
            assertEquals(0, delta.totalBypasses(), delta.toString());
            String small = "select name from items where id < 3 order by id";
            rows(cached, small);
            rows(cached, small);
            assertEquals(1, stats(cached).since(before).hits(), "a result within the limit is cached");
        }
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"H2", "POSTGRES", "MARIADB"})
    void largeObjectsAndOtherUncodableTypesPassThrough(TestDatabase db) throws Exception {
        String lob = switch (db) {
            case H2, HSQLDB, DERBY -> "clob";
            case POSTGRES -> "json";
            case MARIADB -> "blob";
            case SQLITE -> "blob";
        };
        try (Connection direct = db.direct(); Connection cached = db.cached(settings())) {
            exec(direct, "drop table if exists docs", "create table docs (id integer primary key, body " + lob + ")",
                    "insert into docs values (1, " + (db == TestDatabase.MARIADB || db == TestDatabase.SQLITE ? "x'7b7d'" : "'{}'") + ")");
            CacheStatistics before = stats(cached);
            for (int i = 0; i < 2; i++) {
                try (var st = cached.createStatement(); ResultSet rs = st.executeQuery("select id, body from docs")) {
                    assertTrue(rs.next());
                    assertEquals(1, rs.getInt(1));
                }
            }
            CacheStatistics delta = stats(cached).since(before);
            assertEquals(0, delta.hits());
            assertEquals(2, delta.misses(), delta.toString());
            assertEquals(2, delta.rejected(BypassReason.UNSUPPORTED_TYPE), delta.toString());
            assertEquals(0, delta.totalBypasses(), delta.toString());
        }
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"H2", "POSTGRES"})
    void severalStatementsInOneStringPassThrough(TestDatabase db) throws Exception {
        try (Connection direct = db.direct(); Connection cached = db.cached(settings())) {
            createItems(direct, db);
            CacheStatistics before = stats(cached);
            for (int i = 0; i < 2; i++) {
                try (var st = cached.createStatement()) {
                    st.execute("select name from items where id = 1; select stock from items where id = 1");
                }
            }
            CacheStatistics delta = stats(cached).since(before);
            assertEquals(0, delta.hits());
            assertEquals(2, delta.bypasses(BypassReason.MULTIPLE_STATEMENTS), delta.toString());
        }
    }

    @org.junit.jupiter.api.Test
    void aCallableStatementIsNeverCachedAndInvalidatesTheWholeDatabase() throws Exception {
        TestDatabase db = TestDatabase.H2;
        try (Connection direct = db.direct(); Connection cached = db.cached(settings())) {
            createItems(direct, db);
            String sql = "select name from items where id = 1";
            rows(cached, sql);
            CacheStatistics before = stats(cached);
            rows(cached, sql);
            assertEquals(1, stats(cached).since(before).hits());
            for (int i = 0; i < 2; i++) {
                try (var call = cached.prepareCall("call abs(-1)"); ResultSet rs = call.executeQuery()) {
                    assertTrue(rs.next());
                    assertEquals(1, rs.getInt(1));
                }
            }
            CacheStatistics afterCall = stats(cached);
            assertEquals(2, afterCall.since(before).bypasses(BypassReason.CALLABLE));
            rows(cached, sql);
            assertEquals(1, stats(cached).since(afterCall).misses(), "a call invalidates everything cached");
        }
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"H2", "MARIADB"})
    void autoCommitSwitchedOffBySqlDefersInvalidationToTheCommit(TestDatabase db) throws Exception {
        try (Connection direct = db.direct(); Connection writer = db.cached(settings());
             Connection reader = db.cached(settings())) {
            createItems(direct, db);
            String sql = "select stock from items where id = 1";
            exec(writer, db == TestDatabase.H2 ? "set autocommit false" : "set autocommit = 0");
            exec(writer, "update items set stock = 1 where id = 1");
            assertEquals(List.of(List.of("100")), rows(reader, sql), "not committed yet");
            assertEquals(List.of(List.of("100")), rows(reader, sql));
            exec(writer, "commit");
            assertEquals(List.of(List.of("1")), rows(reader, sql), "the commit invalidated");
            exec(writer, db == TestDatabase.H2 ? "set autocommit true" : "set autocommit = 1");
            exec(writer, "update items set stock = 2 where id = 1");
            assertEquals(List.of(List.of("2")), rows(reader, sql), "auto-commit again: invalidated at once");
        }
    }

    /** What a statement answers once closed, after a read: each call's result or the SQLState it failed with. */
    private static List<String> afterClose(Connection c, String sql) throws SQLException {
        List<String> seen = new java.util.ArrayList<>();
        var st = c.createStatement();
        try (ResultSet rs = st.executeQuery(sql)) {
            rows(rs);
        }
        st.close();
        seen.add("closed=" + st.isClosed());
        seen.add("count=" + failure(() -> st.getUpdateCount()));
        seen.add("large count=" + failure(() -> st.getLargeUpdateCount()));
        seen.add("more=" + failure(() -> st.getMoreResults()));
        seen.add("result=" + failure(() -> st.getResultSet()));
        seen.add("query=" + failure(() -> st.executeQuery(sql)));
        return seen;
    }

    private interface Call {
        Object call() throws SQLException;
    }

    private static String failure(Call call) {
        try {
            return "returned " + call.call();
        } catch (SQLException e) {
            return "failed " + e.getSQLState();
        }
    }

    /** A hit never answers for a closed statement: the real driver fails those calls, so does the proxy. */
    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"H2", "POSTGRES", "MARIADB"})
    void aClosedStatementFailsLikeTheRealDriversAfterAHitToo(TestDatabase db) throws Exception {
        try (Connection direct = db.direct(); Connection cached = db.cached(settings())) {
            createItems(direct, db);
            String sql = "select name from items order by id";
            List<String> real = afterClose(direct, sql);
            assertEquals(real, afterClose(cached, sql), "miss");
            CacheStatistics before = stats(cached);
            assertEquals(real, afterClose(cached, sql), "hit");
            assertEquals(1, stats(cached).since(before).hits());
        }
    }

    /** The sequence execute / getResultSet / getUpdateCount / getMoreResults that generic JDBC code walks. */
    private static List<String> resultSequence(Connection c, String sql) throws SQLException {
        List<String> seen = new java.util.ArrayList<>();
        try (var st = c.createStatement()) {
            boolean isResultSet = st.execute(sql);
            seen.add("execute=" + isResultSet);
            ResultSet first = st.getResultSet();
            seen.add("same=" + (first == st.getResultSet()));
            seen.add("rows=" + rows(first));
            seen.add("count=" + st.getUpdateCount());
            seen.add("more=" + st.getMoreResults());
            seen.add("closed=" + first.isClosed());
            seen.add("count=" + st.getUpdateCount());
            seen.add("after=" + st.getResultSet());
            seen.add("update=" + st.executeUpdate("update order_lines set quantity = quantity where line_id = 1"));
            seen.add("count=" + st.getUpdateCount());
            seen.add("rs=" + st.getResultSet());
        }
        return seen;
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"H2", "POSTGRES", "MARIADB"})
    void executeWalksResultsLikeTheRealDriverOnMissAndHit(TestDatabase db) throws Exception {
        try (Connection direct = db.direct(); Connection cached = db.cached(settings())) {
            createItems(direct, db);
            String sql = "select name from items where id < 3 order by id";
            List<String> real = resultSequence(direct, sql);
            CacheStatistics before = stats(cached);
            assertEquals(real, resultSequence(cached, sql), "miss");
            assertEquals(real, resultSequence(cached, sql), "hit");
            assertEquals(1, stats(cached).since(before).hits());
        }
    }
}
