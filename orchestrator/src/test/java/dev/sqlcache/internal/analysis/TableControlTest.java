package dev.sqlcache.internal.analysis;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * LOCK / UNLOCK / ANALYZE TABLE and its kin, told by the analysis from the text's first tokens (it was a second scan
 * of the text in CacheEngine): the server skips leading comments, so the analysis does too, but not an executable
 * comment, whose content runs first.
 */
class TableControlTest {

    static Stream<Arguments> texts() {
        return Stream.of(
                Arguments.of("LOCK TABLES t WRITE", TableControl.LOCK),
                Arguments.of("lock table t read", TableControl.LOCK),
                Arguments.of("/* pool check */ LOCK TABLES t WRITE", TableControl.LOCK),
                Arguments.of("-- tag\nLOCK TABLES t WRITE", TableControl.LOCK),
                Arguments.of("# tag\nUNLOCK TABLES", TableControl.UNLOCK),
                Arguments.of("UNLOCK TABLES", TableControl.UNLOCK),
                Arguments.of("LOCK/**/TABLES t WRITE", TableControl.LOCK),
                Arguments.of("ANALYZE TABLE t", TableControl.MAINTENANCE),
                Arguments.of("/* x */ analyze table t", TableControl.MAINTENANCE),
                Arguments.of("CHECK TABLE t, u", TableControl.MAINTENANCE),
                Arguments.of("OPTIMIZE NO_WRITE_TO_BINLOG TABLE t", TableControl.MAINTENANCE),
                Arguments.of("REPAIR LOCAL TABLE t", TableControl.MAINTENANCE),
                Arguments.of("ANALYZE TABLES t", TableControl.MAINTENANCE),
                Arguments.of("ANALYZE SELECT * FROM t", TableControl.NONE),
                Arguments.of("CHECKSUM TABLE t", TableControl.NONE),
                Arguments.of("SELECT * FROM t", TableControl.NONE),
                Arguments.of("UPDATE t SET a = 1", TableControl.NONE),
                Arguments.of("LOCK", TableControl.NONE),
                Arguments.of("/*!40000 LOCK TABLES t WRITE */", TableControl.NONE),
                Arguments.of("/*!40000 x */ UNLOCK TABLES", TableControl.NONE),
                Arguments.of("/*M!100000 x */ ANALYZE TABLE t", TableControl.NONE),
                Arguments.of("LOCK TABLES t WRITE /*!40000 , u WRITE */", TableControl.LOCK),
                Arguments.of("; LOCK TABLES t WRITE", TableControl.NONE),
                Arguments.of("LOCK TABLES t WRITE; SELECT 1", TableControl.LOCK),
                Arguments.of("SELECT 1; LOCK TABLES t WRITE", TableControl.NONE),
                Arguments.of("'LOCK TABLES t WRITE'", TableControl.NONE),
                Arguments.of("/* unterminated LOCK TABLES", TableControl.NONE),
                // MariaDB's SET STATEMENT ... FOR runs the statement after FOR.
                Arguments.of("SET STATEMENT max_statement_time = 10 FOR ANALYZE TABLE t", TableControl.MAINTENANCE),
                Arguments.of("set statement a = (1), b = 2 for lock tables t write", TableControl.LOCK),
                Arguments.of("SET STATEMENT max_statement_time = 10", TableControl.NONE),
                Arguments.of("SET @x = 1", TableControl.NONE));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("texts")
    void theFirstWordsAfterLeadingCommentsTell(String sql, TableControl expected) {
        for (DatabaseFamily family : new DatabaseFamily[] {DatabaseFamily.MYSQL, DatabaseFamily.MARIADB}) {
            assertEquals(expected, new QueryAnalyzer(family, 10).analyze(sql).tableControl(), family + ": " + sql);
            assertEquals(expected, new QueryAnalyzer(family, 10, false).analyze(sql).tableControl(), family + ": " + sql);
        }
    }

    @ParameterizedTest
    @EnumSource(value = DatabaseFamily.class, names = {"POSTGRES", "H2", "HSQLDB", "OTHER"})
    void otherDatabasesHaveNone(DatabaseFamily family) {
        // PostgreSQL's LOCK TABLE holds its lock until the transaction's end, and ANALYZE commits nothing.
        assertEquals(TableControl.NONE, new QueryAnalyzer(family, 10).analyze("LOCK TABLE t").tableControl());
        assertEquals(TableControl.NONE, new QueryAnalyzer(family, 10).analyze("ANALYZE TABLE t").tableControl());
    }

    @Test
    void toldOncePerText() {
        QueryAnalyzer analyzer = new QueryAnalyzer(DatabaseFamily.MARIADB, 10);
        QueryAnalysis first = analyzer.analyze("/* a */ LOCK TABLES t WRITE");
        assertEquals(first, analyzer.analyze("/* a */ LOCK TABLES t WRITE"));
        assertEquals(1, analyzer.analysisCount());
        assertEquals(1, first.tableControl().tableLocks());
        assertEquals(-1, analyzer.analyze("UNLOCK TABLES").tableControl().tableLocks());
        assertEquals(0, analyzer.analyze("ANALYZE TABLE t").tableControl().tableLocks());
    }

    /**
     * MariaDB's {@code SET STATEMENT ... FOR <statement>} is the statement, and a SET whose value calls a stored
     * function may write: neither is a session statement that writes nothing (rD's LeftOpenAttackTest).
     */
    @Test
    void setStatementIsItsStatementAndASetCallingAFunctionMayWrite() {
        QueryAnalyzer analyzer = new QueryAnalyzer(DatabaseFamily.MARIADB, 10);
        QueryAnalysis update = analyzer.analyze("SET STATEMENT max_statement_time = 10 FOR UPDATE t SET a = 1");
        assertEquals(StatementKind.UPDATE, update.kind());
        assertEquals(java.util.Set.of("t"), update.tablesWritten());
        QueryAnalysis select = analyzer.analyze("SET STATEMENT sql_mode = 'ANSI' FOR SELECT * FROM t");
        assertEquals(false, select.cacheable(), "the variables may change its result");
        assertEquals(dev.sqlcache.stats.BypassReason.UNKNOWN_FUNCTION, analyzer.analyze("SET @x = f(1)").bypassReason());
        assertEquals(dev.sqlcache.stats.BypassReason.UNKNOWN_FUNCTION,
                analyzer.analyze("SET @x = (SELECT f(a) FROM t)").bypassReason());
        assertEquals(dev.sqlcache.stats.BypassReason.NOT_A_READ,
                analyzer.analyze("SET sql_mode = CONCAT(@@sql_mode, ',ANSI')").bypassReason());
        assertEquals(dev.sqlcache.stats.BypassReason.NOT_A_READ, analyzer.analyze("SET NAMES utf8mb4").bypassReason());
        assertEquals(dev.sqlcache.stats.BypassReason.UNKNOWN_FUNCTION,
                new QueryAnalyzer(DatabaseFamily.POSTGRES, 10).analyze("EXPLAIN ANALYZE SELECT f(1)").bypassReason(),
                "EXPLAIN ANALYZE runs the function");
    }

    /** MySQL's and MariaDB's DROP TEMPORARY TABLE commits nothing, as CREATE TEMPORARY TABLE (LeftOpenAttackTest). */
    @Test
    void droppingATemporaryTableIsTemporaryTableDdl() {
        QueryAnalyzer analyzer = new QueryAnalyzer(DatabaseFamily.MARIADB, 10);
        assertEquals(true, analyzer.analyze("DROP TEMPORARY TABLE t").createsTemporaryTable());
        assertEquals(true, analyzer.analyze("drop temporary table if exists t, u").createsTemporaryTable());
        assertEquals(false, analyzer.analyze("DROP TABLE t").createsTemporaryTable());
    }
}
