package dev.sqlcache.internal.analysis;

/**
 * MySQL and MariaDB statements that act on the session's hold of tables, outside the transaction model: they commit
 * the open transaction before they run ("Statements That Cause an Implicit Commit"), and LOCK TABLES holds its locks
 * across transactions. Told by the text's first words, comments dropped; {@link #NONE} on every other database.
 */
public enum TableControl {
    NONE,
    /** {@code LOCK ...} ({@code LOCK TABLES}, {@code LOCK TABLE}). */
    LOCK,
    /** {@code UNLOCK ...}: commits only while tables are locked. */
    UNLOCK,
    /** ANALYZE, CHECK, OPTIMIZE or REPAIR [NO_WRITE_TO_BINLOG | LOCAL] TABLE[S]. */
    MAINTENANCE;

    /** +1 for LOCK, -1 for UNLOCK, else 0: the change to the session's table locks. */
    public int tableLocks() {
        return this == LOCK ? 1 : this == UNLOCK ? -1 : 0;
    }
}
