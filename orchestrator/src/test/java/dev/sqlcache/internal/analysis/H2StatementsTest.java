package dev.sqlcache.internal.analysis;

import dev.sqlcache.stats.BypassReason;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.stream.Stream;

import static dev.sqlcache.internal.analysis.Expect.bypassed;
import static dev.sqlcache.internal.analysis.Expect.cacheable;
import static dev.sqlcache.internal.analysis.Expect.keywords;
import static dev.sqlcache.internal.analysis.Expect.transaction;
import static dev.sqlcache.internal.analysis.Expect.unparseable;
import static dev.sqlcache.internal.analysis.Expect.write;
import static dev.sqlcache.internal.analysis.StatementKind.CALL;
import static dev.sqlcache.internal.analysis.StatementKind.DDL;
import static dev.sqlcache.internal.analysis.StatementKind.MERGE;
import static dev.sqlcache.internal.analysis.StatementKind.SESSION;
import static dev.sqlcache.stats.BypassReason.LOCKING_READ;
import static dev.sqlcache.stats.BypassReason.NON_DETERMINISTIC;
import static dev.sqlcache.stats.BypassReason.SYSTEM_CATALOG;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** H2 syntax. */
class H2StatementsTest {

    private static final QueryAnalyzer ANALYZER = new QueryAnalyzer(DatabaseFamily.H2, 1_000);

    static Stream<Expect> cases() {
        return Stream.of(
                cacheable("SELECT * FROM PUBLIC.ORDERS WHERE ID = ?", "public.orders"),
                cacheable("SELECT * FROM \"Order Items\" WHERE \"Qty\" > 1", "order items"),
                cacheable("SELECT * FROM t WHERE d = {d '2020-01-01'}", "t"),
                cacheable("SELECT * FROM T WHERE A = 1 ORDER BY A OFFSET 5 ROWS FETCH NEXT 10 ROWS ONLY", "t"),
                bypassed("SELECT {fn now()} FROM t", NON_DETERMINISTIC, "t"),
                bypassed("SELECT * FROM T WHERE ID = 1 FOR UPDATE", LOCKING_READ, "t"),
                bypassed("SELECT * FROM INFORMATION_SCHEMA.TABLES", SYSTEM_CATALOG, "information_schema.tables"),
                bypassed("SELECT COUNT(*) FROM information_schema.sessions", SYSTEM_CATALOG, "information_schema.sessions"),
                write("MERGE INTO t USING u ON t.id = u.id WHEN MATCHED THEN UPDATE SET a = u.a", MERGE, "t").reads("u"),
                write("CREATE GLOBAL TEMPORARY TABLE g (a INT)", DDL, "g").temporary(),
                write("CREATE LOCAL TEMPORARY TABLE g (a INT)", DDL).unknownWrites().temporary().unparsed(),
                write("CREATE TABLE IF NOT EXISTS t (id INT PRIMARY KEY, name VARCHAR(10))", DDL, "t"),
                write("ALTER TABLE t ADD CONSTRAINT c UNIQUE (a)", DDL, "t"),
                // H2's own MERGE ... KEY is not in jOOQ's grammar
                unparseable("MERGE INTO t KEY(id) VALUES (1, 2)", true),
                transaction("BEGIN", TransactionControl.BEGIN),
                transaction("COMMIT", TransactionControl.COMMIT),
                keywords("SET SCHEMA x", SESSION),
                keywords("SET AUTOCOMMIT FALSE", SESSION),
                keywords("SET @x = 1", SESSION),
                keywords("CALL 1 + 1", CALL));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void analyses(Expect expect) {
        expect.check(ANALYZER);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"RANDOM_UUID()", "UUID()", "RAND()", "RANDOM()", "NEXT VALUE FOR s", "NEXTVAL('s')",
            "CURRVAL('s')", "SYSDATE", "SYSTIMESTAMP", "NOW()", "CURRENT_TIMESTAMP", "CURRENT_TIMESTAMP(3)",
            "LOCALTIMESTAMP", "CURRENT_DATE", "CURRENT_TIME", "DATABASE()", "USER()", "CURRENT_USER", "SCHEMA()",
            "CURRENT_SCHEMA", "H2VERSION()", "SESSION_ID()", "TRANSACTION_ID()", "DISK_SPACE_USED('t')", "@x"})
    void nonDeterministicFunctions(String expression) {
        QueryAnalysis a = ANALYZER.analyze("SELECT " + expression + " FROM t");
        assertEquals(BypassReason.NON_DETERMINISTIC, a.bypassReason(), expression);
    }
}
