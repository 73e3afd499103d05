package dev.sqlcache.internal.analysis;

import dev.sqlcache.stats.BypassReason;

import java.util.Set;

/** Factories for the analyses that need no parse tree. */
final class Analyses {

    /** What is known about a blank text or one without any statement. */
    static final QueryAnalysis EMPTY = new QueryAnalysis(StatementKind.UNKNOWN, Set.of(), Set.of(), false,
            BypassReason.UNPARSEABLE, null, null, false);

    private Analyses() {
    }

    static QueryAnalysis unparseable(boolean mayWrite) {
        return new QueryAnalysis(StatementKind.UNKNOWN, Set.of(), Set.of(), mayWrite, BypassReason.UNPARSEABLE, null, null, false);
    }

    /** A statement whose kind the leading keywords tell but whose tables nobody can know. */
    static QueryAnalysis unknownTables(StatementKind kind, boolean createsTemporaryTable) {
        return new QueryAnalysis(kind, Set.of(), Set.of(), true, BypassReason.NOT_A_READ, null, null, createsTemporaryTable);
    }

    static QueryAnalysis call(String routine) {
        return new QueryAnalysis(StatementKind.CALL, Set.of(), Set.of(), true, BypassReason.CALLABLE, null, null, false,
                routine);
    }

    static QueryAnalysis transaction(TransactionControl control) {
        return new QueryAnalysis(StatementKind.TRANSACTION_CONTROL, Set.of(), Set.of(), false, BypassReason.NOT_A_READ, null, control, false);
    }

    /** SESSION or OTHER: changes no table data. */
    static QueryAnalysis noData(StatementKind kind) {
        return new QueryAnalysis(kind, Set.of(), Set.of(), false, BypassReason.NOT_A_READ, null, null, false);
    }
}
