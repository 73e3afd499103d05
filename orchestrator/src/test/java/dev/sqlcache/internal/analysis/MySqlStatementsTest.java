package dev.sqlcache.internal.analysis;

import dev.sqlcache.stats.BypassReason;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static dev.sqlcache.internal.analysis.Expect.bypassed;
import static dev.sqlcache.internal.analysis.Expect.cacheable;
import static dev.sqlcache.internal.analysis.Expect.keywords;
import static dev.sqlcache.internal.analysis.Expect.transaction;
import static dev.sqlcache.internal.analysis.Expect.unparseable;
import static dev.sqlcache.internal.analysis.Expect.write;
import static dev.sqlcache.internal.analysis.StatementKind.CALL;
import static dev.sqlcache.internal.analysis.StatementKind.DDL;
import static dev.sqlcache.internal.analysis.StatementKind.DELETE;
import static dev.sqlcache.internal.analysis.StatementKind.INSERT;
import static dev.sqlcache.internal.analysis.StatementKind.MERGE;
import static dev.sqlcache.internal.analysis.StatementKind.OTHER;
import static dev.sqlcache.internal.analysis.StatementKind.SESSION;
import static dev.sqlcache.internal.analysis.StatementKind.TRUNCATE;
import static dev.sqlcache.internal.analysis.StatementKind.UPDATE;
import static dev.sqlcache.internal.analysis.TransactionControl.BEGIN;
import static dev.sqlcache.internal.analysis.TransactionControl.COMMIT;
import static dev.sqlcache.internal.analysis.TransactionControl.RELEASE_SAVEPOINT;
import static dev.sqlcache.internal.analysis.TransactionControl.ROLLBACK;
import static dev.sqlcache.internal.analysis.TransactionControl.ROLLBACK_TO_SAVEPOINT;
import static dev.sqlcache.internal.analysis.TransactionControl.SAVEPOINT;
import static dev.sqlcache.internal.analysis.TransactionControl.SET_TRANSACTION;
import static dev.sqlcache.stats.BypassReason.LOCKING_READ;
import static dev.sqlcache.stats.BypassReason.NON_DETERMINISTIC;
import static dev.sqlcache.stats.BypassReason.SYSTEM_CATALOG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** MySQL and MariaDB syntax, checked in both dialects. */
class MySqlStatementsTest {

    private static final List<QueryAnalyzer> ANALYZERS = List.of(
            new QueryAnalyzer(DatabaseFamily.MYSQL, 1_000), new QueryAnalyzer(DatabaseFamily.MARIADB, 1_000));

    static List<Expect> expectations() {
        return List.of(
                cacheable("SELECT `Order Items`.x FROM `Order Items` WHERE `a` = 1", "order items"),
                cacheable("SELECT * FROM db.t JOIN db2.u ON t.a = u.a", "db.t", "db2.u"),
                cacheable("SELECT * FROM t USE INDEX (i) WHERE a = 1", "t"),
                cacheable("SELECT * FROM t FORCE INDEX (i)", "t"),
                cacheable("SELECT user, version FROM t", "t"),
                cacheable("SELECT GROUP_CONCAT(a SEPARATOR ',') FROM t", "t"),
                cacheable("SELECT IF(a > 1, 'x', 'y'), IFNULL(a, 0), DATE_FORMAT(d, '%Y') FROM t", "t"),
                cacheable("SELECT a FROM t # comment ; DELETE FROM t", "t"),
                cacheable("SELECT a FROM t -- comment ; DELETE FROM t", "t"),
                cacheable("SELECT a FROM t WHERE b = 1--1", "t"),
                cacheable("SELECT a FROM t WHERE b = \"x;y\"", "t"),
                bypassed("SELECT * FROM t WHERE a = 1 FOR UPDATE NOWAIT", LOCKING_READ, "t"),
                bypassed("SELECT * FROM t FOR SHARE", LOCKING_READ, "t"),
                bypassed("SELECT @x FROM t", NON_DETERMINISTIC, "t"),
                bypassed("SELECT * FROM t WHERE a = @@session.sql_mode", NON_DETERMINISTIC, "t"),
                bypassed("SELECT * FROM mysql.user", SYSTEM_CATALOG, "mysql.user"),
                bypassed("SELECT * FROM performance_schema.threads", SYSTEM_CATALOG, "performance_schema.threads"),
                bypassed("SELECT * FROM sys.session", SYSTEM_CATALOG, "sys.session"),
                bypassed("SELECT * FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA = DATABASE()", NON_DETERMINISTIC,
                        "information_schema.tables"),
                // jOOQ cannot parse these, or would misread them
                unparseable("SELECT * FROM t LOCK IN SHARE MODE", false),
                unparseable("SELECT SQL_NO_CACHE * FROM t", false),
                unparseable("SELECT SQL_CALC_FOUND_ROWS * FROM t LIMIT 10", false),
                // backslash escapes: read as MySQL reads them, the literal's end included
                cacheable("SELECT * FROM t WHERE a = 'O\\'Brien'", "t"),
                cacheable("SELECT * FROM t WHERE a = 'x\\\\' OR b = 'y'", "t"),
                cacheable("select o.id from owners o where o.last_name like ? escape '\\\\'", "owners"),
                cacheable("SELECT * FROM t WHERE a = 'it\\'s; DELETE FROM u' AND b = N'\\n'", "t"),
                unparseable("SELECT * FROM t WHERE a = \"x\\\" FROM u\"", false),
                unparseable("SELECT UNIX_TIMESTAMP() FROM t", false),
                unparseable("SELECT RAND(1) FROM t", false),
                unparseable("SELECT a FROM t /*! WHERE 1 = 1 */", true),
                unparseable("LOCK TABLES t WRITE", true),
                // write modifiers: jOOQ read UPDATE IGNORE t as a table "ignore" aliased t
                write("INSERT IGNORE INTO t (a) VALUES (1)", INSERT, "t"),
                write("INSERT LOW_PRIORITY IGNORE INTO `db`.`t` (a) VALUES (1)", INSERT, "db.t"),
                write("UPDATE IGNORE t SET a = 1 WHERE b = 2", UPDATE, "t"),
                write("UPDATE LOW_PRIORITY IGNORE t SET a = 1 ORDER BY b LIMIT 5", UPDATE, "t"),
                write("DELETE IGNORE FROM t WHERE a = 1", DELETE, "t"),
                write("DELETE LOW_PRIORITY QUICK IGNORE FROM t WHERE a = 1 ORDER BY b LIMIT 2", DELETE, "t"),
                // REPLACE deletes conflicting rows: every foreign key action, no key pins (told as a MERGE)
                write("REPLACE INTO t (a) VALUES (1)", MERGE, "t"),
                write("REPLACE LOW_PRIORITY t (a) SELECT a FROM u", MERGE, "t").reads("u"),
                write("REPLACE INTO t SET a = 1", MERGE, "t"),
                // backticks, LIMIT and ORDER BY on writes
                write("UPDATE `Order Items` SET `qty` = 1 WHERE `id` = 2 ORDER BY `id` LIMIT 1", UPDATE, "order items"),
                write("DELETE FROM `db`.`t` WHERE a = 1 LIMIT 1", DELETE, "db.t"),
                // jOOQ cannot parse these: the shape tells the target
                write("INSERT INTO t (a) VALUES (1) AS new ON DUPLICATE KEY UPDATE a = new.a", INSERT, "t").unparsed(),
                write("INSERT INTO t PARTITION (p1) (a) VALUES (1)", INSERT, "t").unparsed(),
                write("INSERT IGNORE INTO `x`.`t` PARTITION (p1) VALUES (1)", INSERT, "x.t"),
                write("REPLACE INTO t PARTITION (p1) (a) VALUES (1)", MERGE, "t").unparsed(),
                // multi-table writes: every table of the references
                write("UPDATE t1, t2 SET t1.a = t2.a WHERE t1.id = t2.id", UPDATE, "t1", "t2").unparsed(),
                write("UPDATE t1 AS x, db.t2 y SET x.a = y.a WHERE x.id = y.id", UPDATE, "t1", "db.t2").unparsed(),
                write("DELETE t1, t2 FROM t1 JOIN t2 ON t1.id = t2.id WHERE t1.a = 1", DELETE, "t1", "t2").unparsed(),
                write("DELETE FROM t1, t2 USING t1 JOIN t2 ON t1.id = t2.id JOIN t3 ON t3.id = t1.id", DELETE, "t1", "t2", "t3").unparsed(),
                write("DELETE a, b FROM t1 a, t2 b WHERE a.id = b.id", DELETE, "t1", "t2").unparsed(),
                write("DELETE a FROM t AS a JOIN u AS b ON a.id = b.id", DELETE, "t", "u").unparsed(),
                write("UPDATE t a JOIN u b ON a.id = b.id SET a.x = 1", UPDATE, "t", "u"),
                // uncertain: a function that may write, or a shape that names no one target
                unparseable("INSERT INTO t PARTITION (p1) (a) VALUES (my_func(1))", true),
                unparseable("UPDATE t1, t2 SET t1.a = my_func(t2.a)", true),
                unparseable("INSERT INTO t (a) VALUES (1) AS new (x) ON DUPLICATE KEY UPDATE a = new.x + my_func()", true),
                // writes
                write("INSERT INTO t (a) VALUES (1) ON DUPLICATE KEY UPDATE a = VALUES(a)", INSERT, "t"),
                write("INSERT INTO t (a, b) SELECT a, b FROM u", INSERT, "t").reads("u"),
                // a multi-table UPDATE may change every joined table
                write("UPDATE t JOIN u ON t.id = u.id SET t.a = u.b", UPDATE, "t", "u"),
                // jOOQ would report an alias as the table written: every table of the references is
                write("DELETE t FROM t JOIN u ON t.id = u.id", DELETE, "t", "u").unparsed(),
                write("DELETE FROM t WHERE a = 1 LIMIT 10", DELETE, "t"),
                write("TRUNCATE t", TRUNCATE, "t"),
                write("RENAME TABLE a TO b", DDL, "a", "b"),
                write("CREATE TEMPORARY TABLE tmp (a INT)", DDL, "tmp").temporary(),
                write("CREATE TABLE n AS SELECT * FROM t", DDL, "n").reads("t"),
                write("ANALYZE DELETE FROM t WHERE a = 1", DELETE, "t").unparsed(),
                // transaction control
                transaction("BEGIN", BEGIN),
                transaction("BEGIN WORK", BEGIN),
                transaction("START TRANSACTION READ ONLY", BEGIN),
                transaction("START TRANSACTION WITH CONSISTENT SNAPSHOT", TransactionControl.BEGIN_WITH_ISOLATION),
                transaction("COMMIT", COMMIT),
                transaction("ROLLBACK", ROLLBACK),
                transaction("SAVEPOINT s1", SAVEPOINT),
                transaction("ROLLBACK TO s1", ROLLBACK_TO_SAVEPOINT),
                transaction("RELEASE SAVEPOINT s1", RELEASE_SAVEPOINT),
                transaction("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED", SET_TRANSACTION),
                transaction("SET GLOBAL TRANSACTION ISOLATION LEVEL SERIALIZABLE", SET_TRANSACTION),
                // session
                keywords("USE mydb", SESSION),
                keywords("SET NAMES utf8mb4", SESSION),
                keywords("SET autocommit = 0", SESSION),
                keywords("SET @x = 1", SESSION),
                keywords("SET @@session.sql_mode = ''", SESSION),
                keywords("SET SESSION sql_mode = ''", SESSION),
                // never cached, no writes
                keywords("SHOW TABLES", OTHER),
                keywords("SHOW CREATE TABLE t", OTHER),
                keywords("DESCRIBE t", OTHER),
                keywords("DESC t", OTHER),
                keywords("EXPLAIN SELECT * FROM t", OTHER),
                keywords("EXPLAIN ANALYZE SELECT * FROM t", OTHER),
                keywords("ANALYZE TABLE t", OTHER),
                keywords("CALL p()", CALL),
                keywords("{call p(?)}", CALL));
    }

    static Stream<Arguments> cases() {
        return ANALYZERS.stream().flatMap(a -> expectations().stream().map(e -> Arguments.of(a, e)));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("cases")
    void analyses(QueryAnalyzer analyzer, Expect expect) {
        expect.check(analyzer);
    }

    static Stream<Arguments> functions() {
        return ANALYZERS.stream().flatMap(a -> Stream.of("NOW()", "NOW(6)", "CURDATE()", "CURTIME()", "UTC_TIMESTAMP()",
                "SYSDATE()", "UUID()", "UUID_SHORT()", "RAND()", "DATABASE()", "SCHEMA()", "USER()",
                "CURRENT_USER()", "CURRENT_USER", "VERSION()", "LAST_INSERT_ID()", "CONNECTION_ID()", "FOUND_ROWS()",
                "CURRENT_TIMESTAMP", "LOCALTIME").map(f -> Arguments.of(a, f)));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("functions")
    void nonDeterministicFunctions(QueryAnalyzer analyzer, String expression) {
        QueryAnalysis a = analyzer.analyze("SELECT " + expression + " FROM t");
        assertEquals(BypassReason.NON_DETERMINISTIC, a.bypassReason(), expression);
    }

    static Stream<QueryAnalyzer> analyzers() {
        return ANALYZERS.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("analyzers")
    void aUserDefinedFunctionIsUnknownAndMayHaveSideEffects(QueryAnalyzer analyzer) {
        assertEquals(BypassReason.UNKNOWN_FUNCTION, analyzer.analyze("SELECT my_udf(a) FROM t").bypassReason());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("analyzers")
    void backslashEscapesGiveTheValueNotTheSpelling(QueryAnalyzer analyzer) {
        // One value, two spellings: one key. Two values: two keys (\% keeps its backslash, \x does not).
        assertEquals(analyzer.analyze("SELECT * FROM t WHERE a = 'O\\'Brien'").normalizedSql(),
                analyzer.analyze("SELECT * FROM t WHERE a = 'O''Brien'").normalizedSql());
        assertNotEquals(analyzer.analyze("SELECT * FROM t WHERE a = 'a\\\\x'").normalizedSql(),
                analyzer.analyze("SELECT * FROM t WHERE a = 'a\\x'").normalizedSql());
        assertNotEquals(analyzer.analyze("SELECT * FROM t WHERE a LIKE 'a\\%'").normalizedSql(),
                analyzer.analyze("SELECT * FROM t WHERE a LIKE 'a%'").normalizedSql());
        assertEquals(analyzer.analyze("SELECT * FROM t WHERE a = 'a\\x'").normalizedSql(),
                analyzer.analyze("SELECT * FROM t WHERE a = 'ax'").normalizedSql());
    }

    static Stream<DatabaseFamily> families() {
        return Stream.of(DatabaseFamily.MYSQL, DatabaseFamily.MARIADB);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("families")
    void noBackslashEscapesReadsABackslashAsItself(DatabaseFamily family) {
        QueryAnalyzer literal = new QueryAnalyzer(family, 100, false);
        QueryAnalysis a = literal.analyze("SELECT * FROM t WHERE a = 'x\\' OR b = 'y'");
        assertTrue(a.cacheable(), a.toString());
        assertEquals(Set.of("t"), a.tablesRead());
        // The same text read with escapes ends its literal elsewhere: there it is another statement.
        assertNotEquals(a.normalizedSql(), new QueryAnalyzer(family, 100, true)
                .analyze("SELECT * FROM t WHERE a = 'x\\' OR b = 'y''").normalizedSql());
        // 'it\' ends the literal: what follows is SQL, unterminated here, so nothing is trusted.
        QueryAnalysis hidden = literal.analyze("SELECT * FROM t WHERE a = 'it\\'s; DELETE FROM u'");
        assertEquals(StatementKind.UNKNOWN, hidden.kind());
        assertTrue(hidden.writesUnknownTables());
        // And a write whose literal ends early in this mode is seen as two statements, the second one a write.
        QueryAnalysis two = literal.analyze("SELECT * FROM t WHERE a = 'it\\'; DELETE FROM u; SELECT '1'");
        assertEquals(Set.of("u"), two.tablesWritten());
    }
}
