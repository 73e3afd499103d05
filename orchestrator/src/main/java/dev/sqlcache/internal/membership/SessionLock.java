package dev.sqlcache.internal.membership;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * What one database connection did to tell other JVMs that this one still runs: the database it registered and
 * when ({@link dev.sqlcache.internal.time.Clock#nanoTime()}) its shared session lock was known to be held. Taken
 * once when the connection opens; the only thing that changes afterwards is whether an anchor session was shown
 * to have held the same lock until after it ({@link Membership#coversOrAnchors}), tried once per connection.
 */
public final class SessionLock {

    /** No connection, or one that registered nothing and holds no lock. */
    public static final SessionLock NONE = new SessionLock(null, 0, false);

    private static final int NOT_TRIED = 0;
    private static final int TRIED = 1;
    private static final int ANCHORED = 2;

    private final String database;
    private final long lockedNanos;
    private final boolean locked;
    /** The server instance the lock lives on ({@link DatabaseRegistration#lockedSql()}); null: not known. */
    private final String server;
    private final AtomicInteger anchor = new AtomicInteger(NOT_TRIED);
    /** Where the entry was registered, until {@link #release}; null when it registered nothing to release. */
    private final java.util.concurrent.atomic.AtomicReference<DatabaseRegistration> registeredIn =
            new java.util.concurrent.atomic.AtomicReference<>();
    /** Where the connection was counted open ({@link Membership#lockSession}), until {@link #release}. */
    private final java.util.concurrent.atomic.AtomicReference<OpenSessions> countedIn =
            new java.util.concurrent.atomic.AtomicReference<>();

    /**
     * @param database    the registered database ({@link DatabaseRegistration}); null for none
     * @param lockedNanos when the lock's answer arrived; meaningless unless {@code locked}
     * @param locked      whether the connection holds the lock
     */
    public SessionLock(String database, long lockedNanos, boolean locked) {
        this(database, lockedNanos, locked, null);
    }

    /** @param server the server instance ({@link DatabaseRegistration#lockedServer}); null when not known */
    public SessionLock(String database, long lockedNanos, boolean locked, String server) {
        this.database = database;
        this.lockedNanos = lockedNanos;
        this.locked = locked;
        this.server = server;
    }

    /** The registration {@link #database} was counted in ({@link Membership#lockSession}). */
    SessionLock registeredIn(DatabaseRegistration registration) {
        registeredIn.set(registration);
        return this;
    }

    /** The open sessions this connection was counted in ({@link Membership#lockSession}). */
    SessionLock countedIn(OpenSessions sessions) {
        countedIn.set(sessions);
        return this;
    }

    /**
     * The connection closed (its real connection's close returned): nothing more is sent on it, so its entry
     * need not be published for it any more ({@link DatabaseRegistration#release}), and it no longer holds the
     * membership back from leaving ({@link OpenSessions}). Once; later calls do nothing.
     */
    public void release() {
        DatabaseRegistration registration = registeredIn.getAndSet(null);
        if (registration != null) {
            registration.release(database);
        }
        OpenSessions sessions = countedIn.getAndSet(null);
        if (sessions != null) {
            sessions.close();
        }
    }

    /** The server instance the lock lives on, or null when not known (then no anchor vouches for it). */
    public String server() {
        return server;
    }

    public String database() {
        return database;
    }

    public long lockedNanos() {
        return lockedNanos;
    }

    public boolean locked() {
        return locked;
    }

    /** Whether an anchor was shown holding the lock after this connection took it. */
    boolean anchored() {
        return anchor.get() == ANCHORED;
    }

    /** True for the one caller that may try the anchor; every later call is false (once per connection). */
    boolean claimAnchorTry() {
        return locked && anchor.compareAndSet(NOT_TRIED, TRIED);
    }

    /** The claimed try succeeded: covered from now on, for the rest of the session. */
    void anchoredNow() {
        anchor.set(ANCHORED);
    }

    @Override
    public String toString() {
        return "SessionLock[" + database + (locked ? ", locked" : "") + (anchored() ? ", anchored" : "") + "]";
    }
}
