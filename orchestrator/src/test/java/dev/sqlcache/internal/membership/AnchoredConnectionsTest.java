package dev.sqlcache.internal.membership;

import dev.sqlcache.testing.ManualTime;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #15: which connections opened after the last answered renewal's send an anchor session may vouch for
 * ({@link Membership#coversOrAnchors}). The anchors are stand-ins here; {@code MemberSessionChecksTest} shows what a
 * real one answers, {@code DeadMemberTest} the whole chain between two JVMs.
 */
class AnchoredConnectionsTest {

    private static final String ENTRY = "db1@7/16384";

    private final ManualTime time = new ManualTime();
    private final AnsweringStore store = new AnsweringStore(time);
    private final Membership membership = new Membership(store, "test", 30_000, () -> true, () -> 0, Runnable::run,
            time);

    /** The anchor's lock and how many round trips it was asked for. */
    private SessionLock anchorLock;
    private final AtomicInteger roundTrips = new AtomicInteger();
    private boolean anchorAlive = true;
    /** The bound each round trip was given. */
    private final java.util.List<Long> bounds = new java.util.ArrayList<>();

    {
        membership.anchorIn(new Membership.Anchors() {
            @Override
            public void keep() {
            }

            @Override
            public SessionLock heldNow(String entry, long timeoutNanos) {
                roundTrips.incrementAndGet();
                bounds.add(timeoutNanos);
                return anchorAlive && anchorLock != null && anchorLock.database().equals(entry) ? anchorLock : null;
            }
        });
    }

    /** The server instance every session here is on, unless a test says otherwise. */
    private static final String SERVER = "1700000000000000";

    private SessionLock connection(String entry) {
        return connection(entry, SERVER);
    }

    private SessionLock connection(String entry, String server) {
        return membership.lockSession(DatabaseRegistration.database(entry), (classId, key) ->
                DatabaseRegistration.fingerprint(entry) + " " + server);
    }

    /** A connection, then the anchor, registered and covered by answered renewals; then the store is cut off. */
    private void anchoredThenCutOff() {
        membership.renew();
        connection(ENTRY);
        anchorLock = new SessionLock(ENTRY, time.nanoTime(), true, SERVER);
        time.advance(500);
        membership.renew(); // sent after both locks: the anchor is covered
        time.advance(500);
        store.cutOff();
    }

    @Test
    void aConnectionOpenedAfterTheLastAnsweredRenewalIsCoveredOnceItsAnchorAnswersAlive() {
        anchoredThenCutOff();
        SessionLock late = connection(ENTRY);
        assertFalse(membership.covers(late), "its lock was taken after the last answered renewal's send");
        assertTrue(membership.coversOrAnchors(late));
        assertTrue(membership.covers(late), "for the rest of its session, without asking again");
        assertTrue(membership.coversOrAnchors(late));
        assertEquals(1, roundTrips.get(), "one round trip per connection");
    }

    @Test
    void aDeadAnchorVouchesForNothingAndIsNotAskedAgainForThatConnection() {
        anchoredThenCutOff();
        anchorAlive = false;
        SessionLock late = connection(ENTRY);
        assertFalse(membership.coversOrAnchors(late));
        anchorAlive = true;
        assertFalse(membership.coversOrAnchors(late), "tried once per connection");
        assertFalse(membership.covers(late));
        assertEquals(1, roundTrips.get());
    }

    @Test
    void anAnchorWhoseLockWasTakenAfterTheLastAnsweredRenewalsSendVouchesForNothing() {
        membership.renew();
        connection(ENTRY);
        time.advance(500);
        membership.renew();
        store.cutOff();
        time.advance(100);
        // A replacement opened during the outage: the gap before its lock is not covered by anybody.
        anchorLock = new SessionLock(ENTRY, time.nanoTime(), true, SERVER);
        time.advance(100);
        assertFalse(membership.coversOrAnchors(connection(ENTRY)));
    }

    @Test
    void anAnchorOnAnotherServerDatabaseVouchesForNothing() {
        anchoredThenCutOff();
        anchorLock = new SessionLock("db1@8/16384", anchorLock.lockedNanos(), true, SERVER);
        assertFalse(membership.coversOrAnchors(connection("db1@8/16384")),
                "the anchor's server database was never published by an answered renewal");
        assertFalse(membership.coversOrAnchors(connection("db1@9/16384")), "and not the connection's own");
    }

    @Test
    void aConnectionWithoutItsOwnLockOrNoneAtAllIsNeverAnchored() {
        anchoredThenCutOff();
        SessionLock refused = membership.lockSession("db1", (classId, key) -> null);
        assertFalse(membership.coversOrAnchors(refused));
        assertFalse(membership.coversOrAnchors(SessionLock.NONE), "an invalidation tied to no connection");
        assertEquals(0, roundTrips.get());
    }

    /**
     * The round trip runs on the application's thread, before the write: it must never make the write wait longer
     * than the write would have without it (sqlcache.fenceTimeout after the lapse). Before, it was bounded only by
     * the check session's 10 s socket timeout, and by a check in flight on the same session.
     */
    @Test
    void theRoundTripIsBoundedByTheWaitItReplacesAndNotTriedOnceThatWaitIsOver() {
        anchoredThenCutOff();
        SessionLock late = connection(ENTRY);
        long uncoveredWait = membership.nanosUntilLapse(false);
        assertTrue(uncoveredWait > 0);
        assertTrue(membership.coversOrAnchors(late));
        assertEquals(java.util.List.of(uncoveredWait), bounds, "bounded by what is left of the wait it replaces");

        time.advance(java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(uncoveredWait) + 1);
        SessionLock later = connection(ENTRY);
        assertFalse(membership.coversOrAnchors(later), "nothing left to spare: the write runs at once anyway");
        assertEquals(1, roundTrips.get(), "no round trip");
    }

    /**
     * Split brain: a promoted replica has its old primary's system identifier and oids, so a connection on it
     * registers the same entry as the anchor on the old primary, which may go on living if nobody stopped it. The
     * anchor's lock there says nothing of the new primary's lock table, where a check may have found the lock
     * free before the connection took it. Only the server instance (its postmaster start time) tells them apart.
     */
    @Test
    void anAnchorOnTheOldPrimaryVouchesForNothingOnAPromotedReplica() {
        anchoredThenCutOff();
        SessionLock onPromoted = connection(ENTRY, "1700000000000001");
        assertEquals(ENTRY, onPromoted.database(), "the same entry");
        assertFalse(membership.coversOrAnchors(onPromoted), "another server instance");
        SessionLock unknown = membership.lockSession("db1", (classId, key) -> DatabaseRegistration.fingerprint(ENTRY));
        assertFalse(membership.coversOrAnchors(unknown), "a server instance not read: nothing to compare");
        assertTrue(membership.coversOrAnchors(connection(ENTRY)), "the anchor's own server instance");
    }
}
