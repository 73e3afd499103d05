package dev.sqlcache.internal.engine;

/**
 * Whether one statement's Redis lookups are finding entries under their keys: the guess a lookup that keeps no copy
 * sends with, so that a statement whose reads hit pays no {@code EXISTS} per hit (CacheStore's {@code entryLikely}).
 * Only what is sent depends on it, never what a lookup answers: a wrong guess costs a second round trip (an entry
 * expected but missing) or one command (an entry there but not expected).
 *
 * <p>Plain fields, shared by every thread running the statement without synchronization: a lost or stale update
 * only changes the guess. Written only while the streak grows and when it breaks, so that a statement hitting from
 * several threads does not write a shared cache line on every hit.
 */
final class EntryPresence {

    /**
     * Lookups in a row that must find an entry before the next is sent expecting one: a statement whose keys are
     * missing one time in {@code STREAK} or more (a cold cache, entries expiring) keeps asking, and pays a second
     * round trip at most once per streak.
     */
    static final int STREAK = 8;

    private int found;

    /** Whether the next lookup may expect an entry. */
    boolean likely() {
        return found >= STREAK;
    }

    /** A lookup found an entry under its key (current or not, or one over the cap), or found none. */
    void seen(boolean entry) {
        int f = found;
        if (entry) {
            if (f < STREAK) {
                found = f + 1;
            }
        } else if (f != 0) {
            found = 0;
        }
    }
}
