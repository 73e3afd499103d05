package dev.sqlcache.internal.engine;

/**
 * What one statement's Redis lookups are finding under their keys, as two guesses that change what the next lookup
 * sends, never what it answers. Whether entries are there: a lookup that keeps no copy then sends no {@code EXISTS}
 * (CacheStore's {@code entryLikely}); a wrong guess costs a second round trip (an entry expected but missing) or one
 * command (an entry there but not expected). Whether its last lookups had to create a token (rows read for the first
 * time, as a statement does while it walks rows nobody has read): after {@link #CREATING} of them in a row the next
 * one is sent as the script that creates and reads at once, one round trip instead of a read that finds the token
 * missing and the script after it (CacheStore's {@code tokenMissingLikely}); a wrong guess costs the script's server
 * time (its entry read and tokens, about ten commands where the read sends four) on one lookup, after which the
 * statement reads plainly again. Two, not one: a single first read among reads of known rows (YCSB's steady state)
 * sends the next lookup plainly.
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

    /** Lookups in a row that created a token before the next is sent as the script that creates. */
    static final int CREATING = 2;

    private int found;
    private int created;

    /** Whether the next lookup may expect an entry. */
    boolean likely() {
        return found >= STREAK;
    }

    /** Whether the last lookups created a token: the next is likely to find one missing too. */
    boolean creating() {
        return created >= CREATING;
    }

    /**
     * A lookup found an entry under its key (current or not, or one over the cap), or found none, and whether it
     * created a token.
     */
    void seen(boolean entry, boolean created) {
        int c = this.created;
        if (created) {
            if (c < CREATING) {
                this.created = c + 1;
            }
        } else if (c != 0) {
            this.created = 0;
        }
        seen(entry);
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
