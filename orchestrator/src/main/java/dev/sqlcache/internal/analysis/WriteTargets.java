package dev.sqlcache.internal.analysis;

import dev.sqlcache.internal.analysis.SqlLexer.Token;
import dev.sqlcache.internal.analysis.SqlLexer.Type;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Finds what a write changes from its leading tokens, for writes jOOQ cannot parse (or would misread), and takes
 * off the MySQL modifiers jOOQ misreads before it parses.
 *
 * <p>Only shapes whose target cannot be anything else are answered: an INSERT or REPLACE names exactly one table
 * after its optional INTO; an UPDATE whose first table is followed (after an optional alias) by SET has one
 * target; a DELETE FROM one table followed by its filter, order or limit has one target. Multi-table UPDATE and
 * DELETE are answered with the table references they may change (parsed by the caller). Anything else is
 * {@code null}: the caller then invalidates the whole database. A call of a function that is not a known
 * built-in anywhere in the statement also gives {@code null}, since it may write any table.
 */
final class WriteTargets {

    /** Modifiers MySQL allows after each write's first keyword, which jOOQ reads as a table name or rejects. */
    private static final Set<String> INSERT_MODIFIERS = Set.of("LOW_PRIORITY", "DELAYED", "HIGH_PRIORITY", "IGNORE");
    private static final Set<String> REPLACE_MODIFIERS = Set.of("LOW_PRIORITY", "DELAYED");
    private static final Set<String> UPDATE_MODIFIERS = Set.of("LOW_PRIORITY", "IGNORE");
    private static final Set<String> DELETE_MODIFIERS = Set.of("LOW_PRIORITY", "QUICK", "IGNORE");

    /** What may follow an INSERT's or REPLACE's target. */
    private static final Set<String> AFTER_INSERT_TARGET = Set.of("VALUES", "VALUE", "SET", "SELECT", "PARTITION",
            "WITH", "TABLE", "DEFAULT");

    /** What may follow a single-table DELETE's target. */
    private static final Set<String> AFTER_DELETE_TARGET = Set.of("WHERE", "ORDER", "LIMIT", "RETURNING");

    /** Words that are never a table name or alias here. */
    private static final Set<String> RESERVED = Set.of("SELECT", "FROM", "WHERE", "SET", "VALUES", "VALUE", "JOIN",
            "INNER", "LEFT", "RIGHT", "CROSS", "STRAIGHT_JOIN", "NATURAL", "ON", "USING", "ORDER", "LIMIT", "INTO",
            "PARTITION", "WITH", "TABLE", "DEFAULT", "RETURNING", "AS", "IGNORE", "LOW_PRIORITY", "QUICK", "DELAYED",
            "HIGH_PRIORITY", "OR", "AND", "UNION", "DUPLICATE", "KEY", "UPDATE", "INSERT", "DELETE", "REPLACE", "ONLY",
            "LATERAL", "INDEXED", "NOT");

    /** Words that may stand before a parenthesis without being a function call. */
    private static final Set<String> PAREN_KEYWORDS = Set.of("VALUES", "VALUE", "IN", "EXISTS", "ANY", "SOME", "ALL",
            "AND", "OR", "NOT", "ON", "USING", "SET", "SELECT", "FROM", "JOIN", "WHERE", "AS", "WHEN", "THEN", "ELSE",
            "CASE", "BY", "HAVING", "LIMIT", "UNION", "INTERSECT", "EXCEPT", "INTO", "PARTITION", "OVER", "KEY",
            "IS", "LIKE", "BETWEEN", "UPDATE", "WITH", "LATERAL", "ROW", "INTERVAL", "DISTINCT", "RETURNING",
            "TABLE", "FILTER", "WITHIN", "UNIQUE", "PRIMARY", "CHECK", "REFERENCES", "ESCAPE", "IF", "AGAINST",
            "MATCH", "COLUMNS");

    /** The kind of write a statement's first keyword announces, as {@link #withoutModifiers} leaves it. */
    record Stripped(List<Token> statement, boolean replace) {
    }

    private WriteTargets() {
    }

    /** SQLite's conflict clauses: INSERT OR REPLACE, UPDATE OR IGNORE ... */
    private static final Set<String> SQLITE_CONFLICT = Set.of("REPLACE", "IGNORE", "ABORT", "FAIL", "ROLLBACK");

    /**
     * The statement without what jOOQ misreads or rejects after INSERT, REPLACE, UPDATE or DELETE, and with REPLACE
     * written INSERT. MySQL's modifiers ({@code INSERT IGNORE}, {@code UPDATE LOW_PRIORITY}, {@code DELETE QUICK}...),
     * which jOOQ reads as a table name ({@code UPDATE IGNORE t} would update a table "ignore"); SQLite's conflict
     * clause ({@code INSERT OR REPLACE}, {@code UPDATE OR IGNORE}). None of them changes which tables are written;
     * {@link Stripped#replace} tells the caller that the statement may delete conflicting rows.
     */
    static Stripped withoutModifiers(List<Token> st, DatabaseFamily family) {
        if (st.isEmpty() || st.get(0).type() != Type.WORD || !(family.isMySqlLike() || family == DatabaseFamily.SQLITE)) {
            return new Stripped(st, false);
        }
        String first = st.get(0).upper();
        boolean replace = first.equals("REPLACE");
        int i = 1;
        if (family.isMySqlLike()) {
            Set<String> modifiers = switch (first) {
                case "INSERT" -> INSERT_MODIFIERS;
                case "REPLACE" -> REPLACE_MODIFIERS;
                case "UPDATE" -> UPDATE_MODIFIERS;
                case "DELETE" -> DELETE_MODIFIERS;
                default -> Set.of();
            };
            while (i < st.size() && st.get(i).type() == Type.WORD && modifiers.contains(st.get(i).upper())) {
                i++;
            }
        } else if ((first.equals("INSERT") || first.equals("UPDATE")) && st.size() > 2 && st.get(1).isWord("OR")
                && st.get(2).type() == Type.WORD && SQLITE_CONFLICT.contains(st.get(2).upper())) {
            replace = st.get(2).isWord("REPLACE");
            i = 3;
        }
        if (i == 1 && !replace) {
            return new Stripped(st, false);
        }
        List<Token> out = new ArrayList<>(st.size() - i + 1);
        Token head = st.get(0);
        out.add(first.equals("REPLACE") ? new Token(Type.WORD, "insert", head.gapBefore(), head.start()) : head);
        out.addAll(st.subList(i, st.size()));
        return new Stripped(List.copyOf(out), replace);
    }

    /**
     * The one table a write changes, when its shape leaves no doubt.
     *
     * @param st a statement as {@link #withoutModifiers} leaves it (REPLACE written INSERT)
     * @return the table, lower case and qualified as written, or null
     */
    static String singleTarget(List<Token> st) {
        if (st.isEmpty() || callsUnknownFunction(st)) {
            return null;
        }
        if (st.get(0).isWord("INSERT")) {
            int i = st.size() > 1 && st.get(1).isWord("INTO") ? 2 : 1;
            Name name = name(st, i);
            if (name == null) {
                return null;
            }
            Token next = at(st, name.end);
            return next == null || next.isSymbol('(') || (next.type() == Type.WORD && AFTER_INSERT_TARGET.contains(next.upper()))
                    ? name.text : null;
        }
        if (st.get(0).isWord("UPDATE")) {
            Name name = name(st, 1);
            if (name == null) {
                return null;
            }
            int i = skipAlias(st, name.end);
            return at(st, i) != null && at(st, i).isWord("SET") ? name.text : null;
        }
        if (st.get(0).isWord("DELETE") && at(st, 1) != null && at(st, 1).isWord("FROM")) {
            Name name = name(st, 2);
            if (name == null) {
                return null;
            }
            int i = skipAlias(st, name.end);
            Token next = at(st, i);
            return next == null || (next.type() == Type.WORD && AFTER_DELETE_TARGET.contains(next.upper())) ? name.text : null;
        }
        return null;
    }

    /**
     * The table references of a multi-table UPDATE or DELETE, which hold every table it may change:
     * {@code UPDATE <refs> SET}, {@code DELETE <targets> FROM <refs> [WHERE ...]},
     * {@code DELETE FROM <targets> USING <refs> [WHERE ...]}.
     *
     * @return the tokens of the references, or null when the statement is not one of these shapes
     */
    static List<Token> multiTableReferences(List<Token> st) {
        if (st.isEmpty() || callsUnknownFunction(st)) {
            return null;
        }
        if (st.get(0).isWord("UPDATE")) {
            int set = topLevelWord(st, 1, "SET");
            return set > 1 ? st.subList(1, set) : null;
        }
        if (!st.get(0).isWord("DELETE")) {
            return null;
        }
        int from = topLevelWord(st, 1, "FROM");
        if (from < 0) {
            return null;
        }
        int start = from + 1;
        if (from == 1) {
            int using = topLevelWord(st, 2, "USING");
            if (using < 0) {
                return null;
            }
            start = using + 1;
        }
        int end = st.size();
        for (String word : List.of("WHERE", "ORDER", "LIMIT", "RETURNING")) {
            int at = topLevelWord(st, start, word);
            if (at >= 0 && at < end) {
                end = at;
            }
        }
        return end > start ? st.subList(start, end) : null;
    }

    /** A table name at i: a word or quoted identifier, optionally qualified with dots. */
    private record Name(String text, int end) {
    }

    private static Name name(List<Token> st, int i) {
        StringBuilder text = new StringBuilder();
        while (true) {
            Token t = at(st, i);
            if (t == null) {
                return null;
            }
            if (t.type() == Type.WORD && !RESERVED.contains(t.upper()) && !t.text().startsWith("@")) {
                text.append(t.text().toLowerCase(Locale.ROOT));
            } else if (t.type() == Type.QUOTED_IDENTIFIER && t.text().length() > 2 && t.text().indexOf('\\') < 0) {
                char quote = t.text().charAt(0);
                String inner = t.text().substring(1, t.text().length() - 1)
                        .replace(String.valueOf(quote) + quote, String.valueOf(quote));
                text.append(inner.toLowerCase(Locale.ROOT));
            } else {
                return null;
            }
            i++;
            Token dot = at(st, i);
            if (dot == null || !dot.isSymbol('.')) {
                return new Name(text.toString(), i);
            }
            text.append('.');
            i++;
        }
    }

    /** Past an optional {@code [AS] alias}. */
    private static int skipAlias(List<Token> st, int i) {
        Token t = at(st, i);
        if (t != null && t.isWord("AS")) {
            i++;
            t = at(st, i);
        }
        if (t != null && (t.type() == Type.QUOTED_IDENTIFIER || (t.type() == Type.WORD && !RESERVED.contains(t.upper())))) {
            i++;
        }
        return i;
    }

    /** The index of a word outside parentheses, from {@code from}; -1 if absent. */
    private static int topLevelWord(List<Token> st, int from, String word) {
        int depth = 0;
        for (int i = from; i < st.size(); i++) {
            Token t = st.get(i);
            if (t.isSymbol('(')) {
                depth++;
            } else if (t.isSymbol(')')) {
                depth--;
            } else if (depth == 0 && t.isWord(word)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Whether a word followed by a parenthesis may be a function other than a known built-in. A table name followed
     * by its column list counts too, which only costs the fallback, never correctness.
     */
    static boolean callsUnknownFunction(List<Token> st) {
        for (int i = 0; i + 1 < st.size(); i++) {
            Token t = st.get(i);
            if (t.type() == Type.QUOTED_IDENTIFIER && st.get(i + 1).isSymbol('(')) {
                return true;
            }
            if (t.type() != Type.WORD || !st.get(i + 1).isSymbol('(')) {
                continue;
            }
            String upper = t.upper();
            if (PAREN_KEYWORDS.contains(upper) || FunctionPolicy.isKnownBuiltIn(upper.toLowerCase(Locale.ROOT))) {
                continue;
            }
            if (isTargetBeforeColumns(st, i)) {
                continue;
            }
            return true;
        }
        return false;
    }

    /** {@code INSERT [INTO] t (} or {@code INSERT INTO db.t (}: the target's column list, not a call. */
    private static boolean isTargetBeforeColumns(List<Token> st, int i) {
        int start = st.get(0).isWord("INSERT") ? (st.size() > 1 && st.get(1).isWord("INTO") ? 2 : 1) : -1;
        if (start < 0) {
            return false;
        }
        Name name = name(st, start);
        return name != null && name.end == i + 1;
    }

    private static Token at(List<Token> st, int i) {
        return i < st.size() ? st.get(i) : null;
    }
}
