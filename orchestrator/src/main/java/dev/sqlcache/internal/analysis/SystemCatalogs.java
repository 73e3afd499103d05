package dev.sqlcache.internal.analysis;

import java.util.Set;

/**
 * Recognises system catalog tables. Their content changes with DDL, grants and server state, none of which the
 * cache sees as a write to them, so queries on them are never cached.
 */
final class SystemCatalogs {

    private static final Set<String> CATALOG_SCHEMAS = Set.of("information_schema", "pg_catalog", "mysql", "performance_schema", "sys",
            // Derby's catalogs and system routines' schemas, HSQLDB's LOB store
            "sysibm", "syscs_util", "syscs_diag", "sysproc", "sysstat", "sysfun", "system_lobs");

    private SystemCatalogs() {
    }

    /** @param table a formatted table name: lower case, dot-separated parts */
    static boolean isSystemTable(String table) {
        String[] parts = table.split("\\.", -1);
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            if (part.startsWith("pg_")) {
                return true; // pg_class, pg_stat_activity, pg_toast.*, pg_temp ...
            }
            if (i == parts.length - 1 && (part.startsWith("sqlite_") || part.startsWith("pragma_"))) {
                // SQLite reserves sqlite_*: sqlite_schema changes with DDL, sqlite_sequence with every insert into
                // an AUTOINCREMENT table; pragma_* are the table-valued forms of PRAGMA.
                return true;
            }
            // a schema (or database) part, not the table name itself
            if (i < parts.length - 1 && CATALOG_SCHEMAS.contains(part)) {
                return true;
            }
        }
        return false;
    }
}
