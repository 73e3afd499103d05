package dev.sqlcache.internal.engine;

import java.util.Map;
import java.util.TreeMap;

/** Says in a log line what a statement depends on or invalidates, by table and kind of token. */
final class Explain {

    private Explain() {
    }

    /**
     * {@code [orders (table), pets (2 keys, rows, inserts), database, fence]} for a list of version keys: which
     * tables at table level and which by key, so a user can see at a glance why a query keeps missing.
     */
    static String dependencies(String[] versionKeys) {
        Map<String, int[]> byTable = new TreeMap<>();
        StringBuilder other = new StringBuilder();
        for (String key : versionKeys) {
            if (key.startsWith("sql:_database:")) {
                other.append(", database");
                continue;
            }
            if (key.startsWith("sql:_members")) {
                other.append(", fence");
                continue;
            }
            int version = key.indexOf(":version:");
            if (!key.startsWith("sql:") || version < 0) {
                other.append(", ").append(key);
                continue;
            }
            int[] counts = byTable.computeIfAbsent(key.substring(4, version), t -> new int[4]);
            if (key.contains(":k:")) {
                counts[1]++;
            } else if (key.endsWith(dev.sqlcache.internal.key.CacheKeyBuilder.ROWS_SUFFIX)) {
                counts[2]++;
            } else if (key.endsWith(dev.sqlcache.internal.key.CacheKeyBuilder.INSERTS_SUFFIX)) {
                counts[3]++;
            } else {
                counts[0]++;
            }
        }
        StringBuilder out = new StringBuilder("[");
        byTable.forEach((table, counts) -> {
            if (out.length() > 1) {
                out.append(", ");
            }
            out.append(table).append(" (");
            StringBuilder parts = new StringBuilder();
            if (counts[0] > 0) {
                parts.append("table");
            }
            if (counts[1] > 0) {
                parts.append(parts.length() > 0 ? ", " : "").append(counts[1]).append(counts[1] == 1 ? " key" : " keys");
            }
            if (counts[2] > 0) {
                parts.append(parts.length() > 0 ? ", " : "").append("rows");
            }
            if (counts[3] > 0) {
                parts.append(parts.length() > 0 ? ", " : "").append("inserts");
            }
            out.append(parts).append(')');
        });
        out.append(other.length() > 0 ? (out.length() > 1 ? other : other.substring(2)) : "");
        return out.append(']').toString();
    }
}
