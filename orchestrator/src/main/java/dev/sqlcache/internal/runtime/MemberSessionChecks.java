package dev.sqlcache.internal.runtime;

import dev.sqlcache.internal.membership.DatabaseRegistration;
import dev.sqlcache.internal.membership.LapsedMembers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The PostgreSQL databases this JVM's connections reach, and one connection of its own to each, opened the first
 * time a lapsed member that registered it is checked: there the exclusive form of a member's session lock is tried
 * in a transaction of its own, and released at once by its commit. Only the check thread uses the connections.
 * The application's connection properties are kept in memory for this, never logged.
 */
final class MemberSessionChecks implements LapsedMembers.Databases, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MemberSessionChecks.class);
    /** Bounds a connect and a statement, so that a check never hangs on a database that stopped answering. */
    private static final String TIMEOUT_SECONDS = "10";

    private record Target(String url, Map<String, String> properties) {
    }

    private final Map<String, Target> targets = new ConcurrentHashMap<>();
    /** Open check connections by database; the check thread's alone. */
    private final Map<String, Connection> connections = new HashMap<>();

    /** A connection to a registered database opened: this JVM can check that database from now on. */
    void reached(String database, String realUrl, Map<String, String> properties) {
        if (database != null && !targets.containsKey(database)) {
            targets.putIfAbsent(database, new Target(realUrl, Map.copyOf(properties)));
        }
    }

    @Override
    public boolean reaches(String entry) {
        String database = DatabaseRegistration.database(entry);
        return database != null && targets.containsKey(database);
    }

    /**
     * Free only where the check's own session is on the very server database the entry names, and that server is
     * not in recovery: the identity's URL may lead elsewhere (a replica, a failover, a load-balanced host list).
     */
    @Override
    public boolean sessionsGone(String entry, int classId, int key) {
        String database = DatabaseRegistration.database(entry);
        try {
            Connection connection = connection(database);
            boolean free;
            try (PreparedStatement statement = connection.prepareStatement(
                    "SELECT pg_try_advisory_xact_lock(?, ?), pg_is_in_recovery(), "
                            + DatabaseRegistration.FINGERPRINT_SQL)) {
                statement.setInt(1, classId);
                statement.setInt(2, key);
                try (ResultSet rs = statement.executeQuery()) {
                    free = rs.next() && rs.getBoolean(1) && !rs.getBoolean(2)
                            && DatabaseRegistration.fingerprint(entry).equals(rs.getString(3));
                }
            }
            connection.commit();
            return free;
        } catch (SQLException | RuntimeException | LinkageError e) {
            LOG.debug("sqlcache: cannot check a lapsed member's sessions: {}", e.toString());
            closeQuietly(connections.remove(database));
            return false;
        }
    }

    private Connection connection(String database) throws SQLException {
        Connection open = connections.get(database);
        if (open != null) {
            return open;
        }
        Target target = targets.get(database);
        Properties info = new Properties();
        target.properties().forEach(info::setProperty);
        info.setProperty("connectTimeout", TIMEOUT_SECONDS);
        info.setProperty("socketTimeout", TIMEOUT_SECONDS);
        info.setProperty("ApplicationName", "sqlcache member check");
        Connection connection = new org.postgresql.Driver().connect(target.url(), info);
        if (connection == null) {
            throw new SQLException("not a PostgreSQL URL", "08001");
        }
        connection.setAutoCommit(false);
        connections.put(database, connection);
        return connection;
    }

    @Override
    public void close() {
        connections.values().forEach(MemberSessionChecks::closeQuietly);
        connections.clear();
    }

    private static void closeQuietly(Connection connection) {
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
