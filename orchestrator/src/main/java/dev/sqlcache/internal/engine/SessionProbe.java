package dev.sqlcache.internal.engine;

import java.sql.SQLException;

/**
 * Reads a connection's session state back from the real driver, which tracks what the server reports: after SQL
 * text that may have changed it ({@code USE}, {@code SET search_path}, {@code SET autocommit = 0},
 * {@code SET SESSION TRANSACTION ISOLATION LEVEL ...}).
 */
public interface SessionProbe {

    String catalog() throws SQLException;

    String schema() throws SQLException;

    boolean autoCommit() throws SQLException;

    int isolation() throws SQLException;

    /**
     * Whether the real connection has no transaction open yet: nothing ran since the last commit or rollback, not
     * even SQL the proxy did not see. {@code false} when it cannot tell.
     */
    boolean transactionIdle() throws SQLException;

    /**
     * Whether the real connection has a transaction open, as the driver tracks what the server reports;
     * {@code null} when it cannot tell (no driver state to read).
     *
     * @param afterAFailure the call just made failed: a status that only OK replies carry may be older than it
     */
    default Boolean transactionOpen(boolean afterAFailure) throws SQLException {
        return null;
    }

    /**
     * Makes the database take the open transaction's snapshot now, before anything else has run in it:
     * {@code START TRANSACTION WITH CONSISTENT SNAPSHOT} on MariaDB (whose snapshot is otherwise taken by
     * the first read of a table), any statement on PostgreSQL (whose snapshot is taken by the first statement).
     */
    void takeSnapshot() throws SQLException;

    /**
     * MySQL and MariaDB only (not asked otherwise): whether the session reads a backslash in a string literal as an
     * escape, that is, whether its sql_mode lacks NO_BACKSLASH_ESCAPES. Asked when the connection opens and after
     * SQL that may have changed the session.
     */
    default boolean backslashEscapes() throws SQLException {
        return true;
    }

    /**
     * PostgreSQL and MariaDB/MySQL only (not asked otherwise): takes a session-level lock on the connection (on
     * PostgreSQL the member's shared advisory lock, on MariaDB/MySQL a user lock of the connection's own), which the
     * session keeps until it ends, without opening a transaction the application would see. Null when it was not
     * taken (another session holds it exclusively for a moment, or the name is held elsewhere).
     *
     * @return the server database the session is on ({@link
     *         dev.sqlcache.internal.membership.DatabaseRegistration#lockedSql()}: its fingerprint and server instance)
     *         when the lock is held and the
     *         server is not in recovery; null otherwise (a replica's session vouches for nothing)
     */
    default String holdSharedLock(int classId, int key) throws SQLException {
        return null;
    }

    /**
     * Releases the lock {@link #holdSharedLock} took, if it is a MariaDB/MySQL user lock of this connection's own: a
     * pooled physical session outlives the connection, and kept one more lock per connection otherwise. PostgreSQL's
     * shared advisory lock is the member's one lock, taken again by every connection (the session counts it): kept.
     */
    default void releaseOwnLock() throws SQLException {
    }

    /**
     * Whether the driver may carry on with a new session behind this connection after losing its session (MariaDB
     * Connector/J's high-availability modes, MySQL Connector/J's {@code autoReconnect} or host lists): a session lock
     * would then be released with the lost session while the connection still writes, so it vouches for nothing
     * (docs/consistency.md, "The early drop on MariaDB/MySQL"). Asked once per physical connection.
     */
    default boolean mayReplaceItsSession() {
        return false;
    }
}
