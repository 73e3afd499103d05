package dev.sqlcache.driver;

import dev.sqlcache.stats.BypassReason;
import dev.sqlcache.stats.CacheStatistics;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.sql.Connection;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What the SQL text does not say: views, foreign key actions and triggers change or hide tables behind the names
 * a statement uses. The driver learns them from the database's metadata.
 */
class SchemaFactsTest extends RedisBackedTest {

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"H2", "POSTGRES", "MARIADB", "HSQLDB", "DERBY"})
    void aViewIsNeverCachedSinceWritesGoToItsBaseTable(TestDatabase db) throws Exception {
        try (Connection direct = db.direct(); Connection cached = db.cached(settings())) {
            exec(direct, "drop view if exists cheap_items", "drop table if exists base_items",
                    "create table base_items (id integer primary key, price integer)",
                    "insert into base_items values (1, 5)",
                    "create view cheap_items as select id, price from base_items where price < 10");
            CacheStatistics before = stats(cached);
            assertEquals(List.of(List.of("1", "5")), rows(cached, "select id, price from cheap_items"));
            assertEquals(List.of(List.of("1", "5")), rows(cached, "select id, price from cheap_items"));
            exec(cached, "update base_items set price = 6 where id = 1");
            assertEquals(List.of(List.of("1", "6")), rows(cached, "select id, price from cheap_items"));
            CacheStatistics delta = stats(cached).since(before);
            assertEquals(0, delta.hits());
            assertEquals(3, delta.bypasses(BypassReason.NOT_A_PLAIN_TABLE), delta.toString());
        }
    }

    /**
     * A write through an updatable view lands in its base table, which the statement does not name: like a trigger's
     * write, it invalidates the whole database. (H2 and Derby views are not updatable.)
     */
    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"POSTGRES", "MARIADB", "HSQLDB"})
    void aWriteThroughAViewInvalidatesItsBaseTable(TestDatabase db) throws Exception {
        try (Connection direct = db.direct(); Connection cached = db.cached(settings())) {
            exec(direct, "drop view if exists sf_view", "drop table if exists sf_base",
                    "create table sf_base (id integer primary key, price integer)",
                    "insert into sf_base values (1, 5)",
                    "create view sf_view as select id, price from sf_base");
            String base = "select id, price from sf_base";
            rows(cached, base);
            rows(cached, base);
            exec(cached, "update sf_view set price = 7 where id = 1");
            assertEquals(rows(direct, base), rows(cached, base), "the base table's change is seen");
        }
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"H2", "POSTGRES", "MARIADB", "HSQLDB", "DERBY"})
    void aCascadingDeleteInvalidatesTheReferencingTable(TestDatabase db) throws Exception {
        try (Connection direct = db.direct(); Connection cached = db.cached(settings())) {
            exec(direct, "drop table if exists grandchildren", "drop table if exists children",
                    "drop table if exists parents",
                    "create table parents (id integer primary key)",
                    "create table children (id integer primary key, parent_id integer references parents (id) on delete cascade)",
                    "create table grandchildren (id integer primary key, child_id integer references children (id) on delete set null)",
                    "insert into parents values (1)", "insert into parents values (2)",
                    "insert into children values (10, 1)", "insert into children values (20, 2)",
                    "insert into grandchildren values (100, 10)");
            String children = "select id from children order by id";
            String grandchildren = "select id, child_id from grandchildren";
            assertEquals(List.of(List.of("10"), List.of("20")), rows(cached, children));
            assertEquals(List.of(List.of("100", "10")), rows(cached, grandchildren));
            CacheStatistics before = stats(cached);
            rows(cached, children);
            rows(cached, grandchildren);
            assertEquals(2, stats(cached).since(before).hits(), "both are cached");
            exec(cached, "delete from parents where id = 1");
            assertEquals(List.of(List.of("20")), rows(cached, children), "the cascade removed child 10");
            assertEquals(List.of(java.util.Arrays.asList("100", null)), rows(cached, grandchildren),
                    "and set the grandchild's reference to null, two levels down");
        }
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"H2", "POSTGRES", "MARIADB", "HSQLDB", "DERBY"})
    void aTriggerMakesAWriteInvalidateTheWholeDatabase(TestDatabase db) throws Exception {
        try (Connection direct = db.direct(); Connection cached = db.cached(settings())) {
            exec(direct, "drop table if exists audited", "drop table if exists audit",
                    "create table audit (item_id integer)", "create table audited (id integer primary key)");
            switch (db) {
                case H2 -> exec(direct, "create trigger audited_insert after insert on audited for each row call \""
                        + AuditTrigger.class.getName() + "\"");
                case POSTGRES -> exec(direct,
                        "create or replace function audit_insert() returns trigger language plpgsql as "
                                + "$$ begin insert into audit (item_id) values (new.id); return new; end $$",
                        "create trigger audited_insert after insert on audited for each row execute function audit_insert()");
                case MARIADB -> exec(direct, "create trigger audited_insert after insert on audited for each row "
                        + "insert into audit (item_id) values (new.id)");
                case HSQLDB -> exec(direct, "create trigger audited_insert after insert on audited referencing new row as n"
                        + " for each row insert into audit (item_id) values (n.id)");
                case DERBY -> exec(direct, "create trigger audited_insert after insert on audited referencing new as n"
                        + " for each row insert into audit (item_id) values (n.id)");
                default -> throw new IllegalArgumentException(db.name());
            }
            String sql = "select count(*) from audit";
            assertEquals(List.of(List.of("0")), rows(cached, sql));
            assertEquals(List.of(List.of("0")), rows(cached, sql));
            exec(cached, "insert into audited values (1)");
            assertEquals(List.of(List.of("1")), rows(cached, sql), "the trigger's write is seen");
        }
    }

    @org.junit.jupiter.api.Test
    void postgresPartitionsAndInheritanceInvalidateEachOther() throws Exception {
        TestDatabase db = TestDatabase.POSTGRES;
        try (Connection direct = db.direct(); Connection cached = db.cached(settings())) {
            exec(direct, "drop table if exists sc_events cascade", "drop table if exists sc_animals cascade",
                    "create table sc_events (id integer, year integer) partition by range (year)",
                    "create table sc_events_2024 partition of sc_events for values from (2024) to (2025)",
                    "create table sc_events_2025 partition of sc_events for values from (2025) to (2026)",
                    "insert into sc_events values (1, 2024)",
                    "create table sc_animals (name text)", "create table sc_cats (lives integer) inherits (sc_animals)",
                    "insert into sc_cats values ('tom', 9)");
            String partition = "select count(*) from sc_events_2024";
            assertEquals(List.of(List.of("1")), rows(cached, partition));
            assertEquals(List.of(List.of("1")), rows(cached, partition));
            exec(cached, "insert into sc_events values (2, 2024)");
            assertEquals(List.of(List.of("2")), rows(cached, partition), "a write through the parent reaches the partition");

            String parent = "select count(*) from sc_animals";
            assertEquals(List.of(List.of("1")), rows(cached, parent));
            assertEquals(List.of(List.of("1")), rows(cached, parent));
            exec(cached, "insert into sc_cats values ('felix', 7)");
            assertEquals(List.of(List.of("2")), rows(cached, parent), "a write to the child changes the parent's rows");
            String child = "select count(*) from sc_cats";
            assertEquals(List.of(List.of("2")), rows(cached, child));
            assertEquals(List.of(List.of("2")), rows(cached, child));
            exec(cached, "delete from sc_animals where name = 'tom'");
            assertEquals(List.of(List.of("1")), rows(cached, child), "a delete through the parent reaches the child");
        }
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"H2", "POSTGRES", "MARIADB", "HSQLDB", "DERBY"})
    void declaredTriggerWritesInvalidateOnlyWhatTheTriggerWrites(TestDatabase db) throws Exception {
        try (Connection direct = db.direct();
             Connection cached = db.cached(settings("sqlcache.triggerWrites", "audited=audit"))) {
            aTriggerMakesAWriteInvalidateTheWholeDatabase(db); // creates audited, audit and the trigger
            exec(direct, "drop table if exists bystander", "create table bystander (v integer)",
                    "insert into bystander values (1)", "delete from audit");
            String audit = "select count(*) from audit";
            String bystander = "select v from bystander";
            rows(cached, audit);
            rows(cached, bystander);
            CacheStatistics before = stats(cached);
            exec(cached, "insert into audited values (2)");
            assertEquals(List.of(List.of("1")), rows(cached, audit), "the declared table is invalidated");
            assertEquals(List.of(List.of("1")), rows(cached, bystander));
            assertEquals(1, stats(cached).since(before).hits(), "the rest of the database stays cached");
        }
    }

    @org.junit.jupiter.api.Test
    void aCallOfADeclaredProcedureInvalidatesOnlyItsTables() throws Exception {
        TestDatabase db = TestDatabase.POSTGRES;
        try (Connection direct = db.direct();
             Connection cached = db.cached(settings("sqlcache.procedureWrites", "bump_counter=declared_counter"))) {
            exec(direct, "drop table if exists declared_counter", "drop table if exists bystander",
                    "create table declared_counter (n integer)", "insert into declared_counter values (0)",
                    "create table bystander (v integer)", "insert into bystander values (1)",
                    "create or replace procedure bump_counter() language sql as $$ update declared_counter set n = n + 1 $$");
            String counter = "select n from declared_counter";
            String bystander = "select v from bystander";
            rows(cached, counter);
            rows(cached, bystander);
            CacheStatistics before = stats(cached);
            exec(cached, "call bump_counter()");
            assertEquals(List.of(List.of("1")), rows(cached, counter));
            assertEquals(List.of(List.of("1")), rows(cached, bystander));
            assertEquals(1, stats(cached).since(before).hits(), "only the declared table was invalidated");
        }
    }

    @org.junit.jupiter.api.Test
    void aCallableStatementOfADeclaredProcedureInvalidatesOnlyItsTables() throws Exception {
        TestDatabase db = TestDatabase.MARIADB;
        try (Connection direct = db.direct();
             Connection cached = db.cached(settings("sqlcache.procedureWrites", "bump_counter=declared_counter"))) {
            exec(direct, "drop table if exists declared_counter", "drop table if exists bystander",
                    "drop procedure if exists bump_counter",
                    "create table declared_counter (n integer)", "insert into declared_counter values (0)",
                    "create table bystander (v integer)", "insert into bystander values (1)",
                    "create procedure bump_counter() update declared_counter set n = n + 1");
            String counter = "select n from declared_counter";
            String bystander = "select v from bystander";
            rows(cached, counter);
            rows(cached, bystander);
            CacheStatistics before = stats(cached);
            try (var call = cached.prepareCall("{call bump_counter()}")) {
                call.execute();
            }
            assertEquals(List.of(List.of("1")), rows(cached, counter));
            assertEquals(List.of(List.of("1")), rows(cached, bystander));
            assertEquals(1, stats(cached).since(before).hits(), "only the declared table was invalidated");
        }
    }
}
