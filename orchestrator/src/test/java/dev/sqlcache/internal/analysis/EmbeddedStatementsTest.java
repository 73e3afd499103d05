package dev.sqlcache.internal.analysis;

import dev.sqlcache.stats.BypassReason;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static dev.sqlcache.internal.analysis.Expect.bypassed;
import static dev.sqlcache.internal.analysis.Expect.cacheable;
import static dev.sqlcache.internal.analysis.Expect.unparseable;
import static dev.sqlcache.internal.analysis.Expect.write;
import static dev.sqlcache.internal.analysis.StatementKind.DELETE;
import static dev.sqlcache.internal.analysis.StatementKind.INSERT;
import static dev.sqlcache.internal.analysis.StatementKind.UPDATE;
import static dev.sqlcache.stats.BypassReason.NON_DETERMINISTIC;
import static dev.sqlcache.stats.BypassReason.SYSTEM_CATALOG;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** HSQLDB, Derby and SQLite: each parsed in its own jOOQ dialect, with its own catalogs and clock functions. */
class EmbeddedStatementsTest {

    /** Statements every one of the three reads alike. */
    static List<Expect> common() {
        return List.of(
                cacheable("SELECT a, b FROM t WHERE id = ?", "t"),
                cacheable("SELECT t.a, u.b FROM t JOIN u ON t.id = u.t_id WHERE u.x = 'it''s'", "t", "u"),
                cacheable("SELECT COUNT(*) FROM t", "t"),
                cacheable("SELECT a FROM t ORDER BY a", "t"),
                cacheable("SELECT \"Mixed\".a FROM \"Mixed\"", "mixed"),
                bypassed("SELECT CURRENT_TIMESTAMP FROM t", NON_DETERMINISTIC, "t"),
                bypassed("SELECT a FROM t WHERE d < CURRENT_DATE", NON_DETERMINISTIC, "t"),
                write("INSERT INTO t (a, b) VALUES (?, ?)", INSERT, "t"),
                write("UPDATE t SET a = ? WHERE id = ?", UPDATE, "t"),
                write("DELETE FROM t WHERE id = ?", DELETE, "t"),
                write("INSERT INTO t (a) SELECT b FROM u", INSERT, "t").reads("u"));
    }

    static List<Expect> hsqldb() {
        return List.of(
                bypassed("SELECT TODAY FROM t", NON_DETERMINISTIC, "t"),
                bypassed("SELECT * FROM INFORMATION_SCHEMA.TABLES", SYSTEM_CATALOG, "information_schema.tables"),
                bypassed("SELECT * FROM SYSTEM_LOBS.LOBS", SYSTEM_CATALOG, "system_lobs.lobs"));
    }

    static List<Expect> derby() {
        return List.of(
                // CURRENT DATE, with a space, is Derby's CURRENT_DATE (jOOQ may read a column "current")
                bypassed("SELECT a FROM t WHERE d < CURRENT DATE", NON_DETERMINISTIC, "t"),
                bypassed("SELECT * FROM SYS.SYSTABLES", SYSTEM_CATALOG, "sys.systables"),
                // jOOQ reads Derby's one-row table as DUAL
                bypassed("SELECT 1 FROM SYSIBM.SYSDUMMY1", BypassReason.NO_TABLE),
                cacheable("SELECT a FROM t OFFSET 1 ROWS FETCH NEXT 2 ROWS ONLY", "t"));
    }

    static List<Expect> sqlite() {
        return List.of(
                bypassed("SELECT a FROM t WHERE d < date('now')", NON_DETERMINISTIC, "t"),
                bypassed("SELECT datetime() FROM t", NON_DETERMINISTIC, "t"),
                bypassed("SELECT strftime('%s', 'now') FROM t", NON_DETERMINISTIC, "t"),
                bypassed("SELECT random() FROM t", NON_DETERMINISTIC, "t"),
                bypassed("SELECT * FROM sqlite_master", SYSTEM_CATALOG, "sqlite_master"),
                bypassed("SELECT seq FROM sqlite_sequence WHERE name = 't'", SYSTEM_CATALOG, "sqlite_sequence"),
                cacheable("SELECT a FROM t LIMIT 2 OFFSET 1", "t"),
                // [name] quotes an identifier: the ' and ; inside are part of it
                cacheable("SELECT a FROM [it's; DELETE FROM u]", "it's; delete from u"),
                write("UPDATE OR IGNORE t SET a = 1", UPDATE, "t"),
                write("INSERT OR ROLLBACK INTO \"T\" (a) VALUES (1)", INSERT, "t"),
                write("INSERT OR REPLACE INTO t (a) VALUES (1)", StatementKind.MERGE, "t"),
                write("REPLACE INTO t (a) VALUES (1)", StatementKind.MERGE, "t"),
                write("INSERT OR IGNORE INTO t (a) VALUES (1)", INSERT, "t"));
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                        common().stream().flatMap(e -> Stream.of(DatabaseFamily.HSQLDB, DatabaseFamily.DERBY, DatabaseFamily.SQLITE)
                                .map(f -> Arguments.of(f, e))),
                        hsqldb().stream().map(e -> Arguments.of(DatabaseFamily.HSQLDB, e)),
                        derby().stream().map(e -> Arguments.of(DatabaseFamily.DERBY, e)),
                        sqlite().stream().map(e -> Arguments.of(DatabaseFamily.SQLITE, e)))
                .flatMap(s -> s);
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("cases")
    void analyses(DatabaseFamily family, Expect expect) {
        expect.check(new QueryAnalyzer(family, 0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("families")
    void eachHasItsOwnFamilyAndDialect(String url, DatabaseFamily family) {
        assertEquals(family, DatabaseFamily.fromJdbcUrl(url));
        assertEquals(family.name(), family.dialect().name());
        assertEquals(true, family.listsTriggers());
    }

    static Stream<Arguments> families() {
        return Stream.of(Arguments.of("jdbc:hsqldb:mem:x", DatabaseFamily.HSQLDB),
                Arguments.of("jdbc:derby:memory:x;create=true", DatabaseFamily.DERBY),
                Arguments.of("jdbc:derby://localhost:1527/x", DatabaseFamily.DERBY),
                Arguments.of("jdbc:sqlite:/tmp/x.db", DatabaseFamily.SQLITE));
    }

}
