package dev.sqlcache.internal.jdbc;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** A real result set whose {@code getStatement()} leads back to the proxy statement, never to the raw one. */
class ProxyResultSet extends ResultSetDelegate {

    private final ProxyStatement statement;

    ProxyResultSet(ResultSet delegate, ProxyStatement statement) {
        super(delegate);
        this.statement = statement;
    }

    boolean wraps(ResultSet resultSet) {
        return delegate == resultSet;
    }

    @Override
    public Statement getStatement() throws SQLException {
        // Ask the real result set first so that a closed one fails exactly as the driver makes it fail.
        Statement raw = delegate.getStatement();
        return raw == null ? null : statement;
    }
}
