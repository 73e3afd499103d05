package dev.sqlcache.internal.jdbc;

import dev.sqlcache.internal.engine.WriteTicket;
import dev.sqlcache.stats.BypassReason;

import java.sql.CallableStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * A stored procedure call. The driver cannot see what a procedure reads or writes, so it is never cached and every
 * execution invalidates everything cached for the database.
 */
public final class ProxyCallableStatement extends CallableStatementDelegate {

    private final CallableStatement callable;

    ProxyCallableStatement(CallableStatement delegate, ProxyConnection connection, String sql) throws SQLException {
        super(delegate, connection, sql);
        this.callable = delegate;
    }

    @Override
    public ResultSet executeQuery() throws SQLException {
        session.bypassed(BypassReason.CALLABLE);
        ResultSet real = opaque(callable::executeQuery);
        return real == null ? null : new ProxyResultSet(real, this);
    }

    @Override
    public boolean execute() throws SQLException {
        session.bypassed(BypassReason.CALLABLE);
        return opaque(callable::execute);
    }

    @Override
    public int executeUpdate() throws SQLException {
        return opaque(callable::executeUpdate);
    }

    @Override
    public long executeLargeUpdate() throws SQLException {
        return opaque(callable::executeLargeUpdate);
    }

    private <T> T opaque(SqlCall<T> call) throws SQLException {
        WriteTicket write = session.beforeCall(preparedPlan());
        try {
            return call.call();
        } finally {
            session.afterWrite(write);
        }
    }
}
