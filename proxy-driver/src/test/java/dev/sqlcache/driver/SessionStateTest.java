package dev.sqlcache.driver;

import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Session state the SQL text of a query does not show: row-level security driven by a setting, and the schema a
 * SET search_path selects. A cached answer must never cross from one session state to another.
 */
class SessionStateTest extends RedisBackedTest {

    private static final TestDatabase DB = TestDatabase.POSTGRES;

    @Test
    void rowLevelSecurityByASessionSettingNeverLeaksAcrossTenants() throws Exception {
        try (Connection admin = DB.direct()) {
            exec(admin, "drop table if exists fw_tenant_docs",
                    "do $$ begin if not exists (select from pg_roles where rolname = 'sqlcache_tenant') then"
                            + " create role sqlcache_tenant login; end if; end $$",
                    "create table fw_tenant_docs (tenant integer, body text)",
                    "insert into fw_tenant_docs values (1, 'one'), (2, 'two')",
                    "alter table fw_tenant_docs enable row level security",
                    "create policy by_tenant on fw_tenant_docs using (tenant = current_setting('app.tenant')::integer)",
                    "grant select on fw_tenant_docs to sqlcache_tenant");
        }
        Properties props = settings();
        props.setProperty("user", "sqlcache_tenant");
        String sql = "select body from fw_tenant_docs";
        try (Connection c = DriverManager.getConnection(DB.cachedUrl(), props)) {
            for (int round = 0; round < 2; round++) {
                rows(c, "select set_config('app.tenant', '1', false)");
                assertEquals(List.of(List.of("one")), rows(c, sql));
                assertEquals(List.of(List.of("one")), rows(c, sql));
                exec(c, "set app.tenant = '2'");
                assertEquals(List.of(List.of("two")), rows(c, sql));
                rows(c, "select set_config('app.tenant', '1', false)");
                assertEquals(List.of(List.of("one")), rows(c, sql));
                rows(c, "select set_config('app.tenant', '2', false)");
                assertEquals(List.of(List.of("two")), rows(c, sql));
            }
        }
    }

    @Test
    void aSearchPathChangeReadsTheOtherSchemasTable() throws Exception {
        try (Connection admin = DB.direct()) {
            exec(admin, "create schema if not exists sqlcache_a", "create schema if not exists sqlcache_b",
                    "drop table if exists sqlcache_a.shadowed", "drop table if exists sqlcache_b.shadowed",
                    "create table sqlcache_a.shadowed (v text)", "create table sqlcache_b.shadowed (v text)",
                    "insert into sqlcache_a.shadowed values ('a')", "insert into sqlcache_b.shadowed values ('b')");
        }
        try (Connection c = DB.cached(settings())) {
            exec(c, "set search_path = sqlcache_a");
            assertEquals(List.of(List.of("a")), rows(c, "select v from shadowed"));
            assertEquals(List.of(List.of("a")), rows(c, "select v from shadowed"));
            exec(c, "set search_path = sqlcache_b");
            assertEquals(List.of(List.of("b")), rows(c, "select v from shadowed"));
            c.setSchema("sqlcache_a");
            assertEquals(List.of(List.of("a")), rows(c, "select v from shadowed"));
            exec(c, "update sqlcache_a.shadowed set v = 'a2'");
            assertEquals(List.of(List.of("a2")), rows(c, "select v from shadowed"),
                    "a write to the qualified name invalidates the unqualified read");
        }
    }

    @Test
    void aTemporaryTableShadowsTheRealOneOnlyForItsConnection() throws Exception {
        try (Connection admin = DB.direct(); Connection shadowing = DB.cached(settings());
             Connection plain = DB.cached(settings())) {
            exec(admin, "drop table if exists shadow_me", "create table shadow_me (v text)",
                    "insert into shadow_me values ('real')");
            String sql = "select v from shadow_me";
            assertEquals(List.of(List.of("real")), rows(shadowing, sql));
            assertEquals(List.of(List.of("real")), rows(plain, sql));
            exec(shadowing, "create temporary table shadow_me (v text)", "insert into shadow_me values ('temp')");
            assertEquals(List.of(List.of("temp")), rows(shadowing, sql));
            assertEquals(List.of(List.of("temp")), rows(shadowing, sql));
            assertEquals(List.of(List.of("real")), rows(plain, sql));
        }
    }

    @Test
    void aMaterializedViewIsNotCachedAndRefreshInvalidates() throws Exception {
        try (Connection admin = DB.direct(); Connection c = DB.cached(settings())) {
            exec(admin, "drop materialized view if exists mv_totals", "drop table if exists mv_base",
                    "create table mv_base (v integer)", "insert into mv_base values (1)",
                    "create materialized view mv_totals as select sum(v) as total from mv_base");
            String sql = "select total from mv_totals";
            assertEquals(List.of(List.of("1")), rows(c, sql));
            exec(c, "insert into mv_base values (2)");
            assertEquals(List.of(List.of("1")), rows(c, sql), "not refreshed yet: the database says 1 too");
            exec(c, "refresh materialized view mv_totals");
            assertEquals(List.of(List.of("3")), rows(c, sql));
        }
    }

    @Test
    void useOnMariaDbSwitchesTheDatabaseTheKeysDescribe() throws Exception {
        TestDatabase mariadb = TestDatabase.MARIADB;
        try (Connection admin = mariadb.direct(); Connection c = mariadb.cached(settings())) {
            exec(admin, "create database if not exists sqlcache_other", "drop table if exists " + TestDatabase.Name.DB + ".same_name",
                    "drop table if exists sqlcache_other.same_name", "create table " + TestDatabase.Name.DB + ".same_name (v text)",
                    "create table sqlcache_other.same_name (v text)", "insert into " + TestDatabase.Name.DB + ".same_name values ('test')",
                    "insert into sqlcache_other.same_name values ('other')");
            String sql = "select v from same_name";
            assertEquals(List.of(List.of("test")), rows(c, sql));
            assertEquals(List.of(List.of("test")), rows(c, sql));
            exec(c, "use sqlcache_other");
            assertEquals(List.of(List.of("other")), rows(c, sql));
            c.setCatalog(TestDatabase.Name.DB);
            assertEquals(List.of(List.of("test")), rows(c, sql));
        }
    }

    @Test
    void twoDatabasesWithTheSameTablesNeverShareEntries() throws Exception {
        String first = "jdbc:sqlcache:h2:mem:sqlcache_first;DB_CLOSE_DELAY=-1";
        String second = "jdbc:sqlcache:h2:mem:sqlcache_second;DB_CLOSE_DELAY=-1";
        try (Connection a = java.sql.DriverManager.getConnection(first, settings());
             Connection b = java.sql.DriverManager.getConnection(second, settings())) {
            exec(a, "create table twin (v varchar(10))", "insert into twin values ('a')");
            exec(b, "create table twin (v varchar(10))", "insert into twin values ('b')");
            for (int i = 0; i < 2; i++) {
                assertEquals(List.of(List.of("a")), rows(a, "select v from twin"));
                assertEquals(List.of(List.of("b")), rows(b, "select v from twin"));
            }
            exec(a, "update twin set v = 'a2'");
            assertEquals(List.of(List.of("b")), rows(b, "select v from twin"));
            assertEquals(List.of(List.of("a2")), rows(a, "select v from twin"));
        }
    }

    @Test
    void connectionsWithOtherDriverSettingsKeepTheirOwnEntriesButShareInvalidation() throws Exception {
        try (Connection admin = DB.direct()) {
            exec(admin, "drop table if exists per_settings", "create table per_settings (v integer)",
                    "insert into per_settings values (1)");
        }
        java.util.Properties first = settings("ApplicationName", "first");
        java.util.Properties second = settings("ApplicationName", "second");
        try (Connection a = DB.cached(first); Connection b = DB.cached(second)) {
            String sql = "select v from per_settings";
            rows(a, sql);
            var before = stats(b);
            assertEquals(List.of(List.of("1")), rows(b, sql));
            assertEquals(0, stats(b).since(before).hits(), "settings that may change results are part of the key");
            rows(b, sql);
            exec(a, "update per_settings set v = 2");
            assertEquals(List.of(List.of("2")), rows(b, sql), "a write through either invalidates both");
        }
    }
}
