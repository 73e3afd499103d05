package dev.sqlcache.internal.feed;

import org.postgresql.PGProperty;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.Properties;

/**
 * Opens the feed's own connections to the database the application's URL names, with the application's connection
 * properties (credentials included, held in memory only and never logged): an ordinary one for the checks, the
 * slot and the heartbeats, and a replication one for the stream. Straight through pgjdbc's driver, not
 * {@code DriverManager}, which would judge by the caller's class loader.
 */
final class PostgresConnections {

    /** How long opening a connection may take, so that a stopping feed is never stuck in a connect. */
    private static final String CONNECT_TIMEOUT_SECONDS = "10";

    private final String url;
    private final Map<String, String> properties;

    PostgresConnections(String url, Map<String, String> properties) {
        this.url = url;
        this.properties = Map.copyOf(properties);
    }

    /** An ordinary connection, in auto-commit. */
    Connection plain() throws SQLException {
        Properties info = base();
        return open(info);
    }

    /** A replication connection to the database ({@code replication=database}), for the stream only. */
    Connection replication() throws SQLException {
        Properties info = base();
        PGProperty.REPLICATION.set(info, "database");
        PGProperty.ASSUME_MIN_SERVER_VERSION.set(info, "9.4");
        PGProperty.PREFER_QUERY_MODE.set(info, "simple");
        return open(info);
    }

    private Properties base() {
        Properties info = new Properties();
        properties.forEach(info::setProperty);
        PGProperty.CONNECT_TIMEOUT.set(info, CONNECT_TIMEOUT_SECONDS);
        PGProperty.APPLICATION_NAME.set(info, "sqlcache change feed");
        return info;
    }

    private Connection open(Properties info) throws SQLException {
        Connection connection = new org.postgresql.Driver().connect(url, info);
        if (connection == null) {
            throw new SQLException("not a PostgreSQL URL", "08001");
        }
        return connection;
    }
}
