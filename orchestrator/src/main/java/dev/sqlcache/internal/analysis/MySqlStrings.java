package dev.sqlcache.internal.analysis;

import dev.sqlcache.internal.analysis.SqlLexer.Token;
import dev.sqlcache.internal.analysis.SqlLexer.Type;

import java.util.ArrayList;
import java.util.List;

/**
 * Rewrites MySQL string literals with backslash escapes into standard SQL literals of the same value, for jOOQ.
 *
 * <p>jOOQ reads {@code '...'} by the standard's rules only: {@code 'O\'Brien'} would end at the second quote and the
 * rest would be parsed as SQL, possibly naming other tables than MySQL sees. The lexer already knows where each
 * MySQL literal ends; here its value is decoded as MySQL decodes it and written back with doubled quotes, which
 * jOOQ and MySQL read alike. Two literals with the same value then give the same text, which is right for a key.
 */
final class MySqlStrings {

    private MySqlStrings() {
    }

    /**
     * The statement with every string literal that contains a backslash rewritten, or the statement itself when
     * none does.
     *
     * @return null when a literal cannot be rewritten (a hexadecimal or bit literal with a backslash is not valid)
     */
    static List<Token> standardized(List<Token> statement) {
        List<Token> out = null;
        for (int i = 0; i < statement.size(); i++) {
            Token token = statement.get(i);
            if (token.type() != Type.STRING || token.text().indexOf('\\') < 0) {
                continue;
            }
            String rewritten = standard(token.text());
            if (rewritten == null) {
                return null;
            }
            if (out == null) {
                out = new ArrayList<>(statement);
            }
            out.set(i, new Token(Type.STRING, rewritten, token.gapBefore(), token.start()));
        }
        return out == null ? statement : List.copyOf(out);
    }

    /** One literal ({@code '...'} or {@code N'...'}), backslash escapes decoded, as a standard literal. */
    static String standard(String literal) {
        int open = literal.indexOf('\'');
        if (open < 0 || literal.length() < open + 2 || literal.charAt(literal.length() - 1) != '\'') {
            return null;
        }
        String prefix = literal.substring(0, open);
        if (!prefix.isEmpty() && !prefix.equalsIgnoreCase("n")) {
            return null; // X'..' and B'..' hold digits only
        }
        StringBuilder value = new StringBuilder();
        int end = literal.length() - 1;
        for (int i = open + 1; i < end; i++) {
            char c = literal.charAt(i);
            if (c == '\\') {
                if (i + 1 >= end) {
                    return null; // the lexer never ends a literal on an escaping backslash
                }
                char next = literal.charAt(++i);
                switch (next) {
                    case '0' -> value.append('\0');
                    case 'b' -> value.append('\b');
                    case 'n' -> value.append('\n');
                    case 'r' -> value.append('\r');
                    case 't' -> value.append('\t');
                    case 'Z' -> value.append('\u001A');
                    // MySQL keeps the backslash of \% and \_ so that LIKE reads them as literal % and _.
                    case '%', '_' -> value.append('\\').append(next);
                    default -> value.append(next);
                }
            } else if (c == '\'') {
                if (i + 1 >= end || literal.charAt(i + 1) != '\'') {
                    return null;
                }
                value.append('\'');
                i++;
            } else {
                value.append(c);
            }
        }
        return prefix + "'" + value.toString().replace("'", "''") + "'";
    }
}
