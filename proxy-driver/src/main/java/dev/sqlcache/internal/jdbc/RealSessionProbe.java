package dev.sqlcache.internal.jdbc;

import dev.sqlcache.internal.engine.SessionProbe;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;

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

    /** One round trip on the real connection; it reads no table, so it takes no snapshot and no lock. */
    @Override
    public boolean backslashEscapes() throws SQLException {
        try (Statement statement = real.createStatement();
             ResultSet rs = statement.executeQuery("SELECT @@SESSION.sql_mode")) {
            String mode = rs.next() ? rs.getString(1) : null;
            return mode == null || !mode.toUpperCase(Locale.ROOT).contains("NO_BACKSLASH_ESCAPES");
        }
    }
}
