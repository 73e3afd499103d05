package dev.sqlcache.internal.analysis;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
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
import static dev.sqlcache.internal.analysis.TransactionControl.SET_TRANSACTION;
import static dev.sqlcache.stats.BypassReason.LOCKING_READ;
import static dev.sqlcache.stats.BypassReason.NON_DETERMINISTIC;
import static dev.sqlcache.stats.BypassReason.SYSTEM_CATALOG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** PostgreSQL syntax. */
class PostgresStatementsTest {

    private static final QueryAnalyzer ANALYZER = new QueryAnalyzer(DatabaseFamily.POSTGRES, 1_000);

    static Stream<Expect> cases() {
        return Stream.of(
                // names: qualification kept, quoted names unquoted and lower-cased
                cacheable("SELECT a.id, b.x FROM public.orders a JOIN \"Order Items\" b ON a.id = b.oid WHERE a.id = 1",
                        "public.orders", "order items"),
                cacheable("SELECT COUNT(*) FROM \"Public\".\"Order Items\" oi", "public.order items"),
                cacheable("SELECT * FROM \"T\"", "t"),
                cacheable("SELECT * FROM mydb.public.orders", "mydb.public.orders"),
                // syntax only PostgreSQL has
                cacheable("SELECT * FROM t LEFT JOIN LATERAL (SELECT * FROM u WHERE u.x = t.x) z ON true", "t", "u"),
                cacheable("SELECT * FROM t INTERSECT SELECT * FROM u EXCEPT SELECT * FROM v", "t", "u", "v"),
                cacheable("SELECT DISTINCT ON (a) a, b FROM t ORDER BY a, b", "t"),
                cacheable("SELECT a::int FROM t WHERE b = ANY(?)", "t"),
                cacheable("SELECT * FROM t WHERE a = $$x;y$$", "t"),
                cacheable("SELECT * FROM t WHERE a = E'it\\'s; here'", "t"),
                cacheable("SELECT * FROM t WHERE x = 'now()' AND y = 'random()'", "t"),
                cacheable("SELECT 1 /* ; DELETE FROM t */ FROM t -- ; DROP TABLE t", "t"),
                cacheable("SELECT \"user\", \"now\" FROM t", "t"),
                cacheable("SELECT date_trunc('day', ts), extract(year from ts), to_char(ts, 'YYYY') FROM t", "t"),
                cacheable("SELECT row_number() OVER (PARTITION BY a ORDER BY b), string_agg(c, ',') FROM t GROUP BY a, b", "t"),
                cacheable("TABLE t", "t"),
                cacheable("SELECT * FROM t ORDER BY a FETCH FIRST 10 ROWS ONLY", "t"),
                // FROM ONLY t: jOOQ would read a table named "only"
                unparseable("SELECT * FROM ONLY t WHERE id = 1", false),
                unparseable("SELECT * FROM u JOIN ONLY t ON u.id = t.id", false),
                unparseable("SELECT * FROM u, ONLY t", false),
                unparseable("UPDATE ONLY t SET a = 1 WHERE id = 1", true),
                unparseable("DELETE FROM ONLY t WHERE id = 1", true),
                write("TRUNCATE ONLY t", TRUNCATE).unknownWrites().unparsed(),
                bypassed("VALUES (1), (2)", dev.sqlcache.stats.BypassReason.NO_TABLE),
                bypassed("SELECT user FROM t", NON_DETERMINISTIC, "t"),
                bypassed("SELECT * FROM t FOR SHARE", LOCKING_READ, "t"),
                bypassed("SELECT * FROM t FOR NO KEY UPDATE", LOCKING_READ, "t"),
                bypassed("SELECT * FROM t FOR KEY SHARE", LOCKING_READ, "t"),
                bypassed("SELECT * FROM t FOR UPDATE SKIP LOCKED", LOCKING_READ, "t"),
                bypassed("SELECT * FROM t JOIN u ON t.id = u.id FOR UPDATE OF t NOWAIT", LOCKING_READ, "t", "u"),
                bypassed("SELECT * FROM pg_catalog.pg_class", SYSTEM_CATALOG, "pg_catalog.pg_class"),
                bypassed("SELECT * FROM pg_stat_activity", SYSTEM_CATALOG, "pg_stat_activity"),
                bypassed("SELECT * FROM information_schema.columns WHERE table_name = ?", SYSTEM_CATALOG, "information_schema.columns"),
                // writes
                write("INSERT INTO t (a) VALUES (1) ON CONFLICT (a) DO UPDATE SET a = excluded.a RETURNING a", INSERT, "t"),
                write("INSERT INTO t (a) VALUES (1) ON CONFLICT DO NOTHING", INSERT, "t"),
                write("INSERT INTO t DEFAULT VALUES", INSERT, "t"),
                write("UPDATE t SET a = u.b FROM u WHERE t.id = u.id", UPDATE, "t").reads("u"),
                write("UPDATE t SET a = 1 RETURNING *", UPDATE, "t"),
                write("DELETE FROM t USING u WHERE t.id = u.id", DELETE, "t").reads("u"),
                write("DELETE FROM t AS x WHERE x.a = 1 RETURNING id", DELETE, "t"),
                write("MERGE INTO t USING u ON t.id = u.id WHEN MATCHED THEN UPDATE SET a = u.a "
                        + "WHEN NOT MATCHED THEN INSERT (id, a) VALUES (u.id, u.a)", MERGE, "t").reads("u"),
                write("MERGE INTO t USING (SELECT * FROM s WHERE x > 1) src ON t.id = src.id WHEN MATCHED THEN DELETE", MERGE, "t")
                        .reads("s"),
                // writable CTEs are writes, whatever the outer statement
                write("WITH x AS (DELETE FROM t RETURNING *) SELECT * FROM x", DELETE, "t"),
                write("WITH x AS (UPDATE t SET a = 1 RETURNING *) SELECT * FROM x", UPDATE, "t"),
                write("WITH x AS (INSERT INTO t (a) VALUES (1) RETURNING *) SELECT * FROM x", INSERT, "t"),
                write("WITH moved AS (DELETE FROM a RETURNING *) INSERT INTO b SELECT * FROM moved", INSERT, "a", "b"),
                write("TRUNCATE t, u", TRUNCATE, "t", "u"),
                write("TRUNCATE TABLE public.t", TRUNCATE, "public.t"),
                // DDL
                write("CREATE TEMPORARY TABLE tt (a int)", DDL, "tt").temporary(),
                write("CREATE TEMP TABLE tt (a int)", DDL, "tt").temporary(),
                write("CREATE GLOBAL TEMPORARY TABLE tt (a int)", DDL, "tt").temporary(),
                write("CREATE LOCAL TEMPORARY TABLE tt (a int)", DDL).unknownWrites().temporary().unparsed(),
                write("CREATE TABLE n AS SELECT * FROM t", DDL, "n").reads("t"),
                write("SELECT * INTO newt FROM t", DDL, "newt").reads("t"),
                write("CREATE MATERIALIZED VIEW mv AS SELECT * FROM t", DDL, "mv").reads("t"),
                write("REFRESH MATERIALIZED VIEW mv", DDL).unknownWrites().unparsed(),
                write("ALTER TABLE t RENAME TO u", DDL, "t", "u"),
                write("ALTER TABLE t RENAME COLUMN a TO b", DDL, "t"),
                write("DROP TABLE IF EXISTS t CASCADE", DDL, "t"),
                write("DROP TABLE a, b", DDL).unknownWrites().unparsed(),
                write("DROP INDEX i", DDL).unknownWrites(),
                write("DROP SCHEMA x CASCADE", DDL).unknownWrites(),
                write("COMMENT ON TABLE t IS 'x'", DDL, "t"),
                write("REVOKE SELECT ON t FROM bob", DDL, "t"),
                // EXPLAIN ANALYZE executes the statement
                write("EXPLAIN ANALYZE DELETE FROM t WHERE a = 1", DELETE, "t").unparsed(),
                write("EXPLAIN (ANALYZE, FORMAT JSON) UPDATE t SET a = 1", UPDATE, "t").unparsed(),
                keywords("EXPLAIN (FORMAT JSON) UPDATE t SET a = 1", OTHER),
                keywords("EXPLAIN ANALYZE SELECT * FROM t", OTHER),
                keywords("ANALYZE t", OTHER),
                keywords("VACUUM FULL t", OTHER),
                keywords("SHOW search_path", OTHER),
                keywords("CHECKPOINT", OTHER),
                // transaction control
                transaction("BEGIN", BEGIN),
                transaction("begin work", BEGIN),
                transaction("BEGIN TRANSACTION", BEGIN),
                transaction("BEGIN ISOLATION LEVEL SERIALIZABLE", TransactionControl.BEGIN_WITH_ISOLATION),
                transaction("START TRANSACTION ISOLATION LEVEL REPEATABLE READ", TransactionControl.BEGIN_WITH_ISOLATION),
                transaction("END", COMMIT),
                transaction("END TRANSACTION", COMMIT),
                transaction("ABORT", ROLLBACK),
                transaction("ROLLBACK WORK", ROLLBACK),
                transaction("ROLLBACK TO s1", ROLLBACK_TO_SAVEPOINT),
                transaction("ROLLBACK TRANSACTION TO SAVEPOINT s1", ROLLBACK_TO_SAVEPOINT),
                transaction("RELEASE s1", RELEASE_SAVEPOINT),
                transaction("SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL SERIALIZABLE", SET_TRANSACTION),
                transaction("SET TRANSACTION READ ONLY", SET_TRANSACTION),
                unparseable("COMMIT PREPARED 'tx1'", true),
                // session
                keywords("SET search_path = x", SESSION),
                keywords("SET search_path TO a, b", SESSION),
                keywords("SET SCHEMA 'x'", SESSION),
                keywords("SET ROLE bob", SESSION),
                keywords("SET SESSION AUTHORIZATION bob", SESSION),
                keywords("SET LOCAL statement_timeout = 0", SESSION),
                keywords("RESET ALL", SESSION),
                keywords("RESET search_path", SESSION),
                keywords("DISCARD ALL", SESSION),
                // procedures and anonymous blocks
                keywords("DO $$ BEGIN DELETE FROM t; END $$", CALL),
                keywords("EXECUTE prepared_stmt(1)", CALL),
                // jOOQ cannot parse these
                unparseable("SELECT * FROM t TABLESAMPLE SYSTEM (10)", false),
                // nested comments end early for the lexer: the leftovers make it unparseable, never a hidden statement
                unparseable("SELECT 1 FROM t /* a /* b */ c */", false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void analyses(Expect expect) {
        expect.check(ANALYZER);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"my_function(a)", "myschema.my_function(a)", "set_config('app.tenant', '42', false)"})
    void unknownFunctionsMayWriteOrChangeTheSession(String expression) {
        assertEquals(dev.sqlcache.stats.BypassReason.UNKNOWN_FUNCTION, ANALYZER.analyze("SELECT " + expression + " FROM t").bypassReason(), expression);
        assertEquals(dev.sqlcache.stats.BypassReason.UNKNOWN_FUNCTION, ANALYZER.analyze("SELECT " + expression).bypassReason(), expression);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"now()", "random()", "current_timestamp", "current_date", "current_time", "localtimestamp",
            "localtime", "nextval('s')", "currval('s')", "lastval()", "setval('s', 1)", "gen_random_uuid()",
            "uuid_generate_v4()", "current_user", "session_user", "user", "current_role", "current_schema",
            "current_schema()", "current_catalog", "current_database()", "version()", "clock_timestamp()",
            "statement_timestamp()", "transaction_timestamp()", "timeofday()", "pg_backend_pid()", "pg_sleep(1)",
            "current_setting('x')", "age(ts)", "txid_current()"})
    void nonDeterministicFunctions(String expression) {
        assertEquals(dev.sqlcache.stats.BypassReason.NON_DETERMINISTIC, ANALYZER.analyze("SELECT " + expression + " FROM t").bypassReason(), expression);
        QueryAnalysis a = ANALYZER.analyze("SELECT " + expression + " FROM t");
        assertEquals(dev.sqlcache.stats.BypassReason.NON_DETERMINISTIC, a.bypassReason(), expression);
        QueryAnalysis inWhere = ANALYZER.analyze("SELECT a FROM t WHERE b < " + expression);
        assertEquals(dev.sqlcache.stats.BypassReason.NON_DETERMINISTIC, inWhere.bypassReason(), expression);
    }

    @Test
    void recursiveCteListsTheRealTablesItReads() {
        QueryAnalysis a = ANALYZER.analyze("WITH RECURSIVE tree AS (SELECT id FROM nodes WHERE parent IS NULL "
                + "UNION ALL SELECT n.id FROM nodes n JOIN tree ON n.parent = tree.id) SELECT * FROM tree");
        assertEquals(StatementKind.SELECT, a.kind());
        assertTrue(a.tablesRead().contains("nodes"), a.tablesRead()::toString);
    }

    @Test
    void cteOfAnInnerQueryDoesNotHideTheRealTableOutside() {
        QueryAnalysis a = ANALYZER.analyze(
                "SELECT * FROM (WITH orders AS (SELECT 1 AS x) SELECT * FROM orders) s JOIN orders o ON s.x = o.x");
        assertEquals(List.of("orders"), List.copyOf(a.tablesRead()));
        assertTrue(a.cacheable());
    }
}
