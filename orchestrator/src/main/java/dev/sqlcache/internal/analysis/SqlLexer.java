package dev.sqlcache.internal.analysis;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntFunction;

/**
 * A small SQL tokenizer that knows just enough of each family's lexical rules (comments, string and identifier
 * quoting, PostgreSQL dollar quoting, MySQL backslash escapes) to find statement boundaries, leading keywords
 * and function calls without being fooled by text inside literals or comments.
 *
 * <p>It errs on the side of seeing too many statements: where a database would treat text as a comment or a
 * literal and the lexer cannot be sure, the lexer keeps it as tokens, so a hidden second statement is never
 * swallowed. Nested block comments are deliberately not supported for that reason.
 */
final class SqlLexer {

    enum Type { WORD, QUOTED_IDENTIFIER, STRING, NUMBER, PARAMETER, SEMICOLON, SYMBOL }

    /**
     * One token. {@code text} is the source text; {@code gapBefore} tells whether whitespace or a comment
     * separated it from the previous token; {@code start} is its offset in the lexed text (-1 for a made-up token).
     */
    record Token(Type type, String text, boolean gapBefore, int start) {

        Token(Type type, String text, boolean gapBefore) {
            this(type, text, gapBefore, -1);
        }

        boolean isWord(String upperCaseWord) {
            return type == Type.WORD && text.equalsIgnoreCase(upperCaseWord);
        }

        boolean isSymbol(char c) {
            return type == Type.SYMBOL && text.length() == 1 && text.charAt(0) == c;
        }

        String upper() {
            return text.toUpperCase(Locale.ROOT);
        }
    }

    /**
     * The tokens of a text.
     *
     * @param tokens              all tokens, comments removed
     * @param unterminated        a string, quoted identifier or comment was still open at the end
     * @param executableComment   a MySQL {@code /*! ... *}{@code /} comment, whose content MySQL executes
     * @param nestedCommentOpener a block comment that contains {@code /*}: PostgreSQL and H2 nest comments, this
     *                            lexer does not, so there the database may see less code than these tokens
     */
    record Result(List<Token> tokens, boolean unterminated, boolean executableComment, boolean nestedCommentOpener) {

        /** The tokens split at top-level semicolons; empty statements (stray semicolons) are dropped. */
        List<List<Token>> statements() {
            List<List<Token>> statements = new ArrayList<>();
            List<Token> current = new ArrayList<>();
            for (Token token : tokens) {
                if (token.type() == Type.SEMICOLON) {
                    if (!current.isEmpty()) {
                        statements.add(List.copyOf(current));
                        current.clear();
                    }
                } else {
                    current.add(token);
                }
            }
            if (!current.isEmpty()) {
                statements.add(List.copyOf(current));
            }
            return statements;
        }
    }

    private final DatabaseFamily family;
    /** MySQL reads a backslash in a string as an escape unless the session's sql_mode has NO_BACKSLASH_ESCAPES. */
    private final boolean backslashEscapes;

    SqlLexer(DatabaseFamily family) {
        this(family, family.isMySqlLike());
    }

    /**
     * @param backslashEscapes whether a backslash escapes the next character in '...' and "..." (MySQL and MariaDB
     *                         unless NO_BACKSLASH_ESCAPES is set); ignored outside MySQL and MariaDB
     */
    SqlLexer(DatabaseFamily family, boolean backslashEscapes) {
        this.family = family;
        this.backslashEscapes = family.isMySqlLike() && backslashEscapes;
    }

    /** Whether this lexer reads backslashes in strings as escapes. */
    boolean backslashEscapes() {
        return backslashEscapes;
    }

    /**
     * Rebuilds the text of one statement from its tokens, with every comment and whitespace run replaced by a
     * single space. This is what jOOQ parses, so that comment syntax only the database knows (MySQL {@code #},
     * {@code --} without a following space) cannot make the parser see a different statement than the database.
     */
    static String text(List<Token> statement) {
        return text(statement, null);
    }

    /**
     * Like {@link #text(List)}, with the n-th bind marker (1-based, counted in {@code statement}) written as
     * {@code bindText.apply(n)}, set apart by spaces.
     */
    static String text(List<Token> statement, IntFunction<String> bindText) {
        StringBuilder sb = new StringBuilder();
        Token previous = null;
        int binds = 0;
        for (Token token : statement) {
            if (previous != null && (token.gapBefore()
                    // "--" is a comment to jOOQ but, without a following space, two minus signs to MySQL.
                    || (previous.isSymbol('-') && token.isSymbol('-'))
                    || (previous.isSymbol('/') && token.isSymbol('*'))
                    || (previous.isSymbol('*') && token.isSymbol('/')))) {
                sb.append(' ');
            }
            if (bindText != null && token.type() == Type.PARAMETER) {
                sb.append(' ').append(bindText.apply(++binds)).append(' ');
            } else {
                sb.append(token.text());
            }
            previous = token;
        }
        return sb.toString();
    }

    Result lex(String sql) {
        List<Token> tokens = new ArrayList<>();
        boolean unterminated = false;
        boolean executable = false;
        boolean nested = false;
        boolean gap = false;
        int n = sql.length();
        int i = 0;
        while (i < n) {
            char c = sql.charAt(i);
            if (Character.isWhitespace(c)) {
                gap = true;
                i++;
                continue;
            }
            if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-' && isLineCommentStart(sql, i)) {
                i = endOfLine(sql, i);
                gap = true;
                continue;
            }
            if (c == '#' && family.isMySqlLike()) {
                i = endOfLine(sql, i);
                gap = true;
                continue;
            }
            if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                if (family.isMySqlLike() && (sql.startsWith("/*!", i) || sql.startsWith("/*M!", i))) {
                    executable = true;
                }
                int end = sql.indexOf("*/", i + 2);
                if (end < 0) {
                    unterminated = true;
                    break;
                }
                int opener = sql.indexOf("/*", i + 2);
                nested |= opener >= 0 && opener < end;
                i = end + 2;
                gap = true;
                continue;
            }
            int start = i;
            Type type;
            if (c == '\'') {
                i = skipQuoted(sql, i, '\'', backslashEscapes);
                type = Type.STRING;
            } else if (c == '"') {
                // MySQL reads "..." as a string with backslash escapes unless ANSI_QUOTES is on.
                i = skipQuoted(sql, i, '"', backslashEscapes);
                type = Type.QUOTED_IDENTIFIER;
            } else if (c == '`') {
                i = skipQuoted(sql, i, '`', false);
                type = Type.QUOTED_IDENTIFIER;
            } else if (c == '[' && family == DatabaseFamily.SQLITE) {
                // SQLite also quotes identifiers in brackets; a quote or semicolon inside is part of the name.
                int close = sql.indexOf(']', i + 1);
                i = close < 0 ? -1 : close + 1;
                type = Type.QUOTED_IDENTIFIER;
            } else if (c == '$' && readsDollarQuotes() && dollarTagEnd(sql, i) > 0) {
                int tagEnd = dollarTagEnd(sql, i);
                String tag = sql.substring(i, tagEnd);
                int close = sql.indexOf(tag, tagEnd);
                i = close < 0 ? -1 : close + tag.length();
                type = Type.STRING;
            } else if (Character.isDigit(c) || (c == '.' && i + 1 < n && Character.isDigit(sql.charAt(i + 1)))) {
                i = skipNumber(sql, i);
                type = Type.NUMBER;
            } else if (isIdentifierStart(c)) {
                i = skipWord(sql, i);
                String word = sql.substring(start, i);
                if (i < n && sql.charAt(i) == '\'' && isStringPrefix(word)) {
                    // E'...' (PostgreSQL escape string), N'...', X'...', B'...': one literal token.
                    boolean backslashes = family.isMySqlLike() ? backslashEscapes : word.equalsIgnoreCase("e");
                    i = skipQuoted(sql, i, '\'', backslashes);
                    type = Type.STRING;
                } else {
                    type = Type.WORD;
                }
            } else if (c == '?') {
                i++;
                type = Type.PARAMETER;
            } else if (c == ';') {
                i++;
                type = Type.SEMICOLON;
            } else {
                i++;
                type = Type.SYMBOL;
            }
            if (i < 0) {
                unterminated = true;
                break;
            }
            tokens.add(new Token(type, sql.substring(start, i), gap, start));
            gap = false;
        }
        return new Result(List.copyOf(tokens), unterminated, executable, nested);
    }

    /**
     * PostgreSQL and H2 quote strings with {@code $tag$}; so may an unknown database. MySQL, MariaDB, HSQLDB,
     * Derby and SQLite do not ({@code $} is part of a name or, in SQLite, starts a named parameter).
     */
    private boolean readsDollarQuotes() {
        return family == DatabaseFamily.POSTGRES || family == DatabaseFamily.H2 || family == DatabaseFamily.OTHER;
    }

    private boolean isLineCommentStart(String sql, int i) {
        if (!family.isMySqlLike()) {
            return true;
        }
        // MySQL needs whitespace or a control character after "--" for a comment.
        return i + 2 >= sql.length() || Character.isWhitespace(sql.charAt(i + 2)) || Character.isISOControl(sql.charAt(i + 2));
    }

    private static int endOfLine(String sql, int i) {
        int nl = sql.indexOf('\n', i);
        int cr = sql.indexOf('\r', i);
        int end = nl < 0 ? cr : (cr < 0 ? nl : Math.min(nl, cr));
        return end < 0 ? sql.length() : end;
    }

    /** Index after the closing quote, or -1 when unterminated. A doubled quote is an escaped quote. */
    private static int skipQuoted(String sql, int i, char quote, boolean backslashEscapes) {
        int n = sql.length();
        int j = i + 1;
        while (j < n) {
            char c = sql.charAt(j);
            if (backslashEscapes && c == '\\') {
                j += 2;
                continue;
            }
            if (c == quote) {
                if (j + 1 < n && sql.charAt(j + 1) == quote) {
                    j += 2;
                    continue;
                }
                return j + 1;
            }
            j++;
        }
        return -1;
    }

    /** For a PostgreSQL dollar quote {@code $tag$} at i, the index after it; 0 when i does not start one. */
    private static int dollarTagEnd(String sql, int i) {
        if (i > 0 && isIdentifierPart(sql.charAt(i - 1))) {
            return 0; // a $ inside an identifier such as a$b
        }
        int j = i + 1;
        int n = sql.length();
        if (j < n && Character.isDigit(sql.charAt(j))) {
            return 0; // $1 is a positional parameter
        }
        while (j < n && (Character.isLetterOrDigit(sql.charAt(j)) || sql.charAt(j) == '_')) {
            j++;
        }
        return j < n && sql.charAt(j) == '$' ? j + 1 : 0;
    }

    private static int skipNumber(String sql, int i) {
        int n = sql.length();
        int j = i;
        while (j < n && (Character.isLetterOrDigit(sql.charAt(j)) || sql.charAt(j) == '.' || sql.charAt(j) == '_')) {
            char c = sql.charAt(j);
            j++;
            if ((c == 'e' || c == 'E') && j < n && (sql.charAt(j) == '+' || sql.charAt(j) == '-')) {
                j++;
            }
        }
        return j;
    }

    private static int skipWord(String sql, int i) {
        int j = i + 1;
        while (j < sql.length() && isIdentifierPart(sql.charAt(j))) {
            j++;
        }
        return j;
    }

    private static boolean isStringPrefix(String word) {
        return word.length() == 1 && "eEnNxXbB".indexOf(word.charAt(0)) >= 0;
    }

    private static boolean isIdentifierStart(char c) {
        return Character.isLetter(c) || c == '_' || c == '@';
    }

    private static boolean isIdentifierPart(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$' || c == '@';
    }
}
