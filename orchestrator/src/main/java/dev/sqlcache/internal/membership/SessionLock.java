package dev.sqlcache.internal.membership;

/**
 * What one database connection did to tell other JVMs that this one still runs: the database it registered and
 * when ({@link dev.sqlcache.internal.time.Clock#nanoTime()}) its shared session lock was known to be held.
 * Immutable, taken once when the connection opens.
 *
 * @param database    the registered database ({@link DatabaseRegistration}); null for none
 * @param lockedNanos when the lock's answer arrived; meaningless unless {@code locked}
 * @param locked      whether the connection holds the lock
 */
public record SessionLock(String database, long lockedNanos, boolean locked) {

    /** No connection, or one that registered nothing and holds no lock. */
    public static final SessionLock NONE = new SessionLock(null, 0, false);
}
