package dev.sqlcache.internal.feed;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads the text lines of PostgreSQL's {@code test_decoding} output plugin (options {@code include-xids=0},
 * {@code skip-empty-xacts=1}): {@code BEGIN}, {@code COMMIT}, {@code table public.t: UPDATE: ...},
 * {@code table public.a, public.b: TRUNCATE: ...} and {@code message: transactional: 1 prefix: p, sz: 3 content:x}.
 * Names come quoted as {@code quote_identifier} quotes them ({@code "Order Items"}, {@code "a""b"}); they are
 * returned unquoted, exactly as the catalog holds them. Of an UPDATE and a DELETE the columns are read too
 * ({@code id[integer]:1 v[text]:'it''s'}), so that the feed can invalidate the row by its primary key; they are the
 * application's data, hashed into version keys and never logged. A row line whose columns do not have the expected
 * shape names only its table.
 */
final class TestDecodingReader {

    private static final String TABLE = "table ";
    private static final String MESSAGE = "message: transactional: ";

    DecodedLine read(String line) {
        if (line.equals("BEGIN") || line.startsWith("BEGIN ")) {
            return new DecodedLine.Begin();
        }
        if (line.equals("COMMIT") || line.startsWith("COMMIT ")) {
            return new DecodedLine.Commit();
        }
        if (line.startsWith(TABLE)) {
            int[] at = {TABLE.length()};
            List<String> tables = tables(line, at);
            if (tables == null) {
                return new DecodedLine.Unknown(line);
            }
            return tables.size() == 1 ? row(tables.get(0), line, at[0]) : new DecodedLine.Change(tables);
        }
        if (line.startsWith(MESSAGE)) {
            DecodedLine.Message message = message(line);
            return message == null ? new DecodedLine.Unknown(line) : message;
        }
        return new DecodedLine.Unknown(line);
    }

    /**
     * The tables of a change line, or null when the line does not have the expected shape; leaves {@code at[0]} at
     * the {@code ": "} after them.
     */
    private static List<String> tables(String line, int[] at) {
        List<String> tables = new ArrayList<>();
        while (true) {
            String schema = identifier(line, at, ".,:", false);
            if (schema == null || at[0] >= line.length() || line.charAt(at[0]) != '.') {
                return null;
            }
            at[0]++;
            String name = identifier(line, at, ".,:", false);
            if (name == null) {
                return null;
            }
            tables.add(schema + "." + name);
            if (line.startsWith(": ", at[0])) {
                return tables;
            }
            if (!line.startsWith(", ", at[0])) {
                return null;
            }
            at[0] += 2;
        }
    }

    /**
     * A double-quoted identifier starting at {@code start}, as {@code quote_identifier} prints it: appends it
     * unquoted to {@code name} and returns the index after its closing quote, or -1 when it has none.
     */
    private static int quoted(String line, int start, StringBuilder name) {
        int i = start + 1;
        while (i < line.length()) {
            char c = line.charAt(i);
            if (c == '"') {
                if (i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    name.append('"');
                    i += 2;
                    continue;
                }
                return i + 1;
            }
            name.append(c);
            i++;
        }
        return -1;
    }

    /**
     * One identifier at {@code at[0]}, as {@code quote_identifier} prints it, unquoted; moves {@code at[0]} past it.
     * A bare one ends at any of {@code stops}; with {@code bareOnly} it may hold only what {@code quote_identifier}
     * leaves bare ({@code [a-z0-9_]}). Null when empty or malformed.
     */
    static String identifier(String line, int[] at, String stops, boolean bareOnly) {
        int i = at[0];
        if (i >= line.length()) {
            return null;
        }
        StringBuilder name = new StringBuilder();
        if (line.charAt(i) == '"') {
            i = quoted(line, i, name);
            if (i < 0) {
                return null;
            }
        } else {
            while (i < line.length() && stops.indexOf(line.charAt(i)) < 0) {
                char c = line.charAt(i);
                if (bareOnly && !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_')) {
                    return null;
                }
                name.append(c);
                i++;
            }
        }
        at[0] = i;
        return name.length() == 0 ? null : name.toString();
    }

    /**
     * A change of one table, from the {@code ": "} after its name: {@code INSERT:}, {@code UPDATE:} with the new
     * row (after {@code old-key: ... new-tuple:} when the old key is shown), {@code DELETE:} with the old key.
     */
    private static DecodedLine row(String table, String line, int at) {
        if (line.startsWith(": INSERT:", at)) {
            return new DecodedLine.Insert(table);
        }
        DecodedLine.Change wholeTable = new DecodedLine.Change(List.of(table));
        if (line.startsWith(": UPDATE:", at)) {
            int[] position = {at + ": UPDATE:".length()};
            List<DecodedLine.Column> oldKey = null;
            if (line.startsWith(" old-key:", position[0])) {
                position[0] += " old-key:".length();
                oldKey = TupleColumns.read(line, position, " new-tuple:");
                if (oldKey == null || !line.startsWith(" new-tuple:", position[0])) {
                    return wholeTable;
                }
                position[0] += " new-tuple:".length();
            }
            List<DecodedLine.Column> newTuple = TupleColumns.read(line, position, null);
            return newTuple == null || position[0] != line.length() ? wholeTable
                    : new DecodedLine.RowChange(table, oldKey, newTuple);
        }
        if (line.startsWith(": DELETE:", at)) {
            int[] position = {at + ": DELETE:".length()};
            List<DecodedLine.Column> oldKey = TupleColumns.read(line, position, null);
            return oldKey == null || position[0] != line.length() ? wholeTable
                    : new DecodedLine.RowChange(table, oldKey, null);
        }
        // TRUNCATE of one table, or an operation this reader does not know: the table as a whole.
        return wholeTable;
    }

    /** {@code message: transactional: 1 prefix: <prefix>, sz: <n> content:<content>} */
    private static DecodedLine.Message message(String line) {
        int at = MESSAGE.length();
        if (at >= line.length()) {
            return null;
        }
        boolean transactional = line.charAt(at) == '1';
        int prefixStart = line.indexOf(" prefix: ", at);
        int size = line.indexOf(", sz: ", prefixStart < 0 ? at : prefixStart);
        int content = line.indexOf(" content:", size < 0 ? at : size);
        if (prefixStart < 0 || size < 0 || content < 0) {
            return null;
        }
        return new DecodedLine.Message(transactional, line.substring(prefixStart + " prefix: ".length(), size),
                line.substring(content + " content:".length()));
    }
}
