package dev.sqlcache.driver;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Reads and writes that pin the primary key depend on and invalidate those rows only; everything else stays
 * table-level. Each case checks both sides: every answer through the cache equals the database's, and answers a
 * write cannot have changed are still served from the cache.
 */
class KeyLevelTest extends RedisBackedTest {

    private static final String BY_KEY = "select id, name, code, v from kl_item where id = ?";

    private static void schema(Connection direct) throws Exception {
        exec(direct, "drop table if exists kl_item",
                "create table kl_item (id int primary key, name varchar(20), code varchar(10) unique, v int)",
                "insert into kl_item values (1, 'one', 'a', 10)", "insert into kl_item values (2, 'two', 'b', 20)",
                "insert into kl_item values (3, 'three', 'c', 30)");
    }

    private static List<List<String>> byKey(Connection c, int id) throws Exception {
        try (PreparedStatement ps = c.prepareStatement(BY_KEY)) {
            ps.setInt(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rows(rs);
            }
        }
    }

    private static void update(Connection c, String sql, Object... values) throws Exception {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < values.length; i++) {
                ps.setObject(i + 1, values[i]);
            }
            ps.executeUpdate();
        }
    }

    /** Reads a key through the cache and checks it equals the database; returns whether it was a hit. */
    private static boolean read(Connection cached, Connection direct, int id) throws Exception {
        long hits = stats(cached).hits();
        assertEquals(byKey(direct, id), byKey(cached, id), "key " + id + " reads as the database");
        return stats(cached).hits() > hits;
    }

    private static void warm(Connection cached, Connection direct, int... ids) throws Exception {
        for (int id : ids) {
            read(cached, direct, id);
            read(cached, direct, id);
        }
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"H2", "POSTGRES", "MARIADB", "HSQLDB", "DERBY"})
    void anUpdateByKeyInvalidatesThatRowOnly(TestDatabase db) throws Exception {
        try (Connection direct = db.direct(); Connection cached = db.cached(settings())) {
            schema(direct);
            warm(cached, direct, 1, 2);
            update(cached, "update kl_item set v = ? where id = ?", 11, 1);
            assertEquals(false, read(cached, direct, 1), "the written row is read again");
            assertEquals(true, read(cached, direct, 2), "another row stays cached");
        }
    }

    /** An operator's "invalidate --table" after a write outside the driver reaches the answers read by key too. */
    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"POSTGRES", "MARIADB"})
    void theAdminInvalidationOfATableReachesItsKeyedAnswers(TestDatabase db) throws Exception {
        try (Connection direct = db.direct(); Connection cached = db.cached(settings())) {
            schema(direct);
            warm(cached, direct, 1);
            exec(direct, "update kl_item set v = 77 where id = 1");
            int code = dev.sqlcache.internal.admin.AdminCli.commandLine(
                    new dev.sqlcache.internal.admin.AdminCli(java.util.Map.of())).execute("invalidate",
                    "--url", db.cachedUrl(), "--table", "kl_item", "--redis-host", redis.host(),
                    "--redis-port", Integer.toString(redis.port()));
            assertEquals(0, code);
            assertEquals("77", byKey(cached, 1).get(0).get(3), "the outside write is seen after the invalidation");
        }
    }

    /** PostgreSQL: a namesake in another schema (one copy per tenant) does not make the search path's table ambiguous. */
    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = "POSTGRES")
    void aNamesakeInAnotherSchemaKeepsKeysRowLevel(TestDatabase db) throws Exception {
        namesakeElsewhereKeepsKeysRowLevel(db, "create schema if not exists kl_tenant",
                "create table if not exists kl_tenant.kl_item (id int primary key, name varchar(20))",
                "drop schema if exists kl_tenant cascade");
    }

    /** MariaDB's metadata answers for every database unless asked for one: a namesake elsewhere is not this table. */
    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = "MARIADB")
    void aNamesakeInAnotherDatabaseKeepsKeysRowLevel(TestDatabase db) throws Exception {
        namesakeElsewhereKeepsKeysRowLevel(db, "create database if not exists kl_namesake",
                "create table if not exists kl_namesake.kl_item (id int primary key, name varchar(20))",
                "drop database if exists kl_namesake");
    }

    private static void namesakeElsewhereKeepsKeysRowLevel(TestDatabase db, String createPlace, String createNamesake,
                                                           String dropPlace) throws Exception {
        try (Connection direct = db.direct(); Connection cached = db.cached(settings())) {
            exec(direct, createPlace, createNamesake);
            schema(direct);
            warm(cached, direct, 1, 2);
            update(cached, "update kl_item set v = ? where id = ?", 11, 1);
            assertEquals(false, read(cached, direct, 1), "the written row is read again");
            assertEquals(true, read(cached, direct, 2), "another row stays cached");
        } finally {
            try (Connection direct = db.direct()) {
                exec(direct, dropPlace);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"H2", "POSTGRES", "MARIADB", "HSQLDB", "DERBY"})
    void anUpdateByKeyStillInvalidatesAnswersOverTheWholeTable(TestDatabase db) throws Exception {
        try (Connection direct = db.direct(); Connection cached = db.cached(settings())) {
            schema(direct);
            String sum = "select sum(v) from kl_item";
            String range = "select id, v from kl_item where v > 15 order by id";
            rows(cached, sum);
            rows(cached, range);
            update(cached, "update kl_item set v = ? where id = ?", 100, 1);
            assertEquals(rows(direct, sum), rows(cached, sum));
            assertEquals(rows(direct, range), rows(cached, range));
        }
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"H2", "POSTGRES", "MARIADB", "HSQLDB", "DERBY"})
    void aWriteByAnyOtherColumnInvalidatesEveryKeyedAnswer(TestDatabase db) throws Exception {
        try (Connection direct = db.direct(); Connection cached = db.cached(settings())) {
            schema(direct);
            warm(cached, direct, 1, 2);
            update(cached, "update kl_item set v = ? where code = ?", 99, "b");
            read(cached, direct, 2);
            exec(cached, "update kl_item set v = v + 1 where v > 5");
            read(cached, direct, 1);
            read(cached, direct, 2);
        }
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"H2", "POSTGRES", "MARIADB", "HSQLDB", "DERBY"})
    void aKeyReadAsMissingIsFoundOnceInserted(TestDatabase db) throws Exception {
        try (Connection direct = db.direct(); Connection cached = db.cached(settings())) {
            schema(direct);
            warm(cached, direct, 7);
            assertEquals(List.of(), byKey(cached, 7));
            update(cached, "insert into kl_item values (?, ?, ?, ?)", 7, "seven", "g", 70);
            assertEquals(1, byKey(cached, 7).size(), "the inserted key is seen");
            read(cached, direct, 7);
        }
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"H2", "POSTGRES", "MARIADB", "HSQLDB", "DERBY"})
    void aDeleteByKeyAndAKeyUpdateAreSeen(TestDatabase db) throws Exception {
        try (Connection direct = db.direct(); Connection cached = db.cached(settings())) {
            schema(direct);
            warm(cached, direct, 1, 2, 3, 8);
            update(cached, "delete from kl_item where id = ?", 1);
            read(cached, direct, 1);
            assertEquals(true, read(cached, direct, 3), "a delete by key leaves other keys cached");
            // A key update may move any row to any key: every keyed answer of the table is read again.
            update(cached, "update kl_item set id = ? where id = ?", 8, 2);
            read(cached, direct, 2);
            read(cached, direct, 8);
            read(cached, direct, 3);
        }
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"H2", "POSTGRES", "MARIADB", "HSQLDB", "DERBY"})
    void inListsDependOnEachOfTheirKeys(TestDatabase db) throws Exception {
        try (Connection direct = db.direct(); Connection cached = db.cached(settings())) {
            schema(direct);
            String in = "select id, v from kl_item where id in (1, 3) order by id";
            rows(cached, in);
            assertEquals(rows(direct, in), rows(cached, in));
            long hits = stats(cached).hits();
            update(cached, "update kl_item set v = ? where id = ?", 5, 2);
            assertEquals(rows(direct, in), rows(cached, in));
            assertEquals(hits + 1, stats(cached).hits(), "a write to another key leaves the list cached");
            update(cached, "update kl_item set v = ? where id = ?", 5, 3);
            assertEquals(rows(direct, in), rows(cached, in), "a write to a member is seen");
        }
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"H2", "POSTGRES"})
    void anyOfAnArrayDependsOnEachElement(TestDatabase db) throws Exception {
        try (Connection direct = db.direct(); Connection cached = db.cached(settings())) {
            schema(direct);
            String any = "select id, v from kl_item where id = any(?) order by id";
            List<List<String>> expected = anyRows(direct, any, 1, 3);
            assertEquals(expected, anyRows(cached, any, 1, 3));
            long hits = stats(cached).hits();
            assertEquals(expected, anyRows(cached, any, 1, 3));
            assertEquals(hits + 1, stats(cached).hits(), "an array parameter is keyable");
            update(cached, "update kl_item set v = ? where id = ?", 6, 2);
            anyRows(cached, any, 1, 3);
            assertEquals(hits + 2, stats(cached).hits(), "a write to another key leaves it cached");
            update(cached, "update kl_item set v = ? where id = ?", 6, 1);
            assertEquals(anyRows(direct, any, 1, 3), anyRows(cached, any, 1, 3), "a write to an element is seen");
        }
    }

    private static List<List<String>> anyRows(Connection c, String sql, Integer... ids) throws Exception {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            Array array = c.createArrayOf("INTEGER", ids);
            ps.setArray(1, array);
            try (ResultSet rs = ps.executeQuery()) {
                return rows(rs);
            }
        }
    }

    /** Not on Derby: its row lock makes the other connection's read of the written row wait for the commit. */
    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"H2", "POSTGRES", "MARIADB", "HSQLDB"})
    void aTransactionsKeyedWriteHidesThatRowFromItsOwnCachedReadsOnly(TestDatabase db) throws Exception {
        try (Connection direct = db.direct(); Connection cached = db.cached(settings());
             Connection writer = db.cached(settings())) {
            schema(direct);
            warm(cached, direct, 1, 2);
            warm(writer, direct, 1, 2);
            writer.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            writer.setAutoCommit(false);
            update(writer, "update kl_item set v = ? where id = ?", 12, 1);
            assertEquals("12", byKey(writer, 1).get(0).get(3), "its own write");
            long hits = stats(writer).hits();
            byKey(writer, 2);
            assertEquals(hits + 1, stats(writer).hits(), "a row it did not write is still served from the cache");
            assertEquals(byKey(direct, 1), byKey(cached, 1), "others see the committed row");
            writer.commit();
            writer.setAutoCommit(true);
            read(cached, direct, 1);
            assertEquals("12", byKey(cached, 1).get(0).get(3));
        }
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"H2", "POSTGRES", "MARIADB", "HSQLDB", "DERBY"})
    void aCompositeKeyPinnedInPartIsTableLevel(TestDatabase db) throws Exception {
        try (Connection direct = db.direct(); Connection cached = db.cached(settings())) {
            exec(direct, "drop table if exists kl_line",
                    "create table kl_line (order_id int, line int, qty int, primary key (order_id, line))",
                    "insert into kl_line values (1, 1, 5)", "insert into kl_line values (1, 2, 6)",
                    "insert into kl_line values (2, 1, 7)");
            String half = "select line, qty from kl_line where order_id = 1 order by line";
            String whole = "select qty from kl_line where order_id = 2 and line = 1";
            rows(cached, half);
            rows(cached, whole);
            update(cached, "update kl_line set qty = ? where order_id = ? and line = ?", 9, 1, 2);
            assertEquals(rows(direct, half), rows(cached, half));
            long hits = stats(cached).hits();
            assertEquals(rows(direct, whole), rows(cached, whole));
            assertEquals(hits + 1, stats(cached).hits(), "another whole key stays cached");
            update(cached, "update kl_line set qty = ? where order_id = ?", 1, 2);
            assertEquals(rows(direct, whole), rows(cached, whole), "a write by part of the key reaches it");
        }
    }
}
