package dev.sqlcache.internal.analysis;

import dev.sqlcache.stats.BypassReason;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Whatever the application sends, {@link QueryAnalyzer#analyze} answers and the answer is consistent. Fed with
 * seeded random mutations of real statements, so a failure is reproducible from the printed seed and text.
 */
class NeverThrowsTest {

    private static final long SEED = 20_261_121L;
    private static final int MUTATIONS_PER_FAMILY = 3_000;
    private static final String SPECIALS = "'\"`;()-/*$#?{}\\\n\t .,=@!:[]%";

    private static final List<String> CORPUS = List.of(
            "SELECT a.id, b.x FROM public.orders a JOIN \"Order Items\" b ON a.id = b.oid WHERE a.id = ? AND b.y = 'x'",
            "WITH c AS (SELECT * FROM base WHERE x IN (SELECT x FROM f)) SELECT * FROM c JOIN o ON c.id = o.id",
            "SELECT a, count(*) FROM t GROUP BY a HAVING count(*) > (SELECT count(*) FROM h) ORDER BY a LIMIT 10",
            "SELECT * FROM t WHERE a = $$x;y$$ AND b = E'\\'' -- trailing",
            "SELECT a FROM t # mysql comment\n WHERE b = 1--1",
            "INSERT INTO t (a, b) SELECT a, b FROM u WHERE c > (SELECT max(c) FROM w) ON CONFLICT (a) DO NOTHING",
            "UPDATE t SET a = u.b FROM u WHERE t.id = u.id RETURNING *",
            "DELETE FROM t USING u WHERE t.id = u.id",
            "MERGE INTO t USING u ON t.id = u.id WHEN MATCHED THEN UPDATE SET a = u.a WHEN NOT MATCHED THEN INSERT (id) VALUES (u.id)",
            "WITH x AS (DELETE FROM t RETURNING *) SELECT * FROM x",
            "CREATE TEMPORARY TABLE tmp AS SELECT * FROM t /* c */",
            "{? = call f(?)}; BEGIN; SET search_path = x; COMMIT",
            "SELECT now(), nextval('s') FROM t FOR UPDATE",
            "SELECT * FROM t WHERE a = 'O\\'Brien' /*! AND 1 = 1 */");

    @Test
    void mutatedAndTruncatedStatementsNeverThrow() {
        for (DatabaseFamily family : DatabaseFamily.values()) {
            QueryAnalyzer analyzer = new QueryAnalyzer(family, 100);
            Random random = new Random(SEED + family.ordinal());
            for (int i = 0; i < MUTATIONS_PER_FAMILY; i++) {
                String sql = mutate(random, CORPUS.get(random.nextInt(CORPUS.size())));
                check(analyzer, family, sql);
            }
        }
    }

    @Test
    void pathologicalInputsNeverThrow() {
        List<String> inputs = new ArrayList<>(List.of("", ";", ";;;", "'", "\"", "`", "$$", "/*", "*/", "--", "#", "{", "}",
                "{call", "{?=", "?", "\u0000", "\uFFFF\uD800", "SELECT", "WITH", "BEGIN", "SET", "EXPLAIN ANALYZE",
                "EXPLAIN ANALYZE EXPLAIN ANALYZE", "CREATE", "SELECT * FROM", "SELECT (((((", "))))) FROM t"));
        inputs.add("SELECT " + "(".repeat(20_000) + "1" + ")".repeat(20_000) + " FROM t");
        inputs.add("SELECT * FROM t WHERE a IN (" + "1, ".repeat(20_000) + "1)");
        inputs.add("SELECT 1" + " UNION SELECT 1".repeat(2_000));
        inputs.add("SELECT '" + "x".repeat(200_000) + "' FROM t");
        inputs.add("SELECT 1;".repeat(5_000));
        for (DatabaseFamily family : DatabaseFamily.values()) {
            QueryAnalyzer analyzer = new QueryAnalyzer(family, 100);
            for (String sql : inputs) {
                check(analyzer, family, sql);
            }
        }
    }

    private static void check(QueryAnalyzer analyzer, DatabaseFamily family, String sql) {
        QueryAnalysis a;
        try {
            a = analyzer.analyze(sql);
        } catch (Throwable t) {
            fail(family + " threw " + t + " for: " + sql, t);
            return;
        }
        assertNotNull(a, sql);
        if (a.cacheable()) {
            assertEquals(StatementKind.SELECT, a.kind(), sql);
            assertTrue(a.tablesWritten().isEmpty() && !a.writesUnknownTables(), sql);
            // the canonical text names the same tables as the original
            QueryAnalysis again = analyzer.analyze(a.normalizedSql());
            assertEquals(a.tablesRead(), again.tablesRead(), () -> family + ": " + sql + " -> " + a.normalizedSql());
            assertTrue(again.cacheable(), () -> family + ": " + sql + " -> " + a.normalizedSql());
        }
        if (a.kind() == StatementKind.UNKNOWN) {
            assertTrue(a.bypassReason() == BypassReason.UNPARSEABLE || a.bypassReason() == BypassReason.MULTIPLE_STATEMENTS, sql);
        }
        if (a.kind().isWrite()) {
            assertTrue(!a.tablesWritten().isEmpty() || a.writesUnknownTables(), () -> "a write that writes nothing: " + sql);
        }
        assertEquals(a.kind() == StatementKind.TRANSACTION_CONTROL, a.transactionControl() != null, sql);
    }

    private static String mutate(Random random, String sql) {
        StringBuilder sb = new StringBuilder(sql);
        int edits = 1 + random.nextInt(3);
        for (int e = 0; e < edits && sb.length() > 0; e++) {
            int at = random.nextInt(sb.length());
            switch (random.nextInt(6)) {
                case 0 -> sb.setLength(at); // truncate
                case 1 -> sb.deleteCharAt(at);
                case 2 -> sb.insert(at, SPECIALS.charAt(random.nextInt(SPECIALS.length())));
                case 3 -> {
                    int end = Math.min(sb.length(), at + 1 + random.nextInt(20));
                    sb.insert(random.nextInt(sb.length()), sb.substring(at, end)); // duplicate a piece
                }
                case 4 -> sb.insert(at, CORPUS.get(random.nextInt(CORPUS.size())).substring(0, random.nextInt(30)));
                default -> sb.setCharAt(at, (char) random.nextInt(0x3000));
            }
        }
        return sb.toString();
    }
}
