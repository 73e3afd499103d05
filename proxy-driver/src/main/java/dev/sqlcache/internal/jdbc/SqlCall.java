package dev.sqlcache.internal.jdbc;

import java.sql.SQLException;

/** A call on the real driver. */
@FunctionalInterface
interface SqlCall<T> {
    T call() throws SQLException;
}
