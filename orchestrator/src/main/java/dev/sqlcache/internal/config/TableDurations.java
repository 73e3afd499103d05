package dev.sqlcache.internal.config;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The one reader of {@code table=duration,...} settings: {@code sqlcache.tableTtl} and {@code sqlcache.tableNearCache}.
 */
final class TableDurations {

    /** A duration's parser; it throws {@link ValueParsers.BadValue} for a bad one. */
    interface Parser {
        long parse(String text) throws ValueParsers.BadValue;
    }

    private TableDurations() {
    }

    /**
     * Parses the pairs; each bad pair is reported as a problem naming {@code origin} and left out.
     *
     * @param name  turns a table as written into the map's key
     * @param what  what the duration is, for the message ("time to live", "staleness")
     */
    static Map<String, Long> parse(String text, String origin, List<String> problems, UnaryOperator<String> name,
                                   String what, Parser duration) {
        Map<String, Long> out = new HashMap<>();
        for (String rawPair : text == null ? new String[0] : text.split(",")) {
            String pair = rawPair.trim();
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String table = eq < 0 ? "" : name.apply(pair.substring(0, eq));
            if (eq < 0 || table.isEmpty()) {
                problems.add(origin + ": \"" + pair + "\" is not a table=duration pair");
                continue;
            }
            String value = pair.substring(eq + 1);
            try {
                out.put(table, duration.parse(value));
            } catch (ValueParsers.BadValue e) {
                problems.add(origin + ": the " + what + " \"" + value.trim() + "\" of table " + table + " "
                        + e.getMessage());
            }
        }
        return out;
    }
}
