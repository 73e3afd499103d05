package dev.sqlcache.internal.resultset;

import dev.sqlcache.internal.engine.SqlCall;

import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Runs a query on the real statement, with whatever parameters and settings that statement holds now: once when
 * the cache does not answer, and once more for a cached result when a getter must be handed over to the database.
 */
@FunctionalInterface
public interface RealQuery extends SqlCall<ResultSet> {

    /** Executes the query on the real driver and returns its result set. */
    ResultSet execute() throws SQLException;

    @Override
    default ResultSet call() throws SQLException {
        return execute();
    }
}
