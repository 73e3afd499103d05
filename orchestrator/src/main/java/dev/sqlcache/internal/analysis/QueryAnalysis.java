package dev.sqlcache.internal.analysis;

import dev.sqlcache.stats.BypassReason;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What the driver needs to know about one SQL text, computed once and cached per text.
 *
 * <p>Table names are lower case and keep the qualification the SQL gave them ({@code orders},
 * {@code public.orders}, {@code "Order Items"} becomes {@code order items}). Sets are sorted and immutable.
 *
 * @param kind                 what the statement does
 * @param tablesRead           every table the statement reads (joins, subqueries, CTE bodies, views as named)
 * @param tablesWritten        every table the statement changes; empty for reads
 * @param writesUnknownTables  true when the statement may write but its tables cannot be determined; the
 *                             engine then invalidates everything cached for the database
 * @param bypassReason         why a read is not cacheable, or {@code null} when it is
 * @param normalizedSql        canonical text used in the cache key, or {@code null} when unparseable
 * @param transactionControl   the transaction-control statement, or {@code null}
 * @param createsTemporaryTable true for CREATE TEMPORARY/GLOBAL TEMPORARY/LOCAL TEMPORARY TABLE
 * @param routine              for a CALL, the lower-case name of the procedure called (as written, maybe qualified),
 *                             so that configuration can declare what it writes; otherwise null
 * @param keyPins              candidate key pins per table, keyed by the table's name as {@code tablesRead} (for a
 *                             cacheable SELECT) or {@code tablesWritten} (for a write) spell it. A {@link ColumnPin}
 *                             says that every row of that table the statement reads or writes has one of the pin's
 *                             values in that column; the pins of one table hold together. The analysis does not know
 *                             primary keys: a table's pins are usable only when they cover its whole key. Reported:
 *                             for a cacheable SELECT, the tables of every query block whose WHERE pins them; for an
 *                             UPDATE or DELETE with a single target (no {@code FROM}/{@code USING}/join), the target,
 *                             pinned by its WHERE; for an INSERT ... VALUES with a column list, the target, pinned by
 *                             the values each column receives. Never for a table named twice in the statement, named
 *                             like a CTE, or when binds cannot be numbered exactly. The engine still has to check: the
 *                             value types it trusts for a key column (a database converts a string compared with a
 *                             number column; collations make 'a' = 'A'); a bind value that is null or not scalar;
 *                             views (a view name reads other tables); INSERT values a database replaces (MySQL and
 *                             MariaDB generate an AUTO_INCREMENT key for 0 and NULL); {@link #assignedColumns} and
 *                             {@link #upsert}. Empty for everything else.
 * @param assignedColumns      lower-case unqualified names of the columns an UPDATE's SET, or an upsert's update
 *                             part, assigns; empty otherwise
 * @param upsert               INSERT ... ON CONFLICT / ON DUPLICATE KEY UPDATE, REPLACE, MERGE: the statement may
 *                             change rows other than those its values name
 * @param tableControl         MySQL and MariaDB: LOCK / UNLOCK / ANALYZE TABLE and its kin, told by the first
 *                             statement's first words (comments dropped); {@link TableControl#NONE} otherwise
 */
public record QueryAnalysis(StatementKind kind,
                            Set<String> tablesRead,
                            Set<String> tablesWritten,
                            boolean writesUnknownTables,
                            BypassReason bypassReason,
                            String normalizedSql,
                            TransactionControl transactionControl,
                            boolean createsTemporaryTable,
                            String routine,
                            Map<String, List<ColumnPin>> keyPins,
                            Set<String> assignedColumns,
                            boolean upsert,
                            TableControl tableControl) {

    public QueryAnalysis {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(tableControl, "tableControl");
        tablesRead = Set.copyOf(tablesRead);
        tablesWritten = Set.copyOf(tablesWritten);
        keyPins = copy(keyPins);
        assignedColumns = Set.copyOf(assignedColumns);
        if (bypassReason == null && (kind != StatementKind.SELECT || normalizedSql == null || tablesRead.isEmpty())) {
            throw new IllegalArgumentException("only a SELECT with tables and a normalized text can be cacheable");
        }
    }

    /** An analysis of a statement that controls no tables. */
    public QueryAnalysis(StatementKind kind, Set<String> tablesRead, Set<String> tablesWritten,
                         boolean writesUnknownTables, BypassReason bypassReason, String normalizedSql,
                         TransactionControl transactionControl, boolean createsTemporaryTable, String routine,
                         Map<String, List<ColumnPin>> keyPins, Set<String> assignedColumns, boolean upsert) {
        this(kind, tablesRead, tablesWritten, writesUnknownTables, bypassReason, normalizedSql, transactionControl,
                createsTemporaryTable, routine, keyPins, assignedColumns, upsert, TableControl.NONE);
    }

    /** An analysis without key pins. */
    public QueryAnalysis(StatementKind kind, Set<String> tablesRead, Set<String> tablesWritten,
                         boolean writesUnknownTables, BypassReason bypassReason, String normalizedSql,
                         TransactionControl transactionControl, boolean createsTemporaryTable, String routine) {
        this(kind, tablesRead, tablesWritten, writesUnknownTables, bypassReason, normalizedSql, transactionControl,
                createsTemporaryTable, routine, Map.of(), Set.of(), false);
    }

    /** An analysis of anything but a procedure call, without key pins. */
    public QueryAnalysis(StatementKind kind, Set<String> tablesRead, Set<String> tablesWritten,
                         boolean writesUnknownTables, BypassReason bypassReason, String normalizedSql,
                         TransactionControl transactionControl, boolean createsTemporaryTable) {
        this(kind, tablesRead, tablesWritten, writesUnknownTables, bypassReason, normalizedSql, transactionControl,
                createsTemporaryTable, null);
    }

    private static Map<String, List<ColumnPin>> copy(Map<String, List<ColumnPin>> pins) {
        if (pins.isEmpty()) {
            return Map.of();
        }
        Map<String, List<ColumnPin>> copy = new java.util.HashMap<>();
        pins.forEach((table, columns) -> copy.put(table, List.copyOf(columns)));
        return Map.copyOf(copy);
    }

    /** The same analysis with key pins and the shape of its write. */
    QueryAnalysis with(Map<String, List<ColumnPin>> pins, WriteShape shape) {
        return new QueryAnalysis(kind, tablesRead, tablesWritten, writesUnknownTables, bypassReason, normalizedSql,
                transactionControl, createsTemporaryTable, routine, pins, shape.assignedColumns(), shape.upsert(),
                tableControl);
    }

    /** The same analysis of a text whose first words control tables ({@link TableControl}). */
    QueryAnalysis with(TableControl control) {
        return control == tableControl ? this : new QueryAnalysis(kind, tablesRead, tablesWritten, writesUnknownTables,
                bypassReason, normalizedSql, transactionControl, createsTemporaryTable, routine, keyPins,
                assignedColumns, upsert, control);
    }

    /** Whether the result of this statement may be served from, and stored in, the cache. */
    public boolean cacheable() {
        return bypassReason == null;
    }

    /** The table used in the key's {@code sql:<table>:} prefix: the first table read, in sorted order. */
    public String keyTable() {
        return tablesRead.stream().sorted().findFirst().orElse("_");
    }
}
