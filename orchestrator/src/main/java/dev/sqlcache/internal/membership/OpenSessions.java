package dev.sqlcache.internal.membership;

import java.util.concurrent.TimeUnit;

/**
 * The sessions (connections) open on one membership, so that it leaves the set only when none is open. A leave
 * brings the fence back for the other JVMs at once; a write that starts afterwards and cannot place its lease (the
 * store is closed, or fails) would run relying on this JVM's lapse, which fences nobody once it has left. With no
 * session open there is nobody left to start one; a session that would open after the close is refused (its
 * connection opens on a fresh runtime), and one open at the leave makes the membership lapse instead
 * (docs/consistency.md, "A leave with connections open").
 *
 * <p>One lock orders a session's opening with the close: either the session is counted first (and the membership
 * does not leave) or it finds the membership closed (and is refused). Taken once per connection and once per
 * leave, never per query.
 */
final class OpenSessions {

    /** Guarded by {@code this}. */
    private int open;
    /** Set once the membership closed: no session opens on it afterwards. Guarded by {@code this}. */
    private boolean closed;

    /** A session opens: false once the membership closed (the caller must not use this membership). */
    synchronized boolean open() {
        if (closed) {
            return false;
        }
        open++;
        return true;
    }

    /** A counted session closed (once per session). */
    synchronized void close() {
        if (--open == 0) {
            notifyAll();
        }
    }

    /**
     * Waits until no session is open, at most {@code nanos}: at exit, the application's own shutdown hooks (a pool
     * closing its connections) run at the same time as sqlcache's, and a membership that can still leave spares the
     * other JVMs its lapse. Decides nothing: a session may open again afterwards.
     *
     * @return whether none was open when it returned
     */
    synchronized boolean awaitNoneOpen(long nanos) throws InterruptedException {
        long deadline = System.nanoTime() + nanos;
        while (open > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }

    /**
     * The membership closed: from now on {@link #open()} refuses every session, whether the membership then leaves
     * or lapses (or never joined): a session opening on it would find its store closed, and its writes could rely
     * neither on a lease nor on a lapse that the leave or the close's timing may have made fence nobody.
     */
    synchronized void refuseFromNowOn() {
        closed = true;
    }

    /**
     * Whether no session is open, once {@link #refuseFromNowOn()} was called: then none opens any more, and the
     * membership may leave; else it lapses, as a write on a session still open may rely on the lapse.
     */
    synchronized boolean noneOpen() {
        return open == 0;
    }
}
