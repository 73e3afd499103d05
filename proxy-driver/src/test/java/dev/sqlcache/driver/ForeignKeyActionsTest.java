package dev.sqlcache.driver;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.sql.Connection;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A write sets off exactly the foreign key actions the database runs for it: a DELETE the ON DELETE ones, an
 * UPDATE the ON UPDATE ones. The cached children must then read as the database (never stale), and children the
 * write cannot have changed stay cached.
 */
class ForeignKeyActionsTest extends RedisBackedTest {

    private static final String CHILDREN = "select id, parent_id, parent_code from fka_child_%s order by id";

    private void schema(Connection c, TestDatabase db) throws Exception {
        exec(c, "drop table if exists fka_child_del", "drop table if exists fka_child_upd",
                "drop table if exists fka_child_null", "drop table if exists fka_parent",
                "create table fka_parent (id int primary key, code varchar(10) not null unique, name varchar(20))",
                // ON DELETE CASCADE only: an update of the parent never changes it.
                "create table fka_child_del (id int primary key, parent_id int, parent_code varchar(10),"
                        + " foreign key (parent_id) references fka_parent(id) on delete cascade)",
                // ON UPDATE CASCADE on the code: only an update assigning the code changes it.
                "create table fka_child_upd (id int primary key, parent_id int, parent_code varchar(10),"
                        + " foreign key (parent_code) references fka_parent(code) on update cascade)",
                // SET NULL both ways.
                "create table fka_child_null (id int primary key, parent_id int, parent_code varchar(10),"
                        + " foreign key (parent_id) references fka_parent(id) on delete set null on update set null)",
                "insert into fka_parent values (1, 'a', 'one')", "insert into fka_parent values (2, 'b', 'two')",
                "insert into fka_child_del values (10, 1, null)", "insert into fka_child_del values (11, 2, null)",
                "insert into fka_child_upd values (20, null, 'a')", "insert into fka_child_upd values (21, null, 'b')",
                "insert into fka_child_null values (30, 1, null)", "insert into fka_child_null values (31, 2, null)");
    }

    private static List<List<String>> children(Connection c, String which) throws Exception {
        return rows(c, String.format(CHILDREN, which));
    }

    /** Reads every child table through the cache until a read is a hit, each checked against the database. */
    private static void warm(Connection cached, Connection direct) throws Exception {
        for (String which : List.of("del", "upd", "null")) {
            untilHit(cached, which, () -> children(direct, which), () -> children(cached, which));
        }
    }

    private static long hitsOf(Connection cached, Connection direct, String which) throws Exception {
        long before = stats(cached).hits();
        assertEquals(children(direct, which), children(cached, which), which + " read as the database");
        return stats(cached).hits() - before;
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"H2", "POSTGRES", "MARIADB"})
    void anUpdateOfAColumnNoForeignKeyReferencesChangesNoChild(TestDatabase db) throws Exception {
        try (Connection direct = db.direct(); Connection cached = db.cached(settings())) {
            schema(direct, db);
            warm(cached, direct);
            exec(cached, "update fka_parent set name = 'uno' where id = 1");
            assertEquals(1, hitsOf(cached, direct, "del"), "ON DELETE CASCADE is not set off by an update");
            assertEquals(1, hitsOf(cached, direct, "upd"), "ON UPDATE CASCADE of a column the update leaves alone");
            assertEquals(1, hitsOf(cached, direct, "null"), "ON UPDATE SET NULL of a column the update leaves alone");
        }
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"H2", "POSTGRES", "MARIADB"})
    void anUpdateOfAReferencedColumnInvalidatesItsOnUpdateChildren(TestDatabase db) throws Exception {
        try (Connection direct = db.direct(); Connection cached = db.cached(settings())) {
            schema(direct, db);
            warm(cached, direct);
            exec(cached, "update fka_parent set code = 'z' where id = 1");
            hitsOf(cached, direct, "upd"); // cascaded to 'z': must read as the database
            assertEquals(1, hitsOf(cached, direct, "del"), "ON DELETE CASCADE is not set off by an update");
        }
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"H2", "POSTGRES", "MARIADB"})
    void aDeleteInvalidatesItsOnDeleteChildren(TestDatabase db) throws Exception {
        try (Connection direct = db.direct(); Connection cached = db.cached(settings())) {
            schema(direct, db);
            exec(direct, "delete from fka_child_upd");
            warm(cached, direct);
            exec(cached, "delete from fka_parent where id = 2");
            hitsOf(cached, direct, "del"); // child 11 is gone
            hitsOf(cached, direct, "null"); // child 31 has no parent now
            assertEquals(1, hitsOf(cached, direct, "upd"), "ON UPDATE CASCADE is not set off by a delete");
        }
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"H2", "POSTGRES", "MARIADB"})
    void anUpdateOfTheKeySetsOffOnUpdateSetNull(TestDatabase db) throws Exception {
        try (Connection direct = db.direct(); Connection cached = db.cached(settings())) {
            schema(direct, db);
            exec(direct, "delete from fka_child_del");
            warm(cached, direct);
            exec(cached, "update fka_parent set id = 5 where id = 1");
            hitsOf(cached, direct, "null"); // child 30's parent_id became null
        }
    }
}
