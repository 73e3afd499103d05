package dev.sqlcache.internal.engine;

import dev.sqlcache.internal.analysis.StatementKind;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the database says about one table name.
 *
 * @param plainTable       a base table that exists: reads of it may be cached. False for views, materialized
 *                         views, temporary tables, and names the metadata does not show at all
 * @param hasTriggers      triggers may write other tables when it changes
 * @param relatives        unqualified lower-case names of the tables whose reads any write to this one changes:
 *                         PostgreSQL inheritance or partition parents and children, transitively
 * @param deleteDependents the tables a delete from this one changes through ON DELETE CASCADE, SET NULL or SET
 *                         DEFAULT foreign keys, transitively
 * @param updateDependents per referenced column (lower case) of this table, the tables an update assigning it
 *                         changes through ON UPDATE actions, transitively
 * @param primaryKey       the primary key's columns in key order, or empty when there is none or the name is
 *                         ambiguous (then no read or write of it is key-level)
 */
public record TableFacts(boolean plainTable, boolean hasTriggers, Set<String> relatives,
                         Set<String> deleteDependents, Map<String, Set<String>> updateDependents,
                         List<KeyColumn> primaryKey) {

    /** Nothing could be learned: not cacheable, and a write to it may change anything. */
    public static final TableFacts UNKNOWN = new TableFacts(false, true, Set.of());

    /**
     * A column of a primary key.
     *
     * @param name     lower case
     * @param jdbcType its {@link java.sql.Types} code
     * @param typeName  the database's type name (lower case)
     * @param exactText for a text column, whether the database compares its values byte for byte, as
     *                  {@link ExactTextKeys} decides; a text column without it is never key-level
     */
    public record KeyColumn(String name, int jdbcType, String typeName, boolean exactText) {

        /** A column whose values are not text compared byte for byte (an integer, a uuid, or text not trusted). */
        public KeyColumn(String name, int jdbcType, String typeName) {
            this(name, jdbcType, typeName, false);
        }
    }

    public TableFacts {
        relatives = Set.copyOf(relatives);
        deleteDependents = Set.copyOf(deleteDependents);
        updateDependents = Map.copyOf(updateDependents);
        primaryKey = List.copyOf(primaryKey);
    }

    /** Facts where every write changes the given tables too, whatever it does; no primary key known. */
    public TableFacts(boolean plainTable, boolean hasTriggers, Set<String> changedByAnyWrite) {
        this(plainTable, hasTriggers, changedByAnyWrite, Set.of(), Map.of(), List.of());
    }

    /**
     * The other tables a statement of this kind changes when it writes this one: an UPDATE follows ON UPDATE
     * actions of the columns it assigns (all of them when {@code assigned} is null), a DELETE follows ON DELETE
     * actions, an INSERT none (an upsert updates), anything else both.
     */
    public Set<String> changedWith(StatementKind kind, Set<String> assigned, boolean upsert) {
        Set<String> changed = new HashSet<>(relatives);
        switch (kind) {
            case DELETE -> changed.addAll(deleteDependents);
            case UPDATE -> addUpdateDependents(changed, assigned);
            case INSERT -> {
                if (upsert) {
                    addUpdateDependents(changed, null);
                }
            }
            default -> {
                changed.addAll(deleteDependents);
                addUpdateDependents(changed, null);
            }
        }
        return changed;
    }

    private void addUpdateDependents(Set<String> changed, Set<String> assigned) {
        updateDependents.forEach((column, tables) -> {
            if (assigned == null || assigned.contains(column)) {
                changed.addAll(tables);
            }
        });
    }
}
