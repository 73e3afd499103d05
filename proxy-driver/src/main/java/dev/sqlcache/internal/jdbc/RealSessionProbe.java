package dev.sqlcache.internal.jdbc;

import dev.sqlcache.internal.engine.SessionProbe;

import java.sql.Connection;
import java.sql.SQLException;

/** Reads session state from the real connection, for the engine after SQL that may have changed it. */
final class RealSessionProbe implements SessionProbe {

    private final Connection real;

    RealSessionProbe(Connection real) {
        this.real = real;
    }

    @Override
    public String catalog() throws SQLException {
        return real.getCatalog();
    }

    @Override
    public String schema() throws SQLException {
        return ConnectionProbe.schema(real);
    }

    @Override
    public boolean autoCommit() throws SQLException {
        return real.getAutoCommit();
    }

    @Override
    public int isolation() throws SQLException {
        return real.getTransactionIsolation();
    }
}
