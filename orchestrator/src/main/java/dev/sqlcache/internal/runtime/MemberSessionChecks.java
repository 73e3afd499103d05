package dev.sqlcache.internal.runtime;

import dev.sqlcache.internal.membership.DatabaseRegistration;
import dev.sqlcache.internal.membership.LapsedMembers;
import dev.sqlcache.internal.membership.Membership;
import dev.sqlcache.internal.membership.SessionLock;
import dev.sqlcache.internal.membership.UnreadableFingerprints;
import dev.sqlcache.internal.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The PostgreSQL databases this JVM's connections reach, and one connection of its own to each, opened after the
 * first answered renewal once a connection reached it (and again after it failed): there the exclusive form of a
 * lapsed member's session lock is tried in a transaction of its own, and released at once by its commit. The same
 * session is this JVM's anchor on that server database ({@link Membership.Anchors}): it takes this member's own
 * shared lock once, when it opens (or, refused then, on a later retry), and never releases it nor takes it again
 * (its checks lock other members' keys for one transaction each), so a round trip that finds the same backend
 * holding it shows it held since it was taken.
 * One connection serves both rather than two: the check already costs one per database and JVM
 * ({@code max_connections}), and both must live exactly as long as this JVM does. Checks run on the check thread;
 * a write's anchor round trip runs on the anchor thread, waited for by the application's thread no longer than the
 * wait it replaces, so each session is used under its own monitor.
 * The application's connection properties are kept in memory for this, never logged.
 */
final class MemberSessionChecks implements LapsedMembers.Databases, Membership.Anchors, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MemberSessionChecks.class);
    /** Bounds a connect and a statement, so that a check never hangs on a database that stopped answering. */
    private static final String TIMEOUT_SECONDS = "10";
    /** How these sessions show in {@code pg_stat_activity}. */
    static final String APPLICATION_NAME = "sqlcache member check";
    /** How often a session that could not be opened is tried again. */
    private static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);
    /**
     * How long a session may go without a round trip while renewals are answered: an idle connection may be
     * forgotten by a NAT or firewall on the way (cloud gateways do after minutes) and never answer again. A round
     * trip this often keeps it from looking idle, and finds it out while the store answers rather than at the first
     * write of the next outage.
     */
    private static final long PROBE_NANOS = TimeUnit.SECONDS.toNanos(60);

    /** Whether this session holds the shared lock of (class, key), the two parameters, as unsigned numbers. */
    private static final String HOLDS_LOCK = "EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' "
            + "AND pid = pg_backend_pid() AND classid::bigint = ? AND objid::bigint = ? "
            + "AND objsubid = 2 AND mode = 'ShareLock' AND granted)";

    /**
     * How long a refused lock waits at most before it is tried again: refusals double the wait from
     * {@link #RETRY_NANOS} up to this, so a lock another session keeps costs one round trip a minute.
     */
    private static final long LOCK_RETRY_MAX_NANOS = TimeUnit.SECONDS.toNanos(60);

    /** One open session: its connection, its backend, and the lock it holds (null: not held yet). */
    private static final class Session {
        final Connection connection;
        final int pid;
        /** Set once, when the lock is first known held; never taken again nor released afterwards. */
        volatile SessionLock lock;
        /** When a round trip on it last answered ({@link Clock#nanoTime()}). */
        volatile long answeredNanos;
        /** While the lock is refused: when to try it again, and how long to wait after the next refusal. */
        long lockRetryNanos;
        long lockBackoffNanos = RETRY_NANOS;
        /**
         * Runs the writes' round trips on this session, so that a write waits for one only as long as it gains by
         * it. One thread per session (it serves one statement at a time anyway), started when needed and gone when
         * idle: one shared by all databases would hold every database's round trips behind a frozen one's.
         */
        final ThreadPoolExecutor anchorThread = anchorThread();

        Session(Connection connection, int pid, SessionLock lock, long answeredNanos) {
            this.connection = connection;
            this.pid = pid;
            this.lock = lock;
            this.answeredNanos = answeredNanos;
            this.lockRetryNanos = answeredNanos;
        }
    }

    // A lambda, not a method reference on a new Driver: pgjdbc is optional, and an application without it (H2,
    // MariaDB) must never load its class; the driver is made only when a PostgreSQL database is checked.
    private final CheckTargets targets = new CheckTargets(
            (url, info) -> new org.postgresql.Driver().connect(url, info), Map.of("connectTimeout", TIMEOUT_SECONDS,
                    "socketTimeout", TIMEOUT_SECONDS, "ApplicationName", APPLICATION_NAME));
    /** Open sessions by database (the identity's hash). Opened on the check thread only. */
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final Map<String, Long> triedNanos = new ConcurrentHashMap<>();
    /** Databases whose anchor lock was refused since it was last held: logged once, until it is taken. */
    private final Map<String, Boolean> refusedLogged = new ConcurrentHashMap<>();
    private final AtomicLong unanswered = new AtomicLong();
    private final int lockKey;
    private final Clock clock;
    private final Executor checkThread;
    /** Shared with the application's connections ({@link Membership#unreadableFingerprints()}). */
    private final UnreadableFingerprints unreadable;
    private volatile boolean closed;
    /** The MariaDB/MySQL databases, checked with their own statements and no anchor. */
    private final MariaDbLockChecks mariaDb = new MariaDbLockChecks();

    /**
     * @param lockKey     this member's key ({@link Membership#lockKey()}), taken shared by each session it opens
     * @param checkThread where sessions are opened (never on the application's or the renewal's thread)
     */
    MemberSessionChecks(int lockKey, Clock clock, Executor checkThread) {
        this(lockKey, clock, checkThread, new UnreadableFingerprints());
    }

    /** @param unreadable counts (and logs once) the servers that refuse the fingerprint's functions */
    MemberSessionChecks(int lockKey, Clock clock, Executor checkThread, UnreadableFingerprints unreadable) {
        this.lockKey = lockKey;
        this.clock = clock;
        this.checkThread = checkThread;
        this.unreadable = unreadable;
    }

    /**
     * Counts a refusal of the fingerprint's functions ({@link UnreadableFingerprints}); anything else is logged at
     * DEBUG as before. True for a refusal: the server will refuse again.
     */
    private boolean failed(Throwable e, String what) {
        if (e instanceof SQLException sql && unreadable.count(sql, "this JVM's own session on it")) {
            return true;
        }
        LOG.debug("sqlcache: {}: {}", what, e.toString());
        return false;
    }

    private static ThreadPoolExecutor anchorThread() {
        ThreadPoolExecutor thread = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(16),
                runnable -> {
                    Thread started = new Thread(runnable, "sqlcache-anchor");
                    started.setDaemon(true);
                    return started;
                });
        thread.allowCoreThreadTimeOut(true);
        return thread;
    }

    /** A connection to a registered database opened: this JVM can check that database from now on. */
    void reached(String database, String realUrl, Map<String, String> properties) {
        targets.reached(database, realUrl, properties);
    }

    /** A connection to a registered MariaDB/MySQL database opened ({@link MariaDbLockChecks}). */
    void reachedMariaDb(String database, String realUrl, Map<String, String> properties) {
        mariaDb.reached(database, realUrl, properties);
    }

    @Override
    public boolean reaches(String entry) {
        String database = DatabaseRegistration.database(entry);
        if (DatabaseRegistration.isMariaDb(entry)) {
            return mariaDb.reaches(database);
        }
        return targets.reaches(database);
    }

    /**
     * Free only where the check's own session is on the very server database the entry names, and that server is
     * not in recovery: the identity's URL may lead elsewhere (a replica, a failover, a load-balanced host list).
     */
    @Override
    public boolean sessionsGone(String entry, int classId, int key) {
        if (DatabaseRegistration.isMariaDb(entry)) {
            return mariaDb.sessionGone(entry, key);
        }
        String database = DatabaseRegistration.database(entry);
        Session session = null;
        try {
            session = session(database);
            synchronized (session) {
                boolean free;
                try (PreparedStatement statement = session.connection.prepareStatement(
                        "SELECT pg_try_advisory_xact_lock(?, ?), pg_is_in_recovery(), "
                                + DatabaseRegistration.fingerprintSql())) {
                    statement.setInt(1, classId);
                    statement.setInt(2, key);
                    try (ResultSet rs = statement.executeQuery()) {
                        free = rs.next() && rs.getBoolean(1) && !rs.getBoolean(2)
                                && DatabaseRegistration.sameServer(DatabaseRegistration.fingerprint(entry),
                                        rs.getString(3));
                    }
                }
                session.connection.commit();
                session.answeredNanos = clock.nanoTime();
                return free;
            }
        } catch (SQLException | RuntimeException | LinkageError e) {
            failed(e, "cannot check a lapsed member's sessions");
            discard(database, session);
            return false;
        }
    }

    /**
     * The MariaDB entries of each database in one statement ({@link MariaDbLockChecks#sessionsGone}), then the
     * PostgreSQL ones one by one, as before.
     */
    @Override
    public boolean allSessionsGone(java.util.Set<String> entries, int classId, int key) {
        Map<String, java.util.List<String>> mariaDbEntries = new java.util.HashMap<>();
        for (String entry : entries) {
            if (DatabaseRegistration.isMariaDb(entry)) {
                mariaDbEntries.computeIfAbsent(DatabaseRegistration.database(entry), d -> new java.util.ArrayList<>())
                        .add(entry);
            }
        }
        for (Map.Entry<String, java.util.List<String>> database : mariaDbEntries.entrySet()) {
            if (!mariaDb.sessionsGone(database.getKey(), database.getValue(), key)) {
                return false;
            }
        }
        for (String entry : entries) {
            if (!DatabaseRegistration.isMariaDb(entry) && !sessionsGone(entry, classId, key)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void keep() {
        if (closed) {
            return;
        }
        long now = clock.nanoTime();
        for (String database : targets.databases()) {
            Long tried = triedNanos.get(database);
            if (tried != null && now - tried < RETRY_NANOS) {
                continue;
            }
            triedNanos.put(database, now);
            try {
                checkThread.execute(() -> {
                    try {
                        Session open = sessions.get(database);
                        if (open != null && !died(database, open) && answers(database, open)) {
                            if (open.lock == null) {
                                retryLock(database, open);
                            }
                            return;
                        }
                        session(database);
                    } catch (SQLException | RuntimeException | LinkageError e) {
                        if (failed(e, "cannot open this JVM's own session on a database")) {
                            // Refused again at every try: opened (and closed) once a minute, not once a second.
                            triedNanos.put(database, clock.nanoTime() + LOCK_RETRY_MAX_NANOS - RETRY_NANOS);
                        }
                    }
                });
            } catch (RejectedExecutionException busy) {
                triedNanos.remove(database); // a check is queued: tried again after the next renewal
            }
        }
    }

    /**
     * Whether an open session was ended by the server (terminated, or the database restarted): then it is
     * discarded, so that it is replaced now, while the store answers, and not found dead only by the first write
     * of the next outage (which would then wait sqlcache.fenceTimeout, its replacement covering nothing until that
     * outage ends). No round trip: the driver reads what already arrived (the server's termination notice), waiting
     * at most a millisecond for it; a session that stopped answering without such a notice (a connection a NAT
     * forgot) is found by {@link #answers}.
     */
    private boolean died(String database, Session session) {
        try {
            synchronized (session) {
                session.connection.unwrap(org.postgresql.PGConnection.class).getNotifications();
            }
            return false;
        } catch (SQLException | RuntimeException e) {
            LOG.debug("sqlcache: this JVM's own session on a database ended: {}", e.toString());
            discard(database, session);
            return true;
        }
    }

    /**
     * Whether a session answered a round trip within {@link #PROBE_NANOS}, trying one now if not (bounded by the
     * socket timeout, on the check thread); one that does not answer is discarded, to be replaced at once.
     */
    private boolean answers(String database, Session session) {
        if (clock.nanoTime() - session.answeredNanos < PROBE_NANOS) {
            return true;
        }
        try {
            synchronized (session) {
                try (PreparedStatement statement = session.connection.prepareStatement("SELECT 1");
                     ResultSet rs = statement.executeQuery()) {
                    rs.next();
                }
                session.connection.commit();
                session.answeredNanos = clock.nanoTime();
            }
            return true;
        } catch (SQLException | RuntimeException e) {
            LOG.debug("sqlcache: this JVM's own session on a database stopped answering: {}", e.toString());
            discard(database, session);
            return false;
        }
    }

    /**
     * One round trip, sent now: the same backend, and this member's shared lock in {@code pg_locks} for it. Since
     * the session took the lock once and never again, holding it now means holding it since then. Run on the
     * anchor thread, and waited for on the caller's (the application's) thread at most {@code timeoutNanos}: a
     * check in flight may hold the session for up to its socket timeout, and a frozen server or link would hold
     * this round trip as long. Null when it has not answered by then (the write falls back to the wait the
     * anchor would have spared it); its answer, when it comes, still marks the session as answering.
     */
    @Override
    public SessionLock heldNow(String entry, long timeoutNanos) {
        String database = DatabaseRegistration.database(entry);
        Session session = database == null ? null : sessions.get(database);
        if (session == null || session.lock == null || !entry.equals(session.lock.database()) || timeoutNanos <= 0) {
            return null;
        }
        FutureTask<SessionLock> trip = new FutureTask<>(() -> roundTrip(database, session));
        try {
            session.anchorThread.execute(trip);
        } catch (RejectedExecutionException busy) {
            unanswered.incrementAndGet();
            return null; // as many round trips already wait for the session: this one would too
        }
        // Waited for even on an interrupted thread (the flag is kept for the caller): the write waits anyway, for
        // the lapse or longer, and this wait is bounded by what it would spare. Given up on at the interrupt, as
        // before, the try was spent (once per connection) and the write waited sqlcache.fenceTimeout after the lapse.
        boolean interrupted = Thread.interrupted();
        long deadline = System.nanoTime() + timeoutNanos;
        try {
            while (true) {
                try {
                    return trip.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    interrupted = true; // the flag is clear now: the next get waits
                }
            }
        } catch (TimeoutException late) {
            trip.cancel(false); // not started yet: never sent; started: left to finish on the anchor thread
            unanswered.incrementAndGet();
            LOG.debug("sqlcache: this JVM's own session on a database did not answer within {} ms",
                    TimeUnit.NANOSECONDS.toMillis(timeoutNanos));
            return null;
        } catch (ExecutionException | java.util.concurrent.CancellationException e) {
            return null; // failed, or cancelled by close(): not vouched for
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** {@link #heldNow(String, long)} without a bound but the session's own socket timeout (for tests). */
    SessionLock heldNow(String entry) {
        return heldNow(entry, Long.MAX_VALUE);
    }

    /** How many anchor round trips a write stopped waiting for (for tests). */
    long unansweredRoundTrips() {
        return unanswered.get();
    }

    private SessionLock roundTrip(String database, Session session) {
        try {
            synchronized (session) {
                boolean held;
                try (PreparedStatement statement = session.connection.prepareStatement(
                        "SELECT pg_backend_pid(), " + HOLDS_LOCK)) {
                    statement.setLong(1, Integer.toUnsignedLong(DatabaseRegistration.LOCK_CLASS));
                    statement.setLong(2, Integer.toUnsignedLong(lockKey));
                    try (ResultSet rs = statement.executeQuery()) {
                        held = rs.next() && rs.getInt(1) == session.pid && rs.getBoolean(2);
                    }
                }
                session.connection.commit();
                session.answeredNanos = clock.nanoTime();
                return held ? session.lock : null;
            }
        } catch (SQLException | RuntimeException | LinkageError e) {
            LOG.debug("sqlcache: this JVM's own session on a database did not answer: {}", e.toString());
            discard(database, session);
            return null;
        }
    }

    /**
     * Tries again the lock a session was refused (another session held it exclusively for a moment, a check of
     * this very key by another JVM, or the server was in recovery then), on the check thread after an answered
     * renewal, one round trip that never waits for the lock. Without this the session would vouch for nothing for
     * the rest of this JVM's life, and every connection opened during an outage would wait sqlcache.fenceTimeout.
     * It never takes the lock a second time: a session found holding it already (granted while in recovery) only
     * counts it from now, later than it was taken, which can only make it cover less.
     */
    private void retryLock(String database, Session session) {
        long now = clock.nanoTime();
        if (now - session.lockRetryNanos < 0) {
            return;
        }
        boolean inRecovery;
        try {
            synchronized (session) {
                try (PreparedStatement statement = session.connection.prepareStatement(
                        "SELECT CASE WHEN " + HOLDS_LOCK + " THEN true ELSE pg_try_advisory_lock_shared(?, ?) END, "
                                + "pg_is_in_recovery(), " + DatabaseRegistration.lockedSql())) {
                    statement.setLong(1, Integer.toUnsignedLong(DatabaseRegistration.LOCK_CLASS));
                    statement.setLong(2, Integer.toUnsignedLong(lockKey));
                    statement.setInt(3, DatabaseRegistration.LOCK_CLASS);
                    statement.setInt(4, lockKey);
                    try (ResultSet rs = statement.executeQuery()) {
                        rs.next();
                        long lockedNanos = clock.nanoTime();
                        inRecovery = rs.getBoolean(2);
                        // Null (in recovery when the fingerprint was read, a promotion racing the statement): not held.
                        if (rs.getBoolean(1) && !inRecovery && rs.getString(3) != null) {
                            session.lock = locked(database, rs.getString(3), lockedNanos);
                        }
                    }
                }
                session.connection.commit();
                session.answeredNanos = clock.nanoTime();
            }
        } catch (SQLException | RuntimeException | LinkageError e) {
            failed(e, "this JVM's own session on a database did not answer");
            discard(database, session);
            return;
        }
        if (session.lock == null) {
            session.lockRetryNanos = now + session.lockBackoffNanos;
            session.lockBackoffNanos = Math.min(LOCK_RETRY_MAX_NANOS, session.lockBackoffNanos * 2);
            refused(database, session, inRecovery);
        } else {
            taken(database);
        }
    }

    /** The lock a session holds, from what {@link DatabaseRegistration#lockedSql()} read. */
    private static SessionLock locked(String database, String locked, long lockedNanos) {
        return new SessionLock(DatabaseRegistration.entry(database, DatabaseRegistration.lockedFingerprint(locked)),
                lockedNanos, true, DatabaseRegistration.lockedServer(locked));
    }

    /**
     * Logged once per database until the lock is taken: what it costs, and that it is tried again. A server in
     * recovery (a read replica given its own identity) writes nothing a lock could vouch for: said, not warned.
     */
    private void refused(String database, Session session, boolean inRecovery) {
        if (refusedLogged.putIfAbsent(database, Boolean.TRUE) != null) {
            return;
        }
        if (inRecovery) {
            LOG.info("sqlcache: this JVM's own session on a PostgreSQL database is on a server in recovery; it "
                    + "holds no member lock there until the server is promoted (tried again at most once a minute)");
            return;
        }
        LOG.warn("sqlcache: this JVM's own session on a PostgreSQL database (backend {}) could not take its member "
                + "lock (another session holds it exclusively); tried again after answered renewals, at most once a "
                + "minute. Until then a connection opened while the cache store is unreachable waits "
                + "sqlcache.fenceTimeout after the lapse before its first write", session.pid);
    }

    private void taken(String database) {
        if (refusedLogged.remove(database) != null) {
            LOG.info("sqlcache: this JVM's own session on a PostgreSQL database holds its member lock now");
        }
    }

    private Session session(String database) throws SQLException {
        Session open = sessions.get(database);
        if (open != null) {
            return open;
        }
        Connection connection = targets.open(database);
        try {
            connection.setAutoCommit(false);
            Session session;
            boolean inRecovery;
            try (PreparedStatement statement = connection.prepareStatement("SELECT pg_try_advisory_lock_shared(?, ?), "
                    + "pg_is_in_recovery(), " + DatabaseRegistration.lockedSql() + ", pg_backend_pid()")) {
                statement.setInt(1, DatabaseRegistration.LOCK_CLASS);
                statement.setInt(2, lockKey);
                try (ResultSet rs = statement.executeQuery()) {
                    rs.next();
                    long lockedNanos = clock.nanoTime();
                    boolean held = rs.getBoolean(1) && !rs.getBoolean(2) && rs.getString(3) != null;
                    inRecovery = rs.getBoolean(2);
                    session = new Session(connection, rs.getInt(4), held
                            ? locked(database, rs.getString(3), lockedNanos) : null, lockedNanos);
                }
            }
            connection.commit();
            synchronized (this) {
                if (closed) {
                    throw new SQLException("closed", "08003");
                }
                sessions.put(database, session);
            }
            if (session.lock == null) {
                refused(database, session, inRecovery);
            } else {
                taken(database);
            }
            return session;
        } catch (SQLException | RuntimeException e) {
            CheckTargets.closeQuietly(connection);
            throw e;
        }
    }

    /** The session open on a database, or null (for tests). */
    Connection openSession(String database) {
        Session session = sessions.get(database);
        return session == null ? null : session.connection;
    }

    /** A session that failed is closed and forgotten: reopened, with a new lock, after a later answered renewal. */
    private void discard(String database, Session session) {
        if (session != null && database != null && sessions.remove(database, session)) {
            session.anchorThread.shutdown(); // round trips still queued fail at once on the closed connection
            CheckTargets.closeQuietly(session.connection);
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        mariaDb.close();
        sessions.values().forEach(session -> {
            // Round trips still queued would never run: cancelled, so that a write waiting on one falls back now
            // rather than at the end of its wait (review rE).
            for (Runnable queued : session.anchorThread.shutdownNow()) {
                ((FutureTask<?>) queued).cancel(false);
            }
            CheckTargets.closeQuietly(session.connection);
        });
        sessions.clear();
    }

}
