package dev.sqlcache.internal.membership;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the lock statements a PostgreSQL server refused because of a function the fingerprint reads
 * ({@link DatabaseRegistration#lockedSql()}: {@code pg_walfile_name}, {@code pg_current_wal_lsn},
 * {@code pg_control_system}, {@code pg_postmaster_start_time}), and says once, at WARN, what that costs. Such a server
 * (a managed service that does not offer {@code pg_walfile_name}, a role whose {@code EXECUTE} was revoked, a
 * version without the function) refuses every time: the early drop is off for that database, silently before.
 * Recovery is not one of these: the fingerprint's {@code CASE} does not call the functions there.
 */
public final class UnreadableFingerprints {

    private static final Logger LOG = LoggerFactory.getLogger(UnreadableFingerprints.class);
    /**
     * The server refusing a function rather than failing a round trip: no such function (42883), not allowed
     * (42501), not supported here (0A000, as some managed services answer). A lost connection (08xxx) or a
     * statement timeout (57014) is a failure like any other and is not counted.
     */
    private static final Set<String> REFUSALS = Set.of("42883", "42501", "0A000");

    private final AtomicLong refused = new AtomicLong();
    private final AtomicBoolean warned = new AtomicBoolean();

    /**
     * Counts {@code e} if it is such a refusal, logging the first one.
     *
     * @param where what ran the statement, for the log: an application connection, or this JVM's own session
     * @return whether it was one
     */
    public boolean count(SQLException e, String where) {
        if (e == null || !REFUSALS.contains(e.getSQLState())) {
            return false;
        }
        refused.incrementAndGet();
        if (warned.compareAndSet(false, true)) {
            LOG.warn("sqlcache: a PostgreSQL server refused a function the early drop reads to name the server "
                    + "database a session reached, on {} (SQLState {}: {}). Its connections register nothing and "
                    + "this JVM checks no other member there: other JVMs keep this one, once it stops or is killed, "
                    + "until sqlcache.fenceTimeout passes (no early drop), and this JVM keeps theirs as long. Grant "
                    + "EXECUTE on pg_walfile_name, pg_current_wal_lsn, pg_control_system and "
                    + "pg_postmaster_start_time to the role, or set sqlcache.earlyDrop=false to stop asking "
                    + "(logged once; counted)", where, e.getSQLState(), e.getMessage());
        }
        return true;
    }

    /** How many lock statements were refused so far. */
    public long count() {
        return refused.get();
    }
}
