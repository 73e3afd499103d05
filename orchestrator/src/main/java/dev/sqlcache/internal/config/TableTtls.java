package dev.sqlcache.internal.config;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Per-table times to live, from {@code table=duration} pairs separated by commas, e.g.
 * {@code orders=60,public.countries=1h}. Names are compared lower-cased; a qualified name is looked up first, then
 * its unqualified basename, so {@code countries=1h} also covers {@code public.countries}.
 */
final class TableTtls {

    private final Map<String, Long> secondsByTable;

    private TableTtls(Map<String, Long> secondsByTable) {
        this.secondsByTable = Map.copyOf(secondsByTable);
    }

    static TableTtls empty() {
        return new TableTtls(Map.of());
    }

    /** Parses the setting; each bad pair is reported as a problem naming {@code origin}. */
    static TableTtls parse(String text, String origin, List<String> problems) {
        Map<String, Long> out = TableDurations.parse(text, origin, problems, TableTtls::normalize, "time to live",
                ValueParsers::parseTtlSeconds);
        return new TableTtls(out);
    }

    /** The time to live of a table, or {@code fallback} when none is configured for it. */
    long secondsFor(String table, long fallback) {
        if (table == null || secondsByTable.isEmpty()) {
            return fallback;
        }
        String name = normalize(table);
        Long exact = secondsByTable.get(name);
        if (exact != null) {
            return exact;
        }
        int dot = name.lastIndexOf('.');
        if (dot >= 0) {
            Long base = secondsByTable.get(name.substring(dot + 1));
            if (base != null) {
                return base;
            }
        }
        return fallback;
    }

    private static String normalize(String table) {
        return table.trim().toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return secondsByTable.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> e.getKey() + "=" + e.getValue() + "s").collect(Collectors.joining(","));
    }
}
