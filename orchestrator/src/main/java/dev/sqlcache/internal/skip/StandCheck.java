package dev.sqlcache.internal.skip;

/**
 * Group commit for the stand check of one permit generation's skipping writes: one check answers for every write
 * that reached its end before the check was begun. A write ending while no check is in flight begins one itself
 * (no wait added); one ending while a check is in flight does not take that check's answer, which may have been
 * read before this write's commit returned, but waits for the next check, begun by the first such write once the
 * one in flight is answered, and shared by all the writes that arrived meanwhile. A later check answers for an
 * earlier write too (it was begun after that write's commit returned as well), and since a lease once gone is never
 * put back, "stands" in any check begun after a write's commit says what the write's own check would have said
 * (docs/consistency.md, "Tables nobody caches", item 2). No answer (an error, a timeout) is "gone": the write then
 * bumps, which is always safe. An interrupt of a waiting write is kept for after the answer, not taken for one.
 */
final class StandCheck {

    /** Sends one check to the store; false when it does not answer a clear yes. */
    interface Ask {
        boolean stands(TableSkip table, String token);
    }

    private final Object lock = new Object();
    /** Checks begun so far; the one in flight, if any, is the latest. */
    private long begun;
    /** The latest check answered, and its answer. */
    private long answered;
    private boolean answer;
    private boolean inFlight;
    /** Writes waiting for a check begun after they arrived (tests observe it). */
    private int waiting;

    /** Whether the permit's lease stood at a check begun after this call began (each caller's commit returned). */
    boolean stands(Ask ask, TableSkip table, String token) {
        long round;
        synchronized (lock) {
            // Any check begun from now on is begun after this write's commit returned; the one in flight may not be.
            round = begun + 1;
            waiting++;
            boolean interrupted = false;
            try {
                while (answered < round) {
                    if (!inFlight) {
                        // The check before this write's (if any) is answered: this write begins its own.
                        begun = round;
                        inFlight = true;
                        break;
                    }
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        // Says nothing of the lease: wait on, as the write's own check would have (socket I/O
                        // ignores interrupts; the check in flight is bounded by the store's timeouts). Taken for
                        // "gone", it ended the permit's local validity for every writer here.
                        interrupted = true;
                    }
                }
            } finally {
                waiting--;
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
            if (answered >= round) {
                return answer;
            }
        }
        boolean stands = false;
        try {
            stands = ask.stands(table, token);
            return stands;
        } finally {
            synchronized (lock) {
                answered = round;
                answer = stands;
                inFlight = false;
                lock.notifyAll();
            }
        }
    }

    int waiting() {
        synchronized (lock) {
            return waiting;
        }
    }
}
