package dev.sqlcache.internal.feed;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads the columns test_decoding prints for a row: {@code  name[type]:value} repeated, each after one space. Names
 * are printed as {@code quote_identifier} prints them (unquoted only when made of {@code a-z}, digits and
 * {@code _}); types as {@code format_type_be} names them; values as the type's output, quoted with {@code ''} for a
 * quote unless the type is a number, a boolean or a bit string, or {@code null}, or {@code unchanged-toast-datum}.
 * Anything else makes the whole row unreadable (null): the feed then invalidates the table, never a guessed row.
 *
 * <p>Only columns that may name a row's key are kept: those of the types the feed trusts as key values, up to
 * {@link #MAX_KEPT_CHARS}. The rest are read past and dropped, so that the rows a batch holds stay small whatever
 * the table stores (a key column dropped for its length is then missing: the table is invalidated as a whole).
 */
final class TupleColumns {

    /** Longer values are not kept: no key-level invalidation is worth holding large values for. */
    static final int MAX_KEPT_CHARS = 1024;
    /** The types (as the plugin names them) whose values may name a key ({@link StreamedRowKey}). */
    private static final java.util.Set<String> KEY_TYPES = java.util.Set.of("smallint", "integer", "bigint", "text",
            "character varying", "uuid");

    private TupleColumns() {
    }

    private static void keep(List<DecodedLine.Column> columns, DecodedLine.Column column) {
        if (KEY_TYPES.contains(column.type()) && column.value().length() <= MAX_KEPT_CHARS) {
            columns.add(column);
        }
    }

    /**
     * The columns from {@code at[0]} up to the end of the line or to {@code stop}; moves {@code at[0]} there.
     *
     * @return the columns kept, or null when they do not have the expected shape (or there are none)
     */
    static List<DecodedLine.Column> read(String line, int[] at, String stop) {
        List<DecodedLine.Column> columns = new ArrayList<>();
        int read = 0;
        int i = at[0];
        while (i < line.length() && (stop == null || !line.startsWith(stop, i))) {
            if (line.charAt(i) != ' ') {
                return null;
            }
            i++;
            int[] position = {i};
            String name = TestDecodingReader.identifier(line, position, "[", true);
            i = position[0];
            if (name == null || i >= line.length() || line.charAt(i) != '[') {
                return null;
            }
            int typeEnd = line.indexOf("]:", i + 1);
            if (typeEnd < 0) {
                return null;
            }
            String type = line.substring(i + 1, typeEnd);
            if (type.isEmpty() || type.indexOf('"') >= 0) {
                // A quoted type name may hold "]:" itself: the columns cannot be told apart for sure.
                return null;
            }
            i = typeEnd + 2;
            if (i < line.length() && line.charAt(i) == '\'') {
                StringBuilder value = new StringBuilder();
                i++;
                while (true) {
                    if (i >= line.length()) {
                        return null;
                    }
                    char c = line.charAt(i);
                    if (c == '\'') {
                        if (i + 1 < line.length() && line.charAt(i + 1) == '\'') {
                            value.append('\'');
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    value.append(c);
                    i++;
                }
                keep(columns, new DecodedLine.Column(name, type, value.toString(), true));
            } else {
                int end = line.indexOf(' ', i);
                end = end < 0 ? line.length() : end;
                if (end == i) {
                    return null;
                }
                keep(columns, new DecodedLine.Column(name, type, line.substring(i, end), false));
                i = end;
            }
            if (i < line.length() && line.charAt(i) != ' ') {
                return null;
            }
            read++;
        }
        at[0] = i;
        return read == 0 ? null : columns;
    }
}
