package dev.sqlcache.internal.engine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What committed writes made outside the driver changed, as a change feed read them, for
 * {@link CacheEngine#invalidateFromFeed(OutsideChanges)}: tables changed as a whole, tables rows were inserted into,
 * and rows updated or deleted, named by their primary key's values. Tables are named as the feed reads them
 * (qualified or not); values are the application's data, hashed into version keys and never logged.
 */
public final class OutsideChanges {

    /** One row named by its primary key: the key's columns in key order and the row's values of them. */
    record Row(List<TableFacts.KeyColumn> key, List<Object> values) {
        @Override
        public String toString() {
            return "row" + key;
        }
    }

    final Set<String> whole = new LinkedHashSet<>();
    final Set<String> inserted = new LinkedHashSet<>();
    final Map<String, List<Row>> rows = new LinkedHashMap<>();

    /** The table changed in a way that names no row: every token of it is bumped. */
    public OutsideChanges table(String table) {
        whole.add(table);
        return this;
    }

    /** Rows were inserted into the table: what a driver's insert bumps. */
    public OutsideChanges inserted(String table) {
        inserted.add(table);
        return this;
    }

    /**
     * A row of the table, whose key did not change, was updated or deleted: what a driver's write pinned to that
     * key bumps.
     *
     * @param key    the table's primary key columns in key order, typed as the engine's schema facts type them
     * @param values the row's values of those columns ({@link Long} or {@link java.math.BigInteger}, {@link String},
     *               {@link java.util.UUID}); a value the engine cannot name exactly makes the table whole
     */
    public OutsideChanges row(String table, List<TableFacts.KeyColumn> key, List<Object> values) {
        rows.computeIfAbsent(table, t -> new ArrayList<>()).add(new Row(List.copyOf(key), List.copyOf(values)));
        return this;
    }

    public boolean isEmpty() {
        return whole.isEmpty() && inserted.isEmpty() && rows.isEmpty();
    }
}
