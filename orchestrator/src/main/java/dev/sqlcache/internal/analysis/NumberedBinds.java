package dev.sqlcache.internal.analysis;

import dev.sqlcache.internal.analysis.SqlLexer.Token;
import dev.sqlcache.internal.analysis.SqlLexer.Type;
import org.jooq.Param;

import java.util.BitSet;
import java.util.List;
import java.util.Locale;

/**
 * Tells which JDBC parameter a parsed bind value is. jOOQ numbers nothing: a parsed {@code ?} carries no index. So
 * the statement is parsed a second time from a copy in which the n-th {@code ?} reads {@code :sqlcache_p<n>}, and a
 * parameter is identified by its name. n counts the markers this lexer finds, which is how the JDBC drivers count
 * them, except where a driver's lexical rules differ from the lexer's; statements where that may happen get no
 * numbering at all ({@link #of} returns null), so no pin can name a wrong parameter.
 */
final class NumberedBinds {

    private static final String PREFIX = "sqlcache_p";

    private final int count;
    private final BitSet wholeArrays;

    private NumberedBinds(int count, BitSet wholeArrays) {
        this.count = count;
        this.wholeArrays = wholeArrays;
    }

    /**
     * @param statement the tokens of one statement, which must be the whole text the driver sees (the statement's
     *                  markers are then exactly the text's)
     * @param lexed     the lexer's result for the whole text
     * @param family    the database family
     * @return the numbering, or null when a driver may count this statement's markers differently
     */
    static NumberedBinds of(List<Token> statement, SqlLexer.Result lexed, DatabaseFamily family) {
        if (family == DatabaseFamily.OTHER || lexed.nestedCommentOpener()) {
            return null; // unknown driver rules; PostgreSQL and H2 nest comments where the lexer does not
        }
        BitSet wholeArrays = new BitSet();
        int count = 0;
        Token previous = null;
        for (int i = 0; i < statement.size(); i++) {
            Token token = statement.get(i);
            if (previous != null && !token.gapBefore() && mayBeLexedDifferently(previous, token)) {
                return null;
            }
            switch (token.type()) {
                case PARAMETER -> {
                    count++;
                    if (isWholeArrayOperand(statement, i)) {
                        wholeArrays.set(count);
                    }
                }
                case WORD -> {
                    if (token.text().toLowerCase(Locale.ROOT).startsWith(PREFIX)) {
                        return null; // the name could be taken for one of ours
                    }
                    if (family == DatabaseFamily.SQLITE && token.text().startsWith("@")) {
                        return null; // SQLite's @name parameter takes a JDBC index too
                    }
                }
                case SYMBOL -> {
                    // SQLite's :name and $name parameters take JDBC indexes too, shifting those of the markers.
                    if (family == DatabaseFamily.SQLITE && (token.isSymbol(':') || token.isSymbol('$'))) {
                        return null;
                    }
                }
                case STRING -> {
                    // With standard_conforming_strings off, pgjdbc reads a backslash in '...' as an escape.
                    if (family == DatabaseFamily.POSTGRES && token.text().startsWith("'") && token.text().indexOf('\\') >= 0) {
                        return null;
                    }
                }
                default -> { }
            }
            previous = token;
        }
        return new NumberedBinds(count, wholeArrays);
    }

    /**
     * Pairs the lexer reads as two tokens that a driver reads otherwise: pgjdbc's {@code ??} is one literal
     * question mark, H2's {@code ?1} is parameter 1 wherever it occurs, H2 starts a comment at {@code //}, MySQL
     * drivers may start one at {@code --}.
     */
    private static boolean mayBeLexedDifferently(Token previous, Token token) {
        return (previous.type() == Type.PARAMETER && (token.type() == Type.PARAMETER || token.type() == Type.NUMBER))
                || (previous.isSymbol('/') && token.isSymbol('/'))
                || (previous.isSymbol('-') && token.isSymbol('-'));
    }

    /** {@code ANY ( ? )} or {@code SOME ( ? )}: the marker stands for a whole array, not for one value. */
    private static boolean isWholeArrayOperand(List<Token> statement, int i) {
        return i >= 2 && i + 1 < statement.size()
                && statement.get(i - 1).isSymbol('(') && statement.get(i + 1).isSymbol(')')
                && (statement.get(i - 2).isWord("ANY") || statement.get(i - 2).isWord("SOME"));
    }

    /** How many markers the statement has. */
    int count() {
        return count;
    }

    /** The text to parse instead of the statement: every marker replaced by its name. */
    static String namedText(List<Token> statement) {
        return SqlLexer.text(statement, n -> ":" + PREFIX + n);
    }

    /** The 1-based JDBC index of a parsed bind value from {@link #namedText}, or 0 if it is not one of ours. */
    int index(Param<?> param) {
        String name = param.getParamName();
        if (param.isInline() || name == null || !name.startsWith(PREFIX) || name.length() > PREFIX.length() + 9) {
            return 0;
        }
        int n = 0;
        for (int i = PREFIX.length(); i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < '0' || c > '9') {
                return 0;
            }
            n = n * 10 + (c - '0');
        }
        return n >= 1 && n <= count ? n : 0;
    }

    /** Whether marker n is written {@code ANY(?)} / {@code SOME(?)}, so that it binds a whole array. */
    boolean isWholeArray(int n) {
        return wholeArrays.get(n);
    }
}
