package dev.sqlcache.internal.feed;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What transactions did to each table, as the stream showed it: changed as a whole (a TRUNCATE, a line whose rows
 * could not be read), rows inserted, or rows updated or deleted, each with the columns the stream printed. Past
 * {@link #MAX_ROWS} rows of one table the table counts as changed as a whole: memory and the bump stay bounded
 * whatever a transaction writes, and a bump of many row tokens costs more than the table's.
 */
final class ChangedTables {

    /** Rows kept per table; the engine narrows no write to more keys than this either. */
    static final int MAX_ROWS = 100;

    /** One table's changes. */
    static final class Changed {
        private boolean whole;
        private boolean inserted;
        private final List<DecodedLine.RowChange> rows = new ArrayList<>();

        /** Changed in a way that names no row (or too many rows). */
        boolean whole() {
            return whole;
        }

        boolean inserted() {
            return inserted;
        }

        /** The rows updated or deleted; empty when {@link #whole()}. */
        List<DecodedLine.RowChange> rows() {
            return Collections.unmodifiableList(rows);
        }

        private void makeWhole() {
            whole = true;
            rows.clear();
        }
    }

    private final Map<String, Changed> tables = new LinkedHashMap<>();

    void whole(String table) {
        changed(table).makeWhole();
    }

    void inserted(String table) {
        changed(table).inserted = true;
    }

    void row(DecodedLine.RowChange row) {
        Changed changed = changed(row.table());
        if (changed.whole) {
            return;
        }
        if (changed.rows.size() >= MAX_ROWS) {
            changed.makeWhole();
        } else {
            changed.rows.add(row);
        }
    }

    /** Adds another set of changes (a transaction's, at its commit). */
    void addAll(ChangedTables other) {
        other.tables.forEach((table, theirs) -> {
            if (theirs.whole) {
                whole(table);
            }
            if (theirs.inserted) {
                inserted(table);
            }
            for (DecodedLine.RowChange row : theirs.rows) {
                row(row);
            }
        });
    }

    private Changed changed(String table) {
        return tables.computeIfAbsent(table, t -> new Changed());
    }

    /** Every table changed, qualified as the stream names it. */
    Set<String> names() {
        return Collections.unmodifiableSet(tables.keySet());
    }

    /** The changes of each table. */
    Map<String, Changed> byTable() {
        return Collections.unmodifiableMap(tables);
    }

    boolean isEmpty() {
        return tables.isEmpty();
    }

    void clear() {
        tables.clear();
    }
}
