package dev.sqlcache.internal.engine;

import java.sql.SQLException;

/** A real driver call that returns nothing (commit, rollback, a setter), run by the engine. */
@FunctionalInterface
public interface SqlRun {
    void run() throws SQLException;
}
