package dev.sqlcache.internal.engine;

import java.util.Set;

/**
 * What the database says about one table name.
 *
 * @param plainTable         a base table that exists: reads of it may be cached. False for views, materialized
 *                           views, temporary tables, and names the metadata does not show at all
 * @param hasTriggers        triggers may write other tables when it changes
 * @param cascadeDependents  unqualified lower-case names of the other tables whose reads a write to this one
 *                           changes: those ON DELETE / ON UPDATE CASCADE, SET NULL or SET DEFAULT foreign keys
 *                           change, and PostgreSQL inheritance or partition parents and children, transitively
 */
public record TableFacts(boolean plainTable, boolean hasTriggers, Set<String> cascadeDependents) {

    /** Nothing could be learned: not cacheable, and a write to it may change anything. */
    public static final TableFacts UNKNOWN = new TableFacts(false, true, Set.of());

    public TableFacts {
        cascadeDependents = Set.copyOf(cascadeDependents);
    }
}
