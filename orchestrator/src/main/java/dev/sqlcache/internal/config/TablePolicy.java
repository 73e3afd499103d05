package dev.sqlcache.internal.config;

import dev.sqlcache.internal.store.GlobPattern;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Tables pinned on or off ({@code sqlcache.tablePolicy=audit_log=off,countries=on,report_*=off}): an {@code off}
 * table's reads always go to the database, an {@code on} table is cached whatever the measurements say. Names are
 * compared lower-cased, qualified first, then by their unqualified name; glob patterns ({@code *}, {@code ?}) are
 * allowed. The first matching pair wins.
 */
public final class TablePolicy {

    /** What the configuration says about a table. */
    public enum Pin {
        ON, OFF, NONE
    }

    private record Rule(Pattern table, Pin pin, String text) {
    }

    private final List<Rule> rules;

    private TablePolicy(List<Rule> rules) {
        this.rules = List.copyOf(rules);
    }

    static TablePolicy none() {
        return new TablePolicy(List.of());
    }

    static TablePolicy parse(String text, String origin, List<String> problems) {
        List<Rule> rules = new ArrayList<>();
        for (String raw : text.split(",")) {
            String pair = raw.trim();
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.lastIndexOf('=');
            String table = eq < 0 ? "" : pair.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            String value = eq < 0 ? "" : pair.substring(eq + 1).trim().toLowerCase(Locale.ROOT);
            if (table.isEmpty() || !(value.equals("on") || value.equals("off"))) {
                problems.add(origin + ": \"" + pair + "\" is not a table=on or table=off pair");
                continue;
            }
            rules.add(new Rule(GlobPattern.compile(table), value.equals("on") ? Pin.ON : Pin.OFF, pair));
        }
        return new TablePolicy(rules);
    }

    /** Whether any rule pins tables off. */
    public boolean pinsAnyOff() {
        for (Rule rule : rules) {
            if (rule.pin() == Pin.OFF) {
                return true;
            }
        }
        return false;
    }

    /** The pin of a table (as the analysis names it: lower case, maybe qualified). */
    public Pin pin(String table) {
        if (rules.isEmpty()) {
            return Pin.NONE;
        }
        String name = table.toLowerCase(Locale.ROOT);
        int dot = name.lastIndexOf('.');
        String base = dot < 0 ? name : name.substring(dot + 1);
        for (Rule rule : rules) {
            if (rule.table().matcher(name).matches() || rule.table().matcher(base).matches()) {
                return rule.pin();
            }
        }
        return Pin.NONE;
    }

    @Override
    public String toString() {
        return String.join(",", rules.stream().map(Rule::text).toList());
    }
}
