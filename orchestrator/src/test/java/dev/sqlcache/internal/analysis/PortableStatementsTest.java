package dev.sqlcache.internal.analysis;

import dev.sqlcache.stats.BypassReason;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static dev.sqlcache.internal.analysis.Expect.bypassed;
import static dev.sqlcache.internal.analysis.Expect.cacheable;
import static dev.sqlcache.internal.analysis.Expect.keywords;
import static dev.sqlcache.internal.analysis.Expect.multiple;
import static dev.sqlcache.internal.analysis.Expect.transaction;
import static dev.sqlcache.internal.analysis.Expect.unparseable;
import static dev.sqlcache.internal.analysis.Expect.write;
import static dev.sqlcache.internal.analysis.StatementKind.CALL;
import static dev.sqlcache.internal.analysis.StatementKind.DDL;
import static dev.sqlcache.internal.analysis.StatementKind.DELETE;
import static dev.sqlcache.internal.analysis.StatementKind.INSERT;
import static dev.sqlcache.internal.analysis.StatementKind.OTHER;
import static dev.sqlcache.internal.analysis.StatementKind.SELECT;
import static dev.sqlcache.internal.analysis.StatementKind.SESSION;
import static dev.sqlcache.internal.analysis.StatementKind.TRUNCATE;
import static dev.sqlcache.internal.analysis.StatementKind.UNKNOWN;
import static dev.sqlcache.internal.analysis.StatementKind.UPDATE;
import static dev.sqlcache.stats.BypassReason.LOCKING_READ;
import static dev.sqlcache.stats.BypassReason.NON_DETERMINISTIC;
import static dev.sqlcache.stats.BypassReason.NO_TABLE;
import static dev.sqlcache.stats.BypassReason.SYSTEM_CATALOG;

/** Statements every supported database accepts, checked in every family's dialect. */
class PortableStatementsTest {

    private static final Map<DatabaseFamily, QueryAnalyzer> ANALYZERS = new EnumMap<>(DatabaseFamily.class);

    static {
        for (DatabaseFamily family : DatabaseFamily.values()) {
            ANALYZERS.put(family, new QueryAnalyzer(family, 1_000));
        }
    }

    static List<Expect> reads() {
        return List.of(
                cacheable("SELECT id, name FROM customers WHERE id = 1", "customers"),
                cacheable("select o.id, c.name from orders o join customers c on o.customer_id = c.id where o.total > ?", "orders", "customers"),
                cacheable("SELECT * FROM a LEFT JOIN b ON a.id = b.a_id RIGHT JOIN c ON c.id = b.c_id", "a", "b", "c"),
                cacheable("SELECT * FROM t1, t2 WHERE t1.a = t2.a", "t1", "t2"),
                cacheable("SELECT * FROM t1 CROSS JOIN t2 JOIN t3 USING (id) NATURAL JOIN t4", "t1", "t2", "t3", "t4"),
                cacheable("SELECT * FROM t JOIN u ON u.id = t.id AND u.k IN (SELECT k FROM keys_table)", "t", "u", "keys_table"),
                cacheable("SELECT CASE WHEN EXISTS (SELECT 1 FROM x WHERE x.a = t.a) THEN 1 ELSE 0 END FROM t", "t", "x"),
                cacheable("SELECT * FROM t ORDER BY (SELECT count(*) FROM u WHERE u.t_id = t.id)", "t", "u"),
                cacheable("SELECT * FROM t WHERE id IN (SELECT t_id FROM u)", "t", "u"),
                cacheable("SELECT * FROM t WHERE EXISTS (SELECT 1 FROM v WHERE v.k = t.k)", "t", "v"),
                cacheable("SELECT a, (SELECT max(b) FROM u WHERE u.a = t.a) AS mb FROM t", "t", "u"),
                cacheable("SELECT a, count(*) FROM t GROUP BY a HAVING count(*) > (SELECT count(*) FROM h)", "t", "h"),
                cacheable("SELECT s.x FROM (SELECT x FROM t WHERE y = 2) s", "t"),
                cacheable("SELECT s.x FROM (SELECT x FROM t) AS s JOIN (SELECT x FROM u) AS v ON s.x = v.x", "t", "u"),
                cacheable("SELECT a FROM t UNION SELECT a FROM u UNION ALL SELECT a FROM v", "t", "u", "v"),
                cacheable("SELECT * FROM sales.orders o WHERE o.id = ?", "sales.orders"),
                cacheable("SELECT * FROM Sales.Orders", "sales.orders"),
                cacheable("SELECT * FROM t WHERE a = ? AND b IN (?, ?) ORDER BY a LIMIT 10", "t"),
                cacheable("SELECT lower(name), upper(name), coalesce(a, 0), abs(b), round(c, 2), count(*), sum(d), max(e), "
                        + "min(f), avg(g), nullif(h, 0) FROM t GROUP BY name", "t"),
                cacheable("SELECT CASE WHEN a > 1 THEN 'x' ELSE 'y' END, cast(b AS varchar(10)) FROM t", "t"),
                cacheable("SELECT version, user_id, now_playing, random_seed FROM t", "t"),
                // CTEs: the CTE name is not a table, the tables in its body are
                cacheable("WITH c AS (SELECT * FROM base) SELECT * FROM c JOIN other ON c.id = other.id", "base", "other"),
                cacheable("WITH a AS (SELECT * FROM t), b AS (SELECT * FROM a) SELECT * FROM b", "t"),
                cacheable("WITH c AS (SELECT * FROM base WHERE x IN (SELECT x FROM filter)) SELECT * FROM c", "base", "filter"),
                // a non-recursive CTE's body means the real table of the same name
                cacheable("WITH orders AS (SELECT * FROM orders WHERE x = 1) SELECT * FROM orders", "orders"),
                // a later CTE name used in an earlier body is the real table
                cacheable("WITH a AS (SELECT * FROM b), b AS (SELECT * FROM c) SELECT * FROM a JOIN b ON a.x = b.x", "b", "c"),
                bypassed("SELECT 1", NO_TABLE),
                bypassed("SELECT 1 + 2 AS three", NO_TABLE),
                bypassed("SELECT 1;", NO_TABLE),
                bypassed("SELECT my_func(a) FROM t", BypassReason.UNKNOWN_FUNCTION, "t"),
                bypassed("SELECT * FROM t WHERE a = my_func(1)", BypassReason.UNKNOWN_FUNCTION, "t"),
                bypassed("SELECT now(), my_func(a) FROM t", BypassReason.UNKNOWN_FUNCTION, "t"),
                bypassed("SELECT * FROM t WHERE created < CURRENT_TIMESTAMP", NON_DETERMINISTIC, "t"),
                bypassed("SELECT * FROM t WHERE d = CURRENT_DATE", NON_DETERMINISTIC, "t"),
                bypassed("SELECT CURRENT_USER FROM t", NON_DETERMINISTIC, "t"),
                bypassed("SELECT * FROM t WHERE id = 1 FOR UPDATE", LOCKING_READ, "t"),
                bypassed("SELECT table_name FROM information_schema.tables", SYSTEM_CATALOG, "information_schema.tables"),
                bypassed("SELECT * FROM t JOIN INFORMATION_SCHEMA.COLUMNS c ON c.table_name = t.name", SYSTEM_CATALOG,
                        "t", "information_schema.columns"));
    }

    static List<Expect> writes() {
        return List.of(
                write("INSERT INTO t (a, b) VALUES (1, 'x')", INSERT, "t"),
                // a function nothing is known about may write any table; a known built-in does not
                write("INSERT INTO t (a) VALUES (my_func(1))", INSERT, "t").unknownWrites(),
                write("UPDATE t SET a = my_func(a) WHERE b = 1", UPDATE, "t").unknownWrites(),
                write("DELETE FROM t WHERE a = my_func(1)", DELETE, "t").unknownWrites(),
                write("UPDATE t SET a = lower(b) WHERE c = 1", UPDATE, "t"),
                write("INSERT INTO t (a) VALUES ((SELECT max(a) FROM u))", INSERT, "t").reads("u"),
                write("INSERT INTO t (a) VALUES (?), (?)", INSERT, "t"),
                write("INSERT INTO s.t (a) SELECT b FROM u WHERE c > (SELECT max(c) FROM w)", INSERT, "s.t").reads("u", "w"),
                write("UPDATE t SET a = 1 WHERE id IN (SELECT t_id FROM u)", UPDATE, "t").reads("u"),
                write("UPDATE t SET a = (SELECT max(b) FROM u)", UPDATE, "t").reads("u"),
                write("DELETE FROM t WHERE id = 1", DELETE, "t"),
                write("DELETE FROM t WHERE id IN (SELECT id FROM u)", DELETE, "t").reads("u"),
                write("TRUNCATE TABLE t", TRUNCATE, "t"),
                write("CREATE TABLE t2 (a INT, b VARCHAR(10))", DDL, "t2"),
                write("CREATE VIEW v AS SELECT * FROM t", DDL, "v").reads("t"),
                write("ALTER TABLE t ADD COLUMN c INT", DDL, "t"),
                write("DROP TABLE t", DDL, "t"),
                write("DROP VIEW v", DDL, "v"),
                write("CREATE INDEX i ON t (a)", DDL, "t"),
                write("GRANT SELECT ON t TO bob", DDL, "t"),
                write("CREATE SEQUENCE s", DDL).unknownWrites());
    }

    static List<Expect> keywordStatements() {
        return List.of(
                transaction("START TRANSACTION", TransactionControl.BEGIN),
                transaction("COMMIT", TransactionControl.COMMIT),
                transaction("commit work", TransactionControl.COMMIT),
                transaction("  -- the end\n /* really */ COMMIT;", TransactionControl.COMMIT),
                transaction("ROLLBACK", TransactionControl.ROLLBACK),
                transaction("SAVEPOINT s1", TransactionControl.SAVEPOINT),
                transaction("ROLLBACK TO SAVEPOINT s1", TransactionControl.ROLLBACK_TO_SAVEPOINT),
                transaction("RELEASE SAVEPOINT s1", TransactionControl.RELEASE_SAVEPOINT),
                transaction("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE", TransactionControl.SET_TRANSACTION),
                keywords("SET x = 1", SESSION),
                keywords("CALL p(1)", CALL),
                keywords("call p(?, ?)", CALL),
                keywords("{call p(?)}", CALL),
                keywords("{ call p }", CALL),
                keywords("{?= call f(?)}", CALL),
                keywords("{ ? = call f(?) }", CALL),
                keywords("EXPLAIN SELECT * FROM t", OTHER),
                keywords("SHOW TABLES", OTHER));
    }

    static List<Expect> multipleAndBroken() {
        return List.of(
                multiple("SELECT * FROM a; SELECT * FROM b", SELECT, false).reads("a", "b"),
                multiple("SELECT * FROM a; SELECT * FROM b;", SELECT, false).reads("a", "b"),
                multiple("INSERT INTO a (x) VALUES (1); UPDATE b SET x = 1", INSERT, false).writes("a", "b"),
                multiple("SELECT * FROM t; DROP TABLE t", DDL, false).reads("t").writes("t"),
                multiple("START TRANSACTION; DELETE FROM t; COMMIT", UNKNOWN, true).writes("t"),
                multiple("SELECT * FROM t; SET x = 1", UNKNOWN, true).reads("t"),
                unparseable("", false),
                unparseable("   \n\t ", false),
                unparseable("-- nothing to see", false),
                unparseable("/* nothing */ ;", false),
                unparseable("SELEKT * FROM t", true),
                unparseable("SELECT * FROM t WHERE", false),
                unparseable("SELECT a FROM t WHERE (b = 1", false),
                unparseable("SELECT * FROM t WHERE a = 'open", false),
                unparseable("DELETE FROM t WHERE a = 'open", true),
                unparseable("SELECT /* open comment FROM t", false),
                unparseable("WITH x AS (SELECT", true),
                unparseable("VALUES (", false),
                unparseable("FROBNICATE t", true));
    }

    static Stream<Arguments> cases() {
        return Stream.of(reads(), writes(), keywordStatements(), multipleAndBroken())
                .flatMap(List::stream)
                .flatMap(e -> Stream.of(DatabaseFamily.values()).filter(f -> derbyHas(f, e)).map(f -> Arguments.of(f, e)));
    }

    /** Derby has neither WITH nor ROUND: jOOQ's Derby dialect refuses them, as Derby would (they pass through). */
    private static boolean derbyHas(DatabaseFamily family, Expect e) {
        String sql = e.toString().toLowerCase(java.util.Locale.ROOT);
        return family != DatabaseFamily.DERBY || !(sql.startsWith("with ") || sql.contains("round("));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("cases")
    void analyses(DatabaseFamily family, Expect expect) {
        expect.check(ANALYZERS.get(family));
    }
}
