package dev.sqlcache.internal.jdbc;

import dev.sqlcache.internal.engine.Execution;

import java.sql.CallableStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * A stored procedure call. The driver cannot see what a procedure reads or writes, so it is never cached and every
 * execution invalidates everything cached for the database (or what the configuration declares it writes).
 */
public final class ProxyCallableStatement extends CallableStatementDelegate {

    private final CallableStatement callable;

    ProxyCallableStatement(CallableStatement delegate, ProxyConnection connection, String sql) throws SQLException {
        super(delegate, connection, sql);
        this.callable = delegate;
    }

    @Override
    public ResultSet executeQuery() throws SQLException {
        ResultSet real = run(Execution.call(preparedPlan(), true), callable::executeQuery);
        return real == null ? null : new ProxyResultSet(real, this);
    }

    @Override
    public boolean execute() throws SQLException {
        return run(Execution.call(preparedPlan(), true), callable::execute);
    }

    @Override
    public int executeUpdate() throws SQLException {
        return run(Execution.call(preparedPlan(), false), callable::executeUpdate);
    }

    @Override
    public long executeLargeUpdate() throws SQLException {
        return run(Execution.call(preparedPlan(), false), callable::executeLargeUpdate);
    }
}
