package dev.sqlcache.internal.analysis;

import dev.sqlcache.internal.analysis.SqlLexer.Token;
import dev.sqlcache.internal.analysis.SqlLexer.Type;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Chooses the normalized text of a parsed statement, the part of the cache key that stands for the SQL.
 *
 * <p>jOOQ's rendering is the preferred canonical form: it merges differences of whitespace, comments, keyword
 * case and optional keywords. But it also rewrites: PostgreSQL {@code concat(a, b)} and {@code a || b} both
 * render as {@code cast(a as varchar) || cast(b as varchar)}, although they differ on NULLs, and
 * {@code = ANY(?)} gains an {@code array[...]} wrapper. A merged key would serve one statement's rows for another,
 * so jOOQ's text is used only when it is the statement's own token sequence up to case, parentheses and the
 * optional keywords below. Otherwise the key is the statement's own tokens, with comments and whitespace runs
 * reduced, marked by a prefix that jOOQ's output never has, so the two forms cannot collide.
 */
final class CanonicalText {

    /** Marks a text that is the statement's own tokens; jOOQ renders no comments. */
    static final String VERBATIM_PREFIX = "/* verbatim */ ";

    /** Keywords jOOQ adds or drops without changing the statement. */
    private static final Set<String> OPTIONAL_WORDS = Set.of("as", "inner", "outer");

    /**
     * Keywords reserved in MySQL, PostgreSQL and H2 alike: they cannot be unquoted table names, so folding their
     * case cannot merge two tables that differ by case on a case-sensitive MySQL server.
     */
    private static final Set<String> RESERVED = Set.of("select", "from", "where", "and", "or", "not", "in", "is", "null",
            "join", "on", "left", "right", "inner", "outer", "cross", "group", "by", "order", "having", "limit", "as",
            "distinct", "union", "all", "except", "intersect", "case", "when", "then", "else", "between", "like",
            "exists", "with", "asc", "desc", "for", "update", "insert", "delete", "values", "set", "into", "true",
            "false", "using", "natural");

    private CanonicalText() {
    }

    /**
     * @param statement the statement's tokens
     * @param rendered  jOOQ's rendering of it
     * @param lexer     the family's lexer, to tokenize the rendering
     */
    static String normalized(List<Token> statement, String rendered, SqlLexer lexer) {
        SqlLexer.Result renderedTokens = lexer.lex(rendered);
        if (!renderedTokens.unterminated() && significant(statement).equals(significant(renderedTokens.tokens()))) {
            return rendered;
        }
        return verbatim(statement);
    }

    /** The statement's tokens, one space where the source had whitespace or a comment, reserved words lower-cased. */
    static String verbatim(List<Token> statement) {
        StringBuilder sb = new StringBuilder(VERBATIM_PREFIX);
        for (int i = 0; i < statement.size(); i++) {
            Token t = statement.get(i);
            if (i > 0 && t.gapBefore()) {
                sb.append(' ');
            }
            String lower = t.text().toLowerCase(Locale.ROOT);
            sb.append(t.type() == Type.WORD && RESERVED.contains(lower) ? lower : t.text());
        }
        return sb.toString();
    }

    private static List<String> significant(List<Token> tokens) {
        List<String> out = new ArrayList<>(tokens.size());
        for (Token t : tokens) {
            if (t.isSymbol('(') || t.isSymbol(')') || t.type() == Type.SEMICOLON) {
                continue;
            }
            if (t.type() == Type.WORD) {
                String word = t.text().toLowerCase(Locale.ROOT);
                if (!OPTIONAL_WORDS.contains(word)) {
                    out.add(word);
                }
            } else {
                out.add(t.text());
            }
        }
        return out;
    }
}
