package dev.sqlcache.internal.analysis;

import dev.sqlcache.stats.BypassReason;

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
 */
public record QueryAnalysis(StatementKind kind,
                            Set<String> tablesRead,
                            Set<String> tablesWritten,
                            boolean writesUnknownTables,
                            BypassReason bypassReason,
                            String normalizedSql,
                            TransactionControl transactionControl,
                            boolean createsTemporaryTable,
                            String routine) {

    public QueryAnalysis {
        Objects.requireNonNull(kind, "kind");
        tablesRead = Set.copyOf(tablesRead);
        tablesWritten = Set.copyOf(tablesWritten);
        if (bypassReason == null && (kind != StatementKind.SELECT || normalizedSql == null || tablesRead.isEmpty())) {
            throw new IllegalArgumentException("only a SELECT with tables and a normalized text can be cacheable");
        }
    }

    /** An analysis of anything but a procedure call. */
    public QueryAnalysis(StatementKind kind, Set<String> tablesRead, Set<String> tablesWritten,
                         boolean writesUnknownTables, BypassReason bypassReason, String normalizedSql,
                         TransactionControl transactionControl, boolean createsTemporaryTable) {
        this(kind, tablesRead, tablesWritten, writesUnknownTables, bypassReason, normalizedSql, transactionControl,
                createsTemporaryTable, null);
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
