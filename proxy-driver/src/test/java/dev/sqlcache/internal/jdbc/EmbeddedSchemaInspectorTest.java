package dev.sqlcache.internal.jdbc;

import dev.sqlcache.internal.analysis.DatabaseFamily;
import dev.sqlcache.internal.engine.TableFacts;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The catalog queries of HSQLDB, Derby and SQLite, asked directly: triggers, foreign key actions, views,
 * temporary tables and primary keys, as the engine learns them the first time it meets a table.
 */
class EmbeddedSchemaInspectorTest {

    enum Embedded {
        HSQLDB(DatabaseFamily.HSQLDB),
        DERBY(DatabaseFamily.DERBY),
        SQLITE(DatabaseFamily.SQLITE);

        final DatabaseFamily family;

        Embedded(DatabaseFamily family) {
            this.family = family;
        }

        Connection open() throws Exception {
            String id = UUID.randomUUID().toString().replace("-", "");
            return switch (this) {
                case HSQLDB -> DriverManager.getConnection("jdbc:hsqldb:mem:inspect_" + id, "SA", "");
                case DERBY -> DriverManager.getConnection("jdbc:derby:memory:inspect_" + id + ";create=true", "app", "");
                case SQLITE -> {
                    Path file = Files.createTempFile("inspect_", ".db");
                    file.toFile().deleteOnExit();
                    yield DriverManager.getConnection("jdbc:sqlite:" + file);
                }
            };
        }

        String trigger() {
            return switch (this) {
                case HSQLDB -> "create trigger si_audited_insert after insert on si_audited referencing new row as n"
                        + " for each row insert into si_audit (item_id) values (n.id)";
                case DERBY -> "create trigger si_audited_insert after insert on si_audited referencing new as n"
                        + " for each row insert into si_audit (item_id) values (n.id)";
                case SQLITE -> "create trigger si_audited_insert after insert on si_audited"
                        + " begin insert into si_audit (item_id) values (new.id); end";
            };
        }
    }

    private static void exec(Connection c, String... statements) throws SQLException {
        try (Statement st = c.createStatement()) {
            for (String sql : statements) {
                st.execute(sql);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Embedded.class)
    void factsOfEachKindOfTable(Embedded db) throws Exception {
        try (Connection c = db.open()) {
            exec(c, "create table si_parent (id integer primary key, name varchar(20))",
                    "create table si_child (id integer primary key, parent_id integer references si_parent (id) on delete cascade)",
                    "create table si_grand (id integer primary key, child_id integer references si_child (id) on delete set null)",
                    "create table si_audit (item_id integer)",
                    "create table si_audited (id integer primary key)",
                    db.trigger(),
                    "create view si_view as select id, name from si_parent");
            MetadataSchemaInspector inspector = new MetadataSchemaInspector(c, db.family);

            TableFacts parent = inspector.inspect("si_parent");
            assertTrue(parent.plainTable(), "a base table is plain");
            assertFalse(parent.hasTriggers(), "no trigger on si_parent");
            assertEquals(Set.of("si_child", "si_grand"), parent.deleteDependents(),
                    "a delete cascades to the child and sets the grandchild's reference to null");
            assertEquals(List.of("id"), parent.primaryKey().stream().map(TableFacts.KeyColumn::name).toList());

            TableFacts audited = inspector.inspect("si_audited");
            assertTrue(audited.hasTriggers(), "the trigger on si_audited is listed");
            assertFalse(inspector.inspect("si_audit").hasTriggers(), "the trigger's target has none of its own");

            TableFacts view = inspector.inspect("si_view");
            assertFalse(view.plainTable(), "a view is never cached");
            assertTrue(view.hasTriggers(), "a write through a view lands in its base tables: whole database");

            assertEquals(Map.of(), inspector.inspect("si_audit").updateDependents());
        }
    }

    @ParameterizedTest
    @EnumSource(Embedded.class)
    void aTemporaryTableIsNotPlain(Embedded db) throws Exception {
        try (Connection c = db.open()) {
            String table = switch (db) {
                case HSQLDB -> {
                    exec(c, "declare local temporary table si_tmp (a integer)");
                    yield "si_tmp";
                }
                case DERBY -> {
                    exec(c, "declare global temporary table session.si_tmp (a integer) not logged");
                    yield "session.si_tmp";
                }
                case SQLITE -> {
                    exec(c, "create temp table si_tmp (a integer)");
                    yield "si_tmp";
                }
            };
            // Either answer keeps it out of the cache: not plain, or an inspection failure (then the engine assumes
            // the worst: TableFacts.UNKNOWN). xerial's metadata fails on a temporary table's foreign keys.
            TableFacts facts;
            try {
                facts = new MetadataSchemaInspector(c, db.family).inspect(table);
            } catch (SQLException e) {
                facts = TableFacts.UNKNOWN;
            }
            assertFalse(facts.plainTable());
        }
    }
}
