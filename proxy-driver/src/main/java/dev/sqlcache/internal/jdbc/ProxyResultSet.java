package dev.sqlcache.internal.jdbc;

import dev.sqlcache.internal.engine.QueryPlan;
import dev.sqlcache.internal.engine.SqlRun;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** A real result set whose {@code getStatement()} leads back to the proxy statement, never to the raw one. */
class ProxyResultSet extends ResultSetDelegate {

    private final ProxyStatement statement;
    /**
     * The query that made this result set, when its statement is updatable: a row changed through it is a write of
     * the tables that query reads. Null for a read-only one (its changes are the driver's errors).
     */
    private final QueryPlan updatable;

    ProxyResultSet(ResultSet delegate, ProxyStatement statement) {
        this(delegate, statement, null);
    }

    ProxyResultSet(ResultSet delegate, ProxyStatement statement, QueryPlan updatable) {
        super(delegate);
        this.statement = statement;
        this.updatable = updatable;
    }

    @Override
    public void updateRow() throws SQLException {
        changeRow(delegate::updateRow);
    }

    @Override
    public void insertRow() throws SQLException {
        changeRow(delegate::insertRow);
    }

    @Override
    public void deleteRow() throws SQLException {
        changeRow(delegate::deleteRow);
    }

    /** A row change of an updatable statement's result set is a write of its query's tables (ProxyStatement). */
    private void changeRow(SqlRun change) throws SQLException {
        if (updatable == null) {
            change.run();
            return;
        }
        statement.changeRow(updatable, () -> {
            change.run();
            return null;
        });
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
