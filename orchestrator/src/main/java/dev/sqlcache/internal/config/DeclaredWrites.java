package dev.sqlcache.internal.config;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What a trigger or a stored procedure writes, as the application declares it, from pairs separated by commas:
 * {@code name=table+table}, e.g. {@code orders=order_audit+order_totals,payments=ledger}. An empty right side
 * ({@code report=}) declares that it writes nothing. Without a declaration the driver assumes the worst (the whole
 * database); with one, only the declared tables are invalidated. Names are compared lower-cased; a qualified name
 * is looked up first, then its unqualified basename.
 */
public final class DeclaredWrites {

    private static final DeclaredWrites NONE = new DeclaredWrites(Map.of());

    private final Map<String, Set<String>> tablesByName;

    private DeclaredWrites(Map<String, Set<String>> tablesByName) {
        this.tablesByName = Map.copyOf(tablesByName);
    }

    static DeclaredWrites none() {
        return NONE;
    }

    /** Parses the setting; each bad pair is reported as a problem naming {@code origin}. */
    static DeclaredWrites parse(String text, String origin, List<String> problems) {
        Map<String, Set<String>> out = new HashMap<>();
        for (String rawPair : text.split(",")) {
            String pair = rawPair.trim();
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = eq < 0 ? "" : normalize(pair.substring(0, eq));
            if (eq < 0 || name.isEmpty()) {
                problems.add(origin + ": \"" + pair + "\" is not a name=table+table pair");
                continue;
            }
            Set<String> tables = Arrays.stream(pair.substring(eq + 1).split("\\+"))
                    .map(DeclaredWrites::normalize).filter(t -> !t.isEmpty()).collect(Collectors.toUnmodifiableSet());
            out.put(name, tables);
        }
        return new DeclaredWrites(out);
    }

    /** The tables declared for a trigger table or procedure name, or empty when nothing is declared. */
    public Optional<Set<String>> tablesFor(String name) {
        if (name == null || tablesByName.isEmpty()) {
            return Optional.empty();
        }
        String normalized = normalize(name);
        Set<String> exact = tablesByName.get(normalized);
        if (exact != null) {
            return Optional.of(exact);
        }
        int dot = normalized.lastIndexOf('.');
        return dot < 0 ? Optional.empty() : Optional.ofNullable(tablesByName.get(normalized.substring(dot + 1)));
    }

    private static String normalize(String name) {
        return name.trim().toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return tablesByName.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> e.getKey() + "=" + String.join("+", e.getValue().stream().sorted().toList()))
                .collect(Collectors.joining(","));
    }
}
