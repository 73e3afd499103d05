package dev.sqlcache.internal.runtime;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The databases this JVM's connections reached (by identity hash), and how to open a connection of this JVM's own to
 * one: the application's URL and properties, with bounded timeouts of the driver's own. Shared by the PostgreSQL
 * checks ({@link MemberSessionChecks}) and the MariaDB/MySQL ones ({@link MariaDbLockChecks}), which keep what they
 * open. The application's properties are kept in memory for this, never logged.
 */
final class CheckTargets {

    private static final Logger LOG = LoggerFactory.getLogger(CheckTargets.class);

    /** How one driver connects: pgjdbc's own driver for PostgreSQL, {@code DriverManager} for MariaDB/MySQL. */
    @FunctionalInterface
    interface Connector {
        /** A connection, or null when the driver does not take the URL. */
        Connection connect(String url, Properties info) throws SQLException;
    }

    private record Target(String url, Map<String, String> properties) {
    }

    private final Map<String, Target> targets = new ConcurrentHashMap<>();
    private final Connector connector;
    /** Set over the application's properties: the timeouts (in the driver's unit), the application name. */
    private final Map<String, String> settings;

    CheckTargets(Connector connector, Map<String, String> settings) {
        this.connector = connector;
        this.settings = Map.copyOf(settings);
    }

    /** A connection to a registered database opened: this JVM can open its own to that database from now on. */
    void reached(String database, String realUrl, Map<String, String> properties) {
        if (database != null && !targets.containsKey(database)) {
            targets.putIfAbsent(database, new Target(realUrl, Map.copyOf(properties)));
        }
    }

    boolean reaches(String database) {
        return database != null && targets.containsKey(database);
    }

    Set<String> databases() {
        return targets.keySet();
    }

    /** Opens a connection of this JVM's own to a database it {@link #reaches}; the caller closes it. */
    Connection open(String database) throws SQLException {
        Target target = targets.get(database);
        if (target == null) {
            throw new SQLException("no connection of this JVM reached the database", "08001");
        }
        Properties info = new Properties();
        target.properties().forEach(info::setProperty);
        settings.forEach(info::setProperty);
        Connection connection = connector.connect(target.url(), info);
        if (connection == null) {
            throw new SQLException("the driver does not take the database's URL", "08001");
        }
        return connection;
    }

    static void closeQuietly(Connection connection) {
        if (connection == null) {
            return;
        }
        try {
            connection.close();
        } catch (SQLException e) {
            LOG.debug("sqlcache: closing a member check connection: {}", e.toString());
        }
    }
}
