package dev.sqlcache.driver.jdbc;

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
        try {
            ResultSet real = callable.executeQuery();
            return real == null ? null : new ProxyResultSet(real, this);
        } finally {
            session.afterOpaqueWrite();
        }
    }

    @Override
    public boolean execute() throws SQLException {
        session.bypassed(BypassReason.CALLABLE);
        try {
            return callable.execute();
        } finally {
            session.afterOpaqueWrite();
        }
    }

    @Override
    public int executeUpdate() throws SQLException {
        try {
            return callable.executeUpdate();
        } finally {
            session.afterOpaqueWrite();
        }
    }

    @Override
    public long executeLargeUpdate() throws SQLException {
        try {
            return callable.executeLargeUpdate();
        } finally {
            session.afterOpaqueWrite();
        }
    }
}
