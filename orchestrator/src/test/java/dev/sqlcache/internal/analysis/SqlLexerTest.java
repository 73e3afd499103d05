package dev.sqlcache.internal.analysis;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Statement boundaries: a hidden second statement must never be taken for part of the first. */
class SqlLexerTest {

    static Stream<Arguments> statementCounts() {
        DatabaseFamily pg = DatabaseFamily.POSTGRES;
        DatabaseFamily my = DatabaseFamily.MYSQL;
        DatabaseFamily h2 = DatabaseFamily.H2;
        return Stream.of(
                Arguments.of(pg, "SELECT 1", 1),
                Arguments.of(pg, "SELECT 1;", 1),
                Arguments.of(pg, "SELECT 1;;  ;", 1),
                Arguments.of(pg, "SELECT 1; SELECT 2", 2),
                Arguments.of(pg, "SELECT ';' FROM t", 1),
                Arguments.of(pg, "SELECT 'it''s; fine' FROM t", 1),
                Arguments.of(pg, "SELECT \"a;b\" FROM t", 1),
                Arguments.of(pg, "SELECT $$;$$, $tag$ ; $$ ; $tag$ FROM t", 1),
                Arguments.of(pg, "SELECT $1; SELECT $2", 2),
                Arguments.of(pg, "SELECT E'\\'; still' FROM t", 1),
                Arguments.of(pg, "SELECT 1 -- ; DELETE FROM t\n; SELECT 2", 2),
                Arguments.of(pg, "SELECT 1 /* ; */ FROM t", 1),
                // PostgreSQL has no # comments: # is an operator and the statement after ; is real
                Arguments.of(pg, "SELECT 1 # 2; DELETE FROM t", 2),
                Arguments.of(my, "SELECT 1 # 2; DELETE FROM t", 1),
                // MySQL needs a space after --
                Arguments.of(my, "SELECT 1--1; DELETE FROM t", 2),
                Arguments.of(my, "SELECT 1-- 1; DELETE FROM t", 1),
                Arguments.of(my, "SELECT 'a\\'; DELETE FROM t' FROM t", 1),
                Arguments.of(my, "SELECT `a;b` FROM t", 1),
                // a backslash is no escape in standard strings: the quote closes the literal
                Arguments.of(pg, "SELECT 'a\\'; DELETE FROM t; SELECT '", 3),
                Arguments.of(h2, "SELECT 'a\\'; DELETE FROM t", 2),
                // no nested comments: the rest of the outer comment shows up as tokens
                Arguments.of(pg, "SELECT 1 /* /* */ ; DELETE FROM t */", 2),
                Arguments.of(my, "SELECT 1 /* /* */ ; DELETE FROM t", 2));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("statementCounts")
    void splitsStatements(DatabaseFamily family, String sql, int statements) {
        SqlLexer.Result result = new SqlLexer(family).lex(sql);
        assertEquals(statements, result.statements().size(), () -> result.statements().toString());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unterminatedTexts")
    void noticesUnterminatedLiteralsAndComments(String sql) {
        assertTrue(new SqlLexer(DatabaseFamily.POSTGRES).lex(sql).unterminated());
    }

    static Stream<String> unterminatedTexts() {
        return Stream.of("SELECT 'abc", "SELECT \"abc", "SELECT 1 /* abc", "SELECT $$ abc", "SELECT $x$ abc $y$", "SELECT `abc");
    }

    @Test
    void mysqlExecutableCommentsAreFlagged() {
        assertTrue(new SqlLexer(DatabaseFamily.MYSQL).lex("SELECT 1 /*!50000 , 2 */").executableComment());
        assertTrue(new SqlLexer(DatabaseFamily.MARIADB).lex("SELECT 1 /*M! , 2 */").executableComment());
        assertFalse(new SqlLexer(DatabaseFamily.POSTGRES).lex("SELECT 1 /*! , 2 */").executableComment());
    }

    @Test
    void rebuiltTextDropsCommentsAndKeepsMinusSignsApart() {
        SqlLexer lexer = new SqlLexer(DatabaseFamily.MYSQL);
        assertEquals("SELECT a FROM t WHERE b = 1- -1",
                SqlLexer.text(lexer.lex("SELECT a /* x */ FROM t # y\n WHERE b = 1--1").statements().get(0)));
    }
}
