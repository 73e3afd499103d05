package dev.sqlcache.internal.analysis;

import dev.sqlcache.internal.analysis.SqlLexer.Token;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.mariadb.jdbc.util.ClientParser;
import org.postgresql.core.NativeQuery;
import org.postgresql.core.Parser;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bind markers a key pin names are the ones the JDBC driver numbers: for every text the analysis numbers, the
 * markers the lexer finds sit exactly where pgjdbc's and MariaDB Connector/J's own parsers put theirs, and H2
 * expects as many parameters. Texts on which a driver might count otherwise are not numbered at all.
 */
class NumberedBindsTest {

    static Stream<String> postgres() {
        return Stream.of(
                "select * from t where a = ? and b = '?' and c = \"?\" and d = $$?$$ and e = $tag$ ? $tag$ and f = ?",
                "select a::text, ?::int from t where id = ? -- ?\n and x = ?",
                "select * from t /* ? */ where e = E'\\'?' and id = ?",
                "select * from t where e = e'?\\\\' and id=?",
                "select * from t where id = any(?) and x <> all(?) and y = any (array[?, ?])",
                "select $1, ? from t",
                "select * from t where a = U&'?' and b = ?",
                "select * from t where a = 'it''s ?' and b = ?",
                "select * from \"we\"\"ird?\" where ? = 1",
                "select * from t where a = ?-1 and b = ?::int[] and c = ?",
                "insert into t (a, b) values (?, ?) returning id",
                "update t set a = ? where id = ? and data @> ?::jsonb",
                "select p1_0.id from pets p1_0 where p1_0.owner_id = any (?)");
    }

    static Stream<String> mysql() {
        return Stream.of(
                "select * from `t?` where a = ? and b = '?' and c = \"?\" # ?\n and d = ?",
                "select * from t where a = 'it''s ?' and b = ?",
                "select * from t -- ?\n where a = ? /* ? */ and b = ?",
                "update t set a = ? where id = ? limit ?",
                "insert into t (a, b) values (?, ?) on duplicate key update b = values(b)",
                "select * from t where a = ? and b = ?-1");
    }

    static Stream<String> h2() {
        return Stream.of(
                "select * from t where a = ? and b = '?' and \"c\" = ? -- ?\n and id = ? /* ? */",
                "select * from t where a = $$?$$ and id = ?",
                "select * from t where id = any(?) and a = 'it''s ?'",
                "update t set a = ? where id in (?, ?)");
    }

    @ParameterizedTest
    @MethodSource("postgres")
    void markersAreWherePgjdbcPutsItsParameters(String sql) throws Exception {
        List<Integer> offsets = numberedMarkers(DatabaseFamily.POSTGRES, sql);
        List<NativeQuery> parsed = Parser.parseJdbcSql(sql, true, true, false, false, false);
        assertEquals(1, parsed.size());
        assertEquals(parsed.get(0).nativeSql, withDollarParameters(sql, offsets));
    }

    @ParameterizedTest
    @MethodSource("mysql")
    void markersAreWhereMariaDbConnectorPutsItsParameters(String sql) {
        for (DatabaseFamily family : List.of(DatabaseFamily.MYSQL, DatabaseFamily.MARIADB)) {
            List<Integer> offsets = numberedMarkers(family, sql);
            int[] positions = ClientParser.parameterParts(sql, false).paramPositions();
            assertEquals(offsets, java.util.Arrays.stream(positions).boxed().collect(Collectors.toList()), family.name());
        }
    }

    @ParameterizedTest
    @MethodSource("h2")
    void h2ExpectsAsManyParameters(String sql) throws Exception {
        List<Integer> offsets = numberedMarkers(DatabaseFamily.H2, sql);
        try (Connection c = DriverManager.getConnection("jdbc:h2:mem:numbered_binds;DB_CLOSE_DELAY=-1")) {
            try (Statement s = c.createStatement()) {
                s.execute("create table if not exists t (id int, a varchar(10), b varchar(10), \"c\" varchar(10))");
            }
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                assertEquals(offsets.size(), ps.getParameterMetaData().getParameterCount());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "select * from t where a ?? 'k' and id = ?",
            "select * from t where id = ? /* a /* b */ c */",
            "select * from t where x = 'a\\b' and id = ?",
            "select * from t where id = :sqlcache_p1 and x = ?",
            "select * from t where sqlcache_p2 = ?"})
    void postgresTextsPgjdbcMayCountOtherwiseAreNotNumbered(String sql) {
        assertNull(numbering(DatabaseFamily.POSTGRES, sql));
    }

    @Test
    void textsOtherDriversMayCountOtherwiseAreNotNumbered() {
        assertNull(numbering(DatabaseFamily.H2, "select * from t where id = ?1 and a = ?1"));
        assertNull(numbering(DatabaseFamily.H2, "select * from t where id = ? // ?\n"));
        assertNull(numbering(DatabaseFamily.MYSQL, "select * from t where id = ? and b = 1--?"));
        assertNull(numbering(DatabaseFamily.MARIADB, "select * from t where id = ? and b = 1--?"));
        assertNull(numbering(DatabaseFamily.OTHER, "select * from t where id = ?"));
        // a backslash in a standard string is only doubtful where standard_conforming_strings can be off
        assertNotNull(numbering(DatabaseFamily.H2, "select * from t where x = 'a\\b' and id = ?"));
    }

    @Test
    void aWholeArrayIsTheOnlyOperandOfAnyOrSome() {
        NumberedBinds binds = numbering(DatabaseFamily.POSTGRES,
                "select * from t where a = any(?) and b = some ( ? ) and c = any(array[?]) and d in (?) and e = any(?::int[])");
        assertNotNull(binds);
        assertEquals(5, binds.count());
        assertTrue(binds.isWholeArray(1));
        assertTrue(binds.isWholeArray(2));
        assertFalse(binds.isWholeArray(3));
        assertFalse(binds.isWholeArray(4));
        assertFalse(binds.isWholeArray(5), "a cast operand is not taken for the array as bound");
    }

    @Test
    void theNamedCopyKeepsEveryOtherToken() {
        SqlLexer lexer = new SqlLexer(DatabaseFamily.POSTGRES);
        List<Token> statement = lexer.lex("select a::text from t where id=?::int and b=?").statements().get(0);
        assertEquals("select a::text from t where id= :sqlcache_p1 ::int and b= :sqlcache_p2 ", NumberedBinds.namedText(statement));
    }

    private static NumberedBinds numbering(DatabaseFamily family, String sql) {
        SqlLexer.Result lexed = new SqlLexer(family).lex(sql);
        return NumberedBinds.of(lexed.statements().get(0), lexed, family);
    }

    /** The offsets of the markers the lexer finds; fails when the text would not be numbered. */
    private static List<Integer> numberedMarkers(DatabaseFamily family, String sql) {
        SqlLexer.Result lexed = new SqlLexer(family).lex(sql);
        assertFalse(lexed.unterminated());
        assertEquals(1, lexed.statements().size());
        NumberedBinds binds = NumberedBinds.of(lexed.statements().get(0), lexed, family);
        assertNotNull(binds, "numbered");
        List<Integer> offsets = new ArrayList<>();
        for (Token token : lexed.tokens()) {
            if (token.type() == SqlLexer.Type.PARAMETER) {
                offsets.add(token.start());
                assertEquals('?', sql.charAt(token.start()));
            }
        }
        assertEquals(binds.count(), offsets.size());
        return offsets;
    }

    private static String withDollarParameters(String sql, List<Integer> offsets) {
        StringBuilder sb = new StringBuilder();
        int from = 0;
        for (int i = 0; i < offsets.size(); i++) {
            sb.append(sql, from, offsets.get(i)).append('$').append(i + 1);
            from = offsets.get(i) + 1;
        }
        return sb.append(sql.substring(from)).toString();
    }
}
