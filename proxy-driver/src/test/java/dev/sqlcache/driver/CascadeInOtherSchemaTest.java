package dev.sqlcache.driver;

import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Review finding: MetadataSchemaInspector.locate() calls getTables(null, null, name) and follows the foreign keys
 * of the FIRST match only (ordered by schema). A same-named table in an earlier schema hides the cascade of the
 * table the connection really uses.
 */
class CascadeInOtherSchemaTest extends RedisBackedTest {

    @Test
    void cascadeOfTheSearchPathTableIsInvalidated() throws Exception {
        try (Connection direct = TestDatabase.POSTGRES.direct()) {
            exec(direct, "drop schema if exists rv_a cascade", "drop schema if exists rv_b cascade",
                    "create schema rv_a", "create schema rv_b",
                    "create table rv_a.rvparent (id int primary key)",
                    "create table rv_b.rvparent (id int primary key)",
                    "create table rv_b.rvchild (id int primary key, parent_id int references rv_b.rvparent on delete cascade)",
                    "insert into rv_b.rvparent values (1)", "insert into rv_b.rvchild values (10, 1)");
        }
        Properties p = settings();
        p.setProperty("user", "postgres");
        p.setProperty("password", "");
        try (Connection c = DriverManager.getConnection(
                TestDatabase.POSTGRES.cachedUrl() + "?currentSchema=rv_b", p)) {
            assertEquals(List.of(List.of("1")), rows(c, "select count(*) from rvchild"));
            assertEquals(List.of(List.of("1")), rows(c, "select count(*) from rvchild"));
            exec(c, "delete from rvparent where id = 1");
            assertEquals(List.of(List.of("0")), rows(c, "select count(*) from rvchild"), "cascade must invalidate");
        }
    }
}
