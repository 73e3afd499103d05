package dev.sqlcache.internal.engine;

import dev.sqlcache.internal.key.BoundParameters;

import java.util.List;

/**
 * One execution as the application asked for it: what to run and the statement settings that shape its result.
 * Immutable; the JDBC wrappers build one per execute call and hand it to the {@link CacheSession}.
 *
 * @param kind         which path the engine takes
 * @param plans        the statement's plan; for a batch, every batched plan (possibly none)
 * @param parameters   bound values of a prepared statement, or {@code null} for a plain statement
 * @param maxRows      the statement's {@code maxRows}: part of what a result is
 * @param maxFieldSize the statement's {@code maxFieldSize}: likewise
 * @param readOnly     whether the statement's result sets are read-only (an updatable one is never cached)
 */
public record Execution(Kind kind, List<QueryPlan> plans, BoundParameters parameters, long maxRows,
                        int maxFieldSize, boolean readOnly) {

    /** The paths an execution can take. */
    public enum Kind {
        /** A query whose result may come from the cache: {@code executeQuery}, or {@code execute} of a SELECT. */
        QUERY,
        /** Any other statement, run on the database, invalidating what it may write. */
        STATEMENT,
        /** A batch: every batched statement's writes are leased before it runs and invalidated after. */
        BATCH,
        /** A stored procedure call that may return results ({@code CallableStatement.execute/executeQuery}). */
        CALL,
        /** A stored procedure call run for its update count. */
        CALL_UPDATE
    }

    public static Execution query(QueryPlan plan, BoundParameters parameters, long maxRows, int maxFieldSize,
                                  boolean readOnly) {
        return new Execution(Kind.QUERY, plan.alone(), parameters, maxRows, maxFieldSize, readOnly);
    }

    public static Execution statement(QueryPlan plan) {
        return statement(plan, null);
    }

    /** @param parameters a prepared statement's bound values: a write pinned by key names its rows with them */
    public static Execution statement(QueryPlan plan, BoundParameters parameters) {
        return new Execution(Kind.STATEMENT, plan.alone(), parameters, 0, 0, true);
    }

    public static Execution batch(List<QueryPlan> plans) {
        return new Execution(Kind.BATCH, List.copyOf(plans), null, 0, 0, true);
    }

    /** @param results whether the call may return results (execute, executeQuery) rather than a count */
    public static Execution call(QueryPlan plan, boolean results) {
        return new Execution(results ? Kind.CALL : Kind.CALL_UPDATE, plan.alone(), null, 0, 0, true);
    }

    /** The one plan of anything but a batch. */
    public QueryPlan plan() {
        return plans.get(0);
    }
}
