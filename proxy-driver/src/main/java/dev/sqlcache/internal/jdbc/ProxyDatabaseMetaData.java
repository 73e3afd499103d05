package dev.sqlcache.internal.jdbc;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;

/** The real metadata, never cached, leading back to the proxy connection. */
final class ProxyDatabaseMetaData extends DatabaseMetaDataDelegate {

    private final ProxyConnection connection;

    ProxyDatabaseMetaData(DatabaseMetaData delegate, ProxyConnection connection) {
        super(delegate);
        this.connection = connection;
    }

    @Override
    public Connection getConnection() throws SQLException {
        delegate.getConnection();
        return connection;
    }

    @Override
    protected ResultSet wrap(ResultSet resultSet) throws SQLException {
        // A catalog query ran inside the connection's transaction, maybe taking its snapshot.
        connection.session().ranOutsideTheCache();
        return connection.wrapForeign(resultSet);
    }
}
