package dev.sqlcache.internal.config;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * How long a near cache may go on serving a table after another JVM's write to it: {@code sqlcache.tableNearCache}
 * ({@code countries=5s,products=500ms}, by unqualified lower-case name) over {@code sqlcache.nearCache.maxStaleness}
 * (every other table); 0, the default, is strict. Never after this JVM's own write.
 */
public final class NearStaleness {

    private static final NearStaleness STRICT = new NearStaleness(Map.of(), 0);
    private final Map<String, Long> millisByTable;
    private final long defaultMillis;

    private NearStaleness(Map<String, Long> millisByTable, long defaultMillis) {
        this.millisByTable = Map.copyOf(millisByTable);
        this.defaultMillis = defaultMillis;
    }

    public static NearStaleness strict() {
        return STRICT;
    }

    /** Parses the per-table setting; each bad pair is reported as a problem naming {@code origin}. */
    static NearStaleness parse(String tables, String origin, long defaultMillis, List<String> problems) {
        Map<String, Long> out = TableDurations.parse(tables, origin, problems, NearStaleness::baseName, "staleness",
                ValueParsers::parseDurationOrZeroMillis);
        return out.isEmpty() && defaultMillis == 0 ? STRICT : new NearStaleness(out, defaultMillis);
    }

    /** How long a copy reading this table (its unqualified name) may outlive another JVM's write; 0: strict. */
    public long millisFor(String table) {
        Long millis = millisByTable.get(baseName(table));
        return millis != null ? millis : defaultMillis;
    }

    /** Whether every table is strict (the default): notices are then handled without looking at their tables. */
    public boolean strictEverywhere() {
        return this == STRICT;
    }

    private static String baseName(String table) {
        String name = table.trim().toLowerCase(Locale.ROOT);
        return name.substring(name.lastIndexOf('.') + 1);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof NearStaleness that && defaultMillis == that.defaultMillis
                && millisByTable.equals(that.millisByTable);
    }

    @Override
    public int hashCode() {
        return millisByTable.hashCode() * 31 + Long.hashCode(defaultMillis);
    }

    @Override
    public String toString() {
        return millisByTable.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> e.getKey() + "=" + e.getValue() + "ms").collect(Collectors.joining(",", "{", "}"))
                + (defaultMillis == 0 ? "" : " else " + defaultMillis + "ms");
    }
}
