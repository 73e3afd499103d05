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
}
