package dev.sqlcache.internal.jdbc;

import dev.sqlcache.internal.analysis.DatabaseFamily;
import dev.sqlcache.internal.engine.SessionProbe;
import dev.sqlcache.internal.membership.DatabaseRegistration;

import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Map;

/** Reads session state from the real connection, for the engine after SQL that may have changed it. */
final class RealSessionProbe implements SessionProbe {

    /**
     * The server status bit both Connector/Js keep from every OK reply (SERVER_STATUS_IN_TRANS, the same bit in the
     * MariaDB and MySQL protocols).
     */
    private static final int IN_TRANSACTION = 1;

    private final Connection real;
    private final DatabaseFamily family;
    /** The properties the real connection was opened with (none for a wrapped DataSource's). */
    private final Map<String, String> properties;
    /** The driver's own view of its transaction, found once by reflection; null when it has none. */
    private Method transactionState;
    private Object transactionStateTarget;
    /** MySQL Connector/J: the session's getServerSession(), asked each time (a reconnect may replace it); else null. */
    private Method serverSession;
    private boolean resolved;
    /** The MariaDB/MySQL user lock this connection took ({@link #mariaDbLock}), until released; else null. */
    private String ownLock;

    RealSessionProbe(Connection real, DatabaseFamily family, Map<String, String> properties) {
        this.real = real;
        this.family = family;
        this.properties = properties;
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

    /**
     * pgjdbc's state comes with every ReadyForQuery, an error's included. Connector/J's server status comes with OK
     * replies only, never with an error, so after a call that failed it may be older than the error: a procedure
     * that started a transaction and wrote before its SIGNAL leaves it open behind a closed status.
     *
     * <p>MariaDB: an open status is asked of the server ({@code @@in_transaction}, one round trip: after a batch whose
     * COMMIT ran before a statement failed it still said open, BatchTransactionEndAttackTest), and so is a closed
     * one after a failure (MariaDB Connector/J 4.0 sets the open bit on every error reply, so it does not say closed
     * there today; another version may). Otherwise closed is taken as told.
     *
     * <p>MySQL has no {@code @@in_transaction} (information_schema.innodb_trx needs the PROCESS privilege;
     * performance_schema's transaction events depend on the server's instruments), and Connector/J's flags after an
     * error are not the server's (9.5: 0 after that procedure): after a failure a no-op the server answers with OK
     * ({@code DO 0}, one round trip) sets them again, then they are read. Otherwise they are taken as told.
     */
    @Override
    public Boolean transactionOpen(boolean afterAFailure) throws SQLException {
        resolve();
        try {
            if (transactionState != null) {
                if (family == DatabaseFamily.POSTGRES) {
                    return !"IDLE".equals(String.valueOf(driverState()));
                }
                if (family == DatabaseFamily.MYSQL && afterAFailure) {
                    try (Statement statement = real.createStatement()) {
                        statement.execute("DO 0");
                    }
                }
                boolean open = (((Number) driverState()).intValue() & IN_TRANSACTION) != 0;
                if (family == DatabaseFamily.MYSQL || (!open && !afterAFailure)) {
                    return open;
                }
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            transactionState = null;
        }
        if (family == DatabaseFamily.MARIADB) {
            try (Statement statement = real.createStatement();
                 ResultSet rs = statement.executeQuery("SELECT @@in_transaction")) {
                return rs.next() ? rs.getInt(1) != 0 : null;
            }
        }
        return null;
    }

    /**
     * Asks the real driver, which tracks what the server reports (pgjdbc's transaction state, MariaDB Connector/J's
     * server status): SQL the proxy never saw (a schema or metadata query, a savepoint) may have opened the
     * transaction. Without the driver's answer, MariaDB is asked with {@code @@in_transaction}; anything else is not
     * idle. MySQL too, although its Connector/J keeps the same status ({@link #transactionOpen} reads it): the session
     * lock and the snapshot rules that ask this have only been run against MariaDB and PostgreSQL servers.
     */
    @Override
    public boolean transactionIdle() throws SQLException {
        resolve();
        try {
            if (transactionState != null && family != DatabaseFamily.MYSQL) {
                Object state = driverState();
                return family == DatabaseFamily.POSTGRES ? "IDLE".equals(String.valueOf(state))
                        : (((Number) state).intValue() & IN_TRANSACTION) == 0;
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            transactionState = null;
        }
        if (family == DatabaseFamily.MARIADB) {
            try (Statement statement = real.createStatement();
                 ResultSet rs = statement.executeQuery("SELECT @@in_transaction")) {
                return rs.next() && rs.getInt(1) == 0;
            }
        }
        return false;
    }

    private Object driverState() throws ReflectiveOperationException {
        Object target = serverSession == null ? transactionStateTarget : serverSession.invoke(transactionStateTarget);
        return transactionState.invoke(target);
    }

    private void resolve() {
        if (resolved) {
            return;
        }
        resolved = true;
        try {
            ClassLoader loader = real.getClass().getClassLoader();
            if (family == DatabaseFamily.POSTGRES) {
                Class<?> base = Class.forName("org.postgresql.core.BaseConnection", false, loader);
                if (real.isWrapperFor(base)) {
                    transactionStateTarget = real.unwrap(base);
                    transactionState = base.getMethod("getTransactionState");
                }
            } else if (family == DatabaseFamily.MARIADB) {
                Class<?> connection = Class.forName("org.mariadb.jdbc.Connection", false, loader);
                if (real.isWrapperFor(connection)) {
                    Object context = connection.getMethod("getContext").invoke(real.unwrap(connection));
                    Class<?> contextType = Class.forName("org.mariadb.jdbc.client.Context", false, loader);
                    transactionStateTarget = context;
                    transactionState = contextType.getMethod("getServerStatus");
                }
            } else if (family == DatabaseFamily.MYSQL) {
                // MySQL Connector/J: getSession().getServerSession().getStatusFlags(), kept from every OK reply (a
                // CALL's last one included), so reading it costs no round trip.
                Class<?> connection = Class.forName("com.mysql.cj.MysqlConnection", false, loader);
                if (real.isWrapperFor(connection)) {
                    Object session = connection.getMethod("getSession").invoke(real.unwrap(connection));
                    Class<?> sessionType = Class.forName("com.mysql.cj.Session", false, loader);
                    Class<?> serverSession = Class.forName("com.mysql.cj.protocol.ServerSession", false, loader);
                    transactionStateTarget = session;
                    this.serverSession = sessionType.getMethod("getServerSession");
                    transactionState = serverSession.getMethod("getStatusFlags");
                }
            }
        } catch (ReflectiveOperationException | SQLException | RuntimeException | LinkageError e) {
            transactionState = null;
        }
    }

    @Override
    public void takeSnapshot() throws SQLException {
        try (Statement statement = real.createStatement()) {
            statement.execute(family == DatabaseFamily.POSTGRES ? "SELECT 1"
                    : "START TRANSACTION WITH CONSISTENT SNAPSHOT");
        }
    }

    /**
     * One round trip when the connection opens. In auto-commit the statement is its own transaction; otherwise it
     * would open the application's transaction (and, in REPEATABLE READ, take its snapshot now), so it is committed
     * at once, which only a connection with nothing run yet allows. The session lock outlives both.
     */
    @Override
    public String holdSharedLock(int classId, int key) throws SQLException {
        if (family != DatabaseFamily.POSTGRES && !family.isMySqlLike()) {
            return null;
        }
        boolean autoCommit = real.getAutoCommit();
        if (!autoCommit && !transactionIdle()) {
            return null;
        }
        String held;
        try {
            held = family == DatabaseFamily.POSTGRES ? postgresLock(classId, key) : mariaDbLock(key);
        } catch (SQLException e) {
            if (!autoCommit) {
                // A failed statement aborts the transaction it opened: the application's first one must not be.
                real.rollback();
            }
            throw e;
        }
        if (!autoCommit) {
            real.commit();
        }
        return held;
    }

    /**
     * MariaDB/MySQL only: from the URL the driver reports (MariaDB's includes its high-availability mode), the
     * properties the connection was opened with and MySQL Connector/J's own settings (a wrapped DataSource's),
     * no round trip. pgjdbc never replaces a session behind a connection. When the URL cannot be read: true (the connection
     * then registers unlockable, as every MariaDB connection did before the early drop).
     */
    @Override
    public boolean mayReplaceItsSession() {
        if (!family.isMySqlLike()) {
            return false;
        }
        try {
            java.sql.DatabaseMetaData metaData = real.getMetaData();
            return ReconnectingUrls.mayReplaceSession(metaData.getURL(), properties)
                    || DriverReconnects.mysqlReconnects(real, metaData.getDriverName());
        } catch (SQLException | RuntimeException e) {
            return true;
        }
    }

    private String postgresLock(int classId, int key) throws SQLException {
        try (java.sql.PreparedStatement statement = real.prepareStatement("SELECT pg_try_advisory_lock_shared(?, ?), "
                + "pg_is_in_recovery(), " + DatabaseRegistration.lockedSql())) {
            statement.setInt(1, classId);
            statement.setInt(2, key);
            try (ResultSet rs = statement.executeQuery()) {
                return rs.next() && rs.getBoolean(1) && !rs.getBoolean(2) ? rs.getString(3) : null;
            }
        }
    }

    /**
     * MariaDB's user locks are exclusive: this connection takes a name of its own ({@link
     * DatabaseRegistration#mariaDbLockName}), never waiting ({@code GET_LOCK(name, 0)}: 1 taken, 0 held elsewhere,
     * null an error), and reads the server it reached in the same round trip.
     */
    private String mariaDbLock(int key) throws SQLException {
        long n = DatabaseRegistration.nextMariaDbLockNumber();
        try (java.sql.PreparedStatement statement = real.prepareStatement("SELECT GET_LOCK(?, 0), "
                + DatabaseRegistration.mariaDbFingerprintSql())) {
            statement.setString(1, DatabaseRegistration.mariaDbLockName(key, n));
            try (ResultSet rs = statement.executeQuery()) {
                if (!rs.next() || rs.getInt(1) != 1 || rs.wasNull()) {
                    return null;
                }
                // Held, whether or not it vouches for anything: given back when the connection closes.
                ownLock = DatabaseRegistration.mariaDbLockName(key, n);
                if (rs.getString(2) == null) {
                    return null;
                }
                return DatabaseRegistration.mariaDbLocked(rs.getString(2), n);
            }
        }
    }

    /** One round trip, at close, when this connection holds a user lock of its own. */
    @Override
    public void releaseOwnLock() throws SQLException {
        String name = ownLock;
        if (name == null) {
            return;
        }
        ownLock = null;
        try (java.sql.PreparedStatement statement = real.prepareStatement("SELECT RELEASE_LOCK(?)")) {
            statement.setString(1, name);
            statement.executeQuery().close();
        }
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
