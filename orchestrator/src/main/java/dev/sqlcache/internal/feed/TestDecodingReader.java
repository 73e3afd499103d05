package dev.sqlcache.internal.feed;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads the text lines of PostgreSQL's {@code test_decoding} output plugin (options {@code include-xids=0},
 * {@code skip-empty-xacts=1}): {@code BEGIN}, {@code COMMIT}, {@code table public.t: UPDATE: ...},
 * {@code table public.a, public.b: TRUNCATE: ...} and {@code message: transactional: 1 prefix: p, sz: 3 content:x}.
 * Names come quoted as {@code quote_identifier} quotes them ({@code "Order Items"}, {@code "a""b"}); they are
 * returned unquoted, exactly as the catalog holds them. Column values are never read: they are the application's
 * data and invalidation is by table.
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
            List<String> tables = tables(line);
            return tables == null ? new DecodedLine.Unknown(line) : new DecodedLine.Change(tables);
        }
        if (line.startsWith(MESSAGE)) {
            DecodedLine.Message message = message(line);
            return message == null ? new DecodedLine.Unknown(line) : message;
        }
        return new DecodedLine.Unknown(line);
    }

    /** The tables of a change line, or null when the line does not have the expected shape. */
    private static List<String> tables(String line) {
        List<String> tables = new ArrayList<>();
        int[] at = {TABLE.length()};
        while (true) {
            String schema = identifier(line, at);
            if (schema == null || at[0] >= line.length() || line.charAt(at[0]) != '.') {
                return null;
            }
            at[0]++;
            String name = identifier(line, at);
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

    /** One identifier at {@code at[0]}, quoted or not, unquoted; moves {@code at[0]} past it. */
    private static String identifier(String line, int[] at) {
        int i = at[0];
        if (i >= line.length()) {
            return null;
        }
        StringBuilder name = new StringBuilder();
        if (line.charAt(i) == '"') {
            i++;
            while (true) {
                if (i >= line.length()) {
                    return null;
                }
                char c = line.charAt(i);
                if (c == '"') {
                    if (i + 1 < line.length() && line.charAt(i + 1) == '"') {
                        name.append('"');
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                name.append(c);
                i++;
            }
        } else {
            while (i < line.length() && line.charAt(i) != '.' && line.charAt(i) != ',' && line.charAt(i) != ':') {
                name.append(line.charAt(i));
                i++;
            }
        }
        at[0] = i;
        return name.length() == 0 ? null : name.toString();
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
