package dev.sqlcache.internal.engine;

import java.sql.SQLException;

/** The real driver's side of one JDBC call, run by the engine between the steps it decides around it. */
@FunctionalInterface
public interface SqlCall<T> {
    T call() throws SQLException;
}
