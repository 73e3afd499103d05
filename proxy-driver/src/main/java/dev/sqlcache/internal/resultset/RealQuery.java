package dev.sqlcache.internal.resultset;

import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Runs a cached result's query once more on the real statement, with whatever parameters and settings that
 * statement holds now. Called only when a getter of the cached result must be handed over to the database.
 */
@FunctionalInterface
public interface RealQuery {

    /** Executes the query on the real driver and returns its result set. */
    ResultSet execute() throws SQLException;
}
