package dev.sqlcache.internal.engine;

import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The seam between the JDBC wrappers and the engine, one per connection. The wrappers describe what happens — an
 * execution, a transaction event, a session change — and hand over the real driver's call; the engine decides
 * whether and when it runs, and everything around it (cache lookup, leases, invalidation, transaction and session
 * tracking) in one place, so that no kind of statement can take the steps in another order. The wrappers keep only
 * JDBC mechanics. Not thread-safe, like a connection.
 */
public interface CacheSession {

    /** The plan for a SQL text: analysed on first sight, then shared by every connection to the database. */
    QueryPlan plan(String sql);

    /**
     * A query ({@link Execution.Kind#QUERY}): answered from the cache, or run through {@code query} and maybe
     * copied for the cache.
     */
    QueryOutcome query(Execution execution, SqlCall<ResultSet> query) throws SQLException;

    /** Any other execution (a statement, a batch, a procedure call): run, with what it writes invalidated. */
    <T> T execute(Execution execution, SqlCall<T> statement) throws SQLException;

    /** {@code Connection.commit()}: what the transaction wrote is invalidated once it returned. */
    void commit(SqlRun commit) throws SQLException;

    /** {@code Connection.rollback()}: the transaction's leases end. */
    void rollback(SqlRun rollback) throws SQLException;

    /** {@code Connection.setAutoCommit}: switching it on commits the open transaction (JDBC says so). */
    void setAutoCommit(boolean autoCommit, SqlRun change) throws SQLException;

    /** {@code Connection.setTransactionIsolation}. */
    void setTransactionIsolation(int level, SqlRun change) throws SQLException;

    /** {@code Connection.setCatalog}: part of every key. */
    void setCatalog(String catalog, SqlRun change) throws SQLException;

    /** {@code Connection.setSchema}: part of every key. */
    void setSchema(String schema, SqlRun change) throws SQLException;

    /**
     * SQL ran on the real connection outside any execution (a metadata query): a transaction's snapshot may have
     * been taken by it, at a moment the cache cannot tie to.
     */
    void ranOutsideTheCache();

    /**
     * The application closes the connection: its real connection is about to close, or to go back to a pool that
     * keeps the physical session for the next borrower. What this connection took on that session for itself (a
     * MariaDB user lock) is given back now, while it is still this connection's, when nothing can commit on it
     * any more. Before {@link #close()}; not on abort.
     */
    default void closing() {
    }

    /** The connection is closing or aborting, a transaction maybe open. Idempotent. */
    void close();

    /** The engine of this connection's database, for statistics and administration. */
    CacheEngine engine();
}
