package dev.sqlcache.internal.jdbc;

import dev.sqlcache.internal.analysis.DatabaseFamily;
import dev.sqlcache.internal.engine.SessionProbe;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/** Reads session state from the real connection, for the engine after SQL that may have changed it. */
final class RealSessionProbe implements SessionProbe {

    private final Connection real;
    private final DatabaseFamily family;

    RealSessionProbe(Connection real, DatabaseFamily family) {
        this.real = real;
        this.family = family;
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

    @Override
    public void takeSnapshot() throws SQLException {
        try (Statement statement = real.createStatement()) {
            statement.execute(family.isMySqlLike() ? "START TRANSACTION WITH CONSISTENT SNAPSHOT" : "SELECT 1");
        }
    }
}
