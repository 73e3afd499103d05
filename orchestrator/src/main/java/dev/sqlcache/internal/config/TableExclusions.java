package dev.sqlcache.internal.config;

import dev.sqlcache.internal.store.GlobPattern;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Tables whose reads are never cached ({@code sqlcache.exclude=users,*_token*,billing.*}): data that must not leave
 * the database, such as passwords, tokens or personal data. Names are compared lower-cased, qualified and by their
 * unqualified name, so {@code users} excludes {@code users} in every schema; glob patterns ({@code *}, {@code ?},
 * {@code [abc]}) are allowed. Excluding too much only costs hits.
 */
public final class TableExclusions {

    private final List<Pattern> patterns;
    private final String text;

    private TableExclusions(List<Pattern> patterns, String text) {
        this.patterns = List.copyOf(patterns);
        this.text = text;
    }

    static TableExclusions none() {
        return new TableExclusions(List.of(), "");
    }

    static TableExclusions parse(String text, String origin, List<String> problems) {
        List<Pattern> patterns = new ArrayList<>();
        List<String> kept = new ArrayList<>();
        for (String raw : text.split(",")) {
            String table = raw.trim().toLowerCase(Locale.ROOT);
            if (table.isEmpty()) {
                continue;
            }
            if (table.contains("=")) {
                problems.add(origin + ": \"" + raw.trim() + "\" is not a table name or pattern");
                continue;
            }
            patterns.add(GlobPattern.compile(table));
            kept.add(table);
        }
        return new TableExclusions(patterns, String.join(",", kept));
    }

    /** Whether a table (as the analysis names it: lower case, maybe qualified) is excluded. */
    public boolean excludes(String table) {
        if (patterns.isEmpty()) {
            return false;
        }
        String name = table.toLowerCase(Locale.ROOT);
        int dot = name.lastIndexOf('.');
        String base = dot < 0 ? name : name.substring(dot + 1);
        for (Pattern pattern : patterns) {
            if (pattern.matcher(name).matches() || pattern.matcher(base).matches()) {
                return true;
            }
        }
        return false;
    }

    /** Whether any of these tables is excluded. */
    public boolean excludesAny(Iterable<String> tables) {
        for (String table : tables) {
            if (excludes(table)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return text;
    }
}
