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

    /**
     * The driver's own result set leads to the real statement ({@code getStatement()}): from then on the proxy
     * statement cannot trust what it remembers of it, as after its own {@code unwrap}.
     */
    @Override
    public <I> I unwrap(Class<I> iface) throws SQLException {
        I unwrapped = super.unwrap(iface);
        if (unwrapped != this) {
            statement.realExposed();
        }
        return unwrapped;
    }

    @Override
    public Statement getStatement() throws SQLException {
        // Ask the real result set first so that a closed one fails exactly as the driver makes it fail.
        Statement raw = delegate.getStatement();
        return raw == null ? null : statement;
    }
}
