package dev.sqlcache.internal.admin;

import dev.sqlcache.internal.engine.CacheEngine;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The key layout the engine writes, read back: {@code sql:<table>:data:<32 hex>},
 * {@code sql:<table>:version:<database hash>} and {@code sql:_database:version:<database hash>}.
 */
final class SqlCacheKeys {

    static final String PREFIX = "sql:";
    static final String DATABASE_TABLE = "_database";
    private static final Pattern HASH = Pattern.compile("[0-9a-f]{32}");

    enum Kind { ENTRY, TABLE_VERSION, DATABASE_VERSION, OTHER }

    /** One parsed key: its kind, table part and hash. */
    record Parsed(Kind kind, String table, String hash) {
    }

    private SqlCacheKeys() {
    }

    static Parsed parse(String key) {
        if (!key.startsWith(PREFIX)) {
            return new Parsed(Kind.OTHER, null, null);
        }
        String rest = key.substring(PREFIX.length());
        // The table part may contain ':' (a quoted name), so take the kind and hash from the right.
        int lastColon = rest.lastIndexOf(':');
        int kindColon = lastColon <= 0 ? -1 : rest.lastIndexOf(':', lastColon - 1);
        if (kindColon <= 0) {
            return new Parsed(Kind.OTHER, null, null);
        }
        String table = rest.substring(0, kindColon);
        String kind = rest.substring(kindColon + 1, lastColon);
        String hash = rest.substring(lastColon + 1);
        if (!HASH.matcher(hash).matches()) {
            return new Parsed(Kind.OTHER, null, null);
        }
        if (kind.equals("data")) {
            return new Parsed(Kind.ENTRY, table, hash);
        }
        if (kind.equals("version")) {
            return new Parsed(table.equals(DATABASE_TABLE) ? Kind.DATABASE_VERSION : Kind.TABLE_VERSION, table, hash);
        }
        return new Parsed(Kind.OTHER, null, null);
    }

    /** As the SQL parser reports a table: unquoted, lower case, qualification kept. */
    static String tableAsWritten(String table) {
        return table.strip().replace("\"", "").replace("`", "").replace("[", "").replace("]", "")
                .toLowerCase(Locale.ROOT);
    }

    /** The name in a table's version key: unqualified, lower case, as {@link CacheEngine#baseName}. */
    static String versionName(String table) {
        return CacheEngine.baseName(tableAsWritten(table));
    }

    static String tableVersionKey(String table, String databaseHash) {
        return PREFIX + versionName(table) + ":version:" + databaseHash;
    }

    /** Every token a table-level write through the driver bumps: the table's, its rows' and its inserts'. */
    static java.util.List<String> tableKeys(String table, String databaseHash) {
        String key = tableVersionKey(table, databaseHash);
        return java.util.List.of(key, key + dev.sqlcache.internal.key.CacheKeyBuilder.ROWS_SUFFIX,
                key + dev.sqlcache.internal.key.CacheKeyBuilder.INSERTS_SUFFIX);
    }

    static String databaseVersionKey(String databaseHash) {
        return PREFIX + DATABASE_TABLE + ":version:" + databaseHash;
    }

    /** A literal for a Redis glob: {@code * ? [ ] \} escaped. */
    static String globLiteral(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
                sb.append('\\');
            }
            sb.append(c);
        }
        return sb.toString();
    }
}
