package dev.sqlcache.internal.runtime;

import dev.sqlcache.internal.membership.DatabaseRegistration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The MariaDB/MySQL half of {@link MemberSessionChecks}: whether the user lock a lapsed member's MariaDB connection
 * registered ({@link DatabaseRegistration#mariaDbLockName}) is free now, asked with {@code IS_FREE_LOCK} on a
 * connection of this JVM's own to that database, on the very server the entry names. Each of the member's
 * connections took a name of its own (MariaDB's user locks are exclusive), and the member registered one entry per
 * connection: it is found gone only once every one is free. {@code IS_FREE_LOCK} only reads: the checker never
 * holds the name, so it cannot keep a later connection of the member from taking it (no name is ever taken twice:
 * a number is used once per JVM).
 *
 * <p>No anchor: a MariaDB connection opened while this JVM is cut off from the store is not covered
 * ({@link dev.sqlcache.internal.membership.Membership#covers}) and its first write waits sqlcache.fenceTimeout after
 * the lapse, as before the early drop. Sessions are opened on the check thread (never the application's), lazily,
 * and replaced after a failure. The application's connection properties are kept in memory for this, never logged.
 */
final class MariaDbLockChecks implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MariaDbLockChecks.class);
    /** Bounds a connect and a statement (Connector/J counts milliseconds). */
    private static final String TIMEOUT_MILLIS = "10000";

    private final CheckTargets targets = new CheckTargets(DriverManager::getConnection,
            Map.of("connectTimeout", TIMEOUT_MILLIS, "socketTimeout", TIMEOUT_MILLIS));
    /** Open sessions by database (the identity's hash). Used on the check thread only. */
    private final Map<String, Connection> sessions = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** A MariaDB/MySQL connection to a registered database opened: this JVM can check that database from now on. */
    void reached(String database, String realUrl, Map<String, String> properties) {
        targets.reached(database, realUrl, properties);
    }

    boolean reaches(String database) {
        return targets.reaches(database);
    }

    /** {@link #sessionsGone} for one entry. */
    boolean sessionGone(String entry, int key) {
        return sessionsGone(DatabaseRegistration.database(entry), List.of(entry), key);
    }

    /**
     * Whether the lock of every one of {@code entries} (all registered under {@code database}) is free on the server
     * each names, in one statement: {@code SELECT <server>, IS_FREE_LOCK(?) = 1 AND IS_FREE_LOCK(?) = 1 ...}. False
     * when it cannot tell: an entry that names another server than the session reached (the identity's URL may lead
     * elsewhere: a replica, a failover, a load balancer), one that names no lock, an answer other than 1 (0 in use,
     * null an error; {@code AND} keeps a null null), a failure.
     */
    boolean sessionsGone(String database, List<String> entries, int key) {
        if (database == null || entries.isEmpty() || !targets.reaches(database)) {
            return false;
        }
        String server = DatabaseRegistration.mariaDbServer(entries.get(0));
        StringBuilder sql = new StringBuilder("SELECT ").append(DatabaseRegistration.mariaDbFingerprintSql());
        List<String> names = new ArrayList<>(entries.size());
        for (String entry : entries) {
            long n = DatabaseRegistration.mariaDbLockNumber(entry);
            if (server == null || n < 0 || !database.equals(DatabaseRegistration.database(entry))
                    || !server.equals(DatabaseRegistration.mariaDbServer(entry))) {
                return false; // two servers under one identity: no session of this JVM reaches both
            }
            sql.append(names.isEmpty() ? ", " : " AND ").append("IS_FREE_LOCK(?) = 1");
            names.add(DatabaseRegistration.mariaDbLockName(key, n));
        }
        Connection session = null;
        try {
            session = session(database);
            try (PreparedStatement statement = session.prepareStatement(sql.toString())) {
                for (int i = 0; i < names.size(); i++) {
                    statement.setString(i + 1, names.get(i));
                }
                try (ResultSet rs = statement.executeQuery()) {
                    if (!rs.next()) {
                        return false;
                    }
                    int free = rs.getInt(2);
                    return !rs.wasNull() && free == 1 && server.equals(rs.getString(1));
                }
            }
        } catch (SQLException | RuntimeException | LinkageError e) {
            LOG.debug("sqlcache: cannot check a lapsed member's MariaDB sessions: {}", e.toString());
            discard(database, session);
            return false;
        }
    }

    private Connection session(String database) throws SQLException {
        Connection open = sessions.get(database);
        if (open != null) {
            return open;
        }
        Connection connection = targets.open(database);
        try {
            connection.setAutoCommit(true);
            synchronized (this) {
                if (closed) {
                    throw new SQLException("closed", "08003");
                }
                sessions.put(database, connection);
            }
            return connection;
        } catch (SQLException | RuntimeException e) {
            CheckTargets.closeQuietly(connection);
            throw e;
        }
    }

    private void discard(String database, Connection session) {
        if (session != null && sessions.remove(database, session)) {
            CheckTargets.closeQuietly(session);
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        sessions.values().forEach(CheckTargets::closeQuietly);
        sessions.clear();
    }

}
