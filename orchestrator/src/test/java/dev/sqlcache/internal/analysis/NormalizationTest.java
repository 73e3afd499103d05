package dev.sqlcache.internal.analysis;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The normalized text is part of the cache key: two statements with different results must never share it,
 * and trivially different spellings of one statement should.
 */
class NormalizationTest {

    private static Stream<Arguments> inAllFamilies(String[][] pairs) {
        return Stream.of(DatabaseFamily.values()).flatMap(f -> Stream.of(pairs).map(p -> Arguments.of(f, p[0], p[1])));
    }

    static Stream<Arguments> different() {
        return inAllFamilies(new String[][]{
                {"SELECT * FROM t WHERE id = 1", "SELECT * FROM t WHERE id = 2"},
                {"SELECT * FROM t WHERE name = 'a'", "SELECT * FROM t WHERE name = 'A'"},
                {"SELECT * FROM t WHERE name = 'x'", "SELECT * FROM t WHERE name = 'x '"},
                {"SELECT * FROM t WHERE name = 'a  b'", "SELECT * FROM t WHERE name = 'a b'"},
                {"SELECT * FROM t WHERE name = '--x'", "SELECT * FROM t WHERE name = ''"},
                {"SELECT * FROM t WHERE id = ?", "SELECT * FROM t WHERE id = 1"},
                {"SELECT * FROM t WHERE id = ?", "SELECT * FROM t WHERE id = NULL"},
                {"SELECT * FROM t WHERE a = ? AND b = ?", "SELECT * FROM t WHERE a = ? OR b = ?"},
                {"SELECT * FROM t WHERE a = 1.5", "SELECT * FROM t WHERE a = 1.50"},
                {"SELECT * FROM t WHERE a IN (1, 2)", "SELECT * FROM t WHERE a IN (1, 2, 3)"},
                {"SELECT * FROM t ORDER BY a LIMIT 10", "SELECT * FROM t ORDER BY a LIMIT 20"},
                {"SELECT * FROM t ORDER BY a", "SELECT * FROM t ORDER BY a DESC"},
                {"SELECT a FROM t", "SELECT b FROM t"},
                {"SELECT a AS x FROM t", "SELECT a AS y FROM t"},
                {"SELECT * FROM T", "SELECT * FROM t"},
                {"SELECT * FROM t WHERE A = 1", "SELECT * FROM t WHERE a = 1"},
                {"SELECT * FROM s.t", "SELECT * FROM t"},
                {"SELECT * FROM t JOIN u ON t.a = u.a", "SELECT * FROM t LEFT JOIN u ON t.a = u.a"},
                {"SELECT DISTINCT a FROM t", "SELECT a FROM t"},
                {"SELECT a FROM t UNION SELECT a FROM u", "SELECT a FROM t UNION ALL SELECT a FROM u"},
        });
    }

    static Stream<Arguments> differentQuoting() {
        return Stream.of(DatabaseFamily.H2, DatabaseFamily.POSTGRES).flatMap(f -> Stream.of(new String[][]{
                {"SELECT * FROM \"T\"", "SELECT * FROM T"},
                {"SELECT * FROM \"Order Items\"", "SELECT * FROM \"order items\""},
                {"SELECT \"a\" FROM t", "SELECT \"A\" FROM t"},
        }).map(p -> Arguments.of(f, p[0], p[1])));
    }

    static Stream<Arguments> differentInDialect() {
        return Stream.of(
                // MySQL reads 1--1 as 1 - (-1), not as a comment
                Arguments.of(DatabaseFamily.MYSQL, "SELECT a FROM t WHERE b = 1--1", "SELECT a FROM t WHERE b = 1"),
                Arguments.of(DatabaseFamily.MARIADB, "SELECT a FROM t WHERE b = 1--1", "SELECT a FROM t WHERE b = 1"),
                Arguments.of(DatabaseFamily.MYSQL, "SELECT * FROM `T`", "SELECT * FROM `t`"),
                Arguments.of(DatabaseFamily.POSTGRES, "SELECT * FROM t WHERE a = E'x\\n'", "SELECT * FROM t WHERE a = 'x\\n'"),
                Arguments.of(DatabaseFamily.POSTGRES, "SELECT * FROM t WHERE a = $1", "SELECT * FROM t WHERE a = $2"),
                // jOOQ renders both as cast(a as varchar) || cast(b as varchar), but concat ignores NULLs
                Arguments.of(DatabaseFamily.POSTGRES, "SELECT concat(a, b) FROM t", "SELECT a || b FROM t"),
                Arguments.of(DatabaseFamily.H2, "SELECT concat(a, b) FROM t", "SELECT a || b FROM t"),
                // jOOQ renders ANY(?) as ANY(ARRAY[?]): an array parameter versus a scalar one
                Arguments.of(DatabaseFamily.POSTGRES, "SELECT * FROM t WHERE a = ANY(?)", "SELECT * FROM t WHERE a = ANY(ARRAY[?])"),
                Arguments.of(DatabaseFamily.POSTGRES, "SELECT * FROM t WHERE a LIKE ?", "SELECT * FROM t WHERE CAST(a AS varchar) LIKE CAST(? AS varchar)"));
    }

    static Stream<Arguments> same() {
        return inAllFamilies(new String[][]{
                {"SELECT  *\n FROM   t\tWHERE id=1", "SELECT * FROM t WHERE id = 1"},
                {"select * from t where id = 1", "SELECT * FROM t WHERE id = 1"},
                {"SeLeCt a FrOm t OrDeR bY a", "SELECT a FROM t ORDER BY a"},
                {"SELECT * /* why */ FROM t -- because", "SELECT * FROM t"},
                {"/* leading */ SELECT * FROM t", "SELECT * FROM t"},
                {"SELECT * FROM t;", "SELECT * FROM t"},
                {"SELECT * FROM t WHERE a = ? AND b = ?", "select * from t where a=? and b=?"},
                {"SELECT x.a FROM t AS x", "SELECT x.a FROM t x"},
        });
    }

    @ParameterizedTest(name = "{0}: {1} <> {2}")
    @MethodSource({"different", "differentQuoting", "differentInDialect"})
    void semanticallyDifferentStatementsAreNotMerged(DatabaseFamily family, String one, String other) {
        QueryAnalyzer analyzer = new QueryAnalyzer(family, 10);
        String a = analyzer.analyze(one).normalizedSql();
        String b = analyzer.analyze(other).normalizedSql();
        assertNotNull(a, one);
        assertNotNull(b, other);
        assertNotEquals(a, b);
    }

    @ParameterizedTest(name = "{0}: {1} == {2}")
    @MethodSource("same")
    void whitespaceCommentsAndKeywordCaseAreMerged(DatabaseFamily family, String one, String other) {
        QueryAnalyzer analyzer = new QueryAnalyzer(family, 10);
        String a = analyzer.analyze(one).normalizedSql();
        assertNotNull(a, one);
        assertEquals(a, analyzer.analyze(other).normalizedSql());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("families")
    void jooqsRenderingIsTheNormalFormWhenItKeepsTheTokens(DatabaseFamily family) {
        QueryAnalyzer analyzer = new QueryAnalyzer(family, 10);
        String normalized = analyzer.analyze("SELECT A.X FROM T A INNER JOIN U ON A.ID=U.ID WHERE A.Y=1").normalizedSql();
        assertTrue(normalized.startsWith("select A.X from T"), normalized);
        assertEquals(normalized, analyzer.analyze("select A.X from T as A join U on (A.ID = U.ID) where A.Y = 1").normalizedSql());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("families")
    void theStatementsOwnTokensAreTheNormalFormWhenJooqRewrites(DatabaseFamily family) {
        String normalized = new QueryAnalyzer(family, 10).analyze("SELECT  COUNT(*) FROM t /* c */ WHERE a <> 1 OR b != 2").normalizedSql();
        assertEquals(CanonicalText.VERBATIM_PREFIX + "select COUNT(*) from t where a <> 1 or b != 2", normalized);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("families")
    void bindMarkersStayInPlace(DatabaseFamily family) {
        String normalized = new QueryAnalyzer(family, 10)
                .analyze("SELECT a, ? FROM t WHERE b = ? AND c IN (?, ?) ORDER BY a LIMIT ?").normalizedSql();
        assertEquals(5, normalized.chars().filter(c -> c == '?').count(), normalized);
    }

    static Stream<DatabaseFamily> families() {
        return Stream.of(DatabaseFamily.values());
    }
}
