package dev.sqlcache.internal.runtime;

import dev.sqlcache.internal.membership.AnsweringStore;
import dev.sqlcache.internal.membership.DatabaseRegistration;
import dev.sqlcache.internal.membership.Membership;
import dev.sqlcache.internal.membership.SessionLock;
import dev.sqlcache.internal.time.Clock;
import dev.sqlcache.testing.ManualTime;
import dev.sqlcache.testing.TcpRelay;
import dev.sqlcache.testing.TestServices;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * This JVM's own session on a PostgreSQL database, the anchor of its connections opened during an outage (issue
 * #15): it vouches for its lock only when a round trip finds the same backend holding it, against a real server.
 */
class MemberSessionChecksTest {

    private static final String DATABASE = "db1";

    private final int key = ThreadLocalRandom.current().nextInt();
    private String url;
    private MemberSessionChecks checks;
    private String entry;
    /** What an application connection on the same server reads when it takes its lock. */
    private String locked;

    @BeforeEach
    void open() throws SQLException {
        TestServices.Database pg = TestServices.postgres();
        url = "jdbc:postgresql://" + pg.address() + "/" + pg.database() + "?user=" + pg.user();
        checks = new MemberSessionChecks(key, Clock.SYSTEM, Runnable::run);
        checks.reached(DATABASE, url, Map.of());
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT " + DatabaseRegistration.lockedSql())) {
            rs.next();
            locked = rs.getString(1);
            entry = DatabaseRegistration.entry(DATABASE, DatabaseRegistration.lockedFingerprint(locked));
        }
    }

    @AfterEach
    void close() {
        checks.close();
    }

    /** A real membership of its own, on an answering store, anchored in {@link #anchors}: see anchorMembership. */
    private ManualTime time;
    private AnsweringStore store;
    private Membership membership;
    private MemberSessionChecks anchors;

    /** Sets up a real membership on an answering store (the manual time for both) and its anchors. */
    private void anchorMembership() {
        time = new ManualTime();
        store = new AnsweringStore(time);
        membership = new Membership(store, "test", 30_000, () -> true, () -> 0, Runnable::run, time);
        anchors = new MemberSessionChecks(membership.lockKey(), time, Runnable::run);
        membership.anchorIn(anchors);
    }

    private static int pid(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void anAnchorHoldingItsLockVouchesForItOnItsOwnServerDatabaseOnly() {
        assertNull(checks.heldNow(entry), "nothing opened before an answered renewal asks for it");
        checks.keep();
        SessionLock held = checks.heldNow(entry);
        assertNotNull(held);
        assertTrue(held.locked());
        assertEquals(entry, held.database());
        assertEquals(DatabaseRegistration.lockedServer(locked), held.server(), "the server instance, as a connection reads it");
        assertNull(checks.heldNow(DatabaseRegistration.entry(DATABASE, "1/1")), "another server database");
        assertNull(checks.heldNow(DatabaseRegistration.entry("db2", "1/1")), "a database it does not reach");
    }

    /**
     * An application thread whose interrupt flag is set (a framework cancelling a request, a pool's own interrupt)
     * used to give up on the round trip at once: the connection's one anchor try was spent, and its write waited
     * sqlcache.fenceTimeout after the lapse instead of the lapse alone. The wait is bounded anyway.
     */
    @Test
    void anInterruptedThreadStillGetsTheAnchorsAnswerAndKeepsItsFlag() {
        checks.keep();
        Thread.currentThread().interrupt();
        try {
            SessionLock held = checks.heldNow(entry, java.util.concurrent.TimeUnit.SECONDS.toNanos(30));
            assertTrue(Thread.currentThread().isInterrupted(), "the flag is kept for the caller");
            assertNotNull(held, "answered for an interrupted thread too");
            assertEquals(0, checks.unansweredRoundTrips());
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void anAnchorThatReleasedItsLockVouchesForNothing() throws SQLException {
        checks.keep();
        assertNotNull(checks.heldNow(entry));
        Connection anchor = checks.openSession(DATABASE);
        try (Statement s = anchor.createStatement()) {
            s.execute("SELECT pg_advisory_unlock_all()");
        }
        anchor.commit();
        assertNull(checks.heldNow(entry), "the same backend, but its lock is gone");
    }

    @Test
    void aTerminatedAnchorVouchesForNothingAndItsReplacementOnlyFromItsOwnLock() throws Exception {
        checks.keep();
        SessionLock first = checks.heldNow(entry);
        assertNotNull(first);
        int pid = pid(checks.openSession(DATABASE));
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("SELECT pg_terminate_backend(" + pid + ")");
        }
        assertNull(checks.heldNow(entry), "a dead session");
        assertNull(checks.openSession(DATABASE), "forgotten");
        Thread.sleep(1100); // keep() retries a database at most once a second
        checks.keep();
        SessionLock second = checks.heldNow(entry);
        assertNotNull(second, "reopened after a later answered renewal");
        assertTrue(second.lockedNanos() - first.lockedNanos() > 0,
                "the replacement's lock counts from when it was taken, not from the first one's");
    }

    /**
     * A database restart (or any termination of the anchor's backend while nothing used it) leaves the anchor dead
     * but still listed: unless the answered renewals that follow notice it, it is found dead only by the first
     * write of the next outage, which then waits sqlcache.fenceTimeout, and is replaced only after that outage
     * (a replacement opened during it covers nothing). So the anchor must be replaced while the store answers.
     */
    @Test
    void anAnchorKilledWhileIdleIsReplacedAfterTheNextAnsweredRenewalNotAtTheNextOutage() throws Exception {
        checks.keep();
        SessionLock first = checks.heldNow(entry);
        assertNotNull(first);
        Connection dead = checks.openSession(DATABASE);
        int pid = pid(dead);
        dead.commit(); // idle again, as between checks
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("SELECT pg_terminate_backend(" + pid + ")");
            for (int i = 0; i < 100; i++) { // bounded: termination is asynchronous
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE pid = " + pid)) {
                    rs.next();
                    if (rs.getInt(1) == 0) {
                        break;
                    }
                }
                Thread.sleep(50);
            }
        }
        Thread.sleep(1100); // keep() visits a database at most once a second
        checks.keep(); // an answered renewal, the store still reachable: no write has used the anchor since
        Connection now = checks.openSession(DATABASE);
        assertNotNull(now, "a session is open again");
        assertTrue(now != dead, "the dead anchor was replaced while the store answered");
        SessionLock second = checks.heldNow(entry);
        assertNotNull(second, "the replacement holds its lock");
        assertTrue(second.lockedNanos() - first.lockedNanos() > 0, "counted from the replacement's own lock");
    }

    /**
     * An anchor is idle between checks, often for days: a NAT or firewall that forgets idle connections (cloud load
     * balancers and NAT gateways do after minutes) black-holes it without a word to either side. Unless the
     * answered renewals find that out, the first write of the next outage finds it instead: its round trip waits
     * for the check session's socket timeout on the application's thread, and then the write waits
     * sqlcache.fenceTimeout anyway. So the anchor must be tried by a round trip now and then while the store
     * answers (which also keeps such a connection from looking idle), and replaced when it does not answer.
     */
    @Test
    void anAnchorThatStoppedAnsweringIsFoundOutWhileTheStoreAnswers() throws Exception {
        ManualTime time = new ManualTime();
        TestServices.Database pg = TestServices.postgres();
        try (TcpRelay relay = TcpRelay.to(pg.port())) {
            String relayed = "jdbc:postgresql://127.0.0.1:" + relay.port() + "/" + pg.database()
                    + "?user=" + pg.user();
            MemberSessionChecks through = new MemberSessionChecks(key, time, Runnable::run);
            try {
                through.reached(DATABASE, relayed, Map.of());
                through.keep();
                assertNotNull(through.heldNow(entry), "opened through the relay");
                Connection forgotten = through.openSession(DATABASE);
                relay.blackHole();
                time.advance(120_000); // renewals go on being answered for two minutes; nothing uses the anchor
                through.keep();
                assertTrue(through.openSession(DATABASE) != forgotten,
                        "the anchor that stopped answering was found out and let go while the store answered");
                relay.restore();
                time.advance(1_100);
                through.keep();
                assertNotNull(through.heldNow(entry), "replaced once the database answers again");
            } finally {
                through.close();
            }
        }
    }

    @Test
    void anAnchorThatCouldNotTakeItsLockVouchesForNothing() throws SQLException {
        try (Connection holder = DriverManager.getConnection(url); Statement s = holder.createStatement()) {
            s.execute("SELECT pg_advisory_lock(" + DatabaseRegistration.LOCK_CLASS + ", " + key + ")");
            checks.keep();
            assertNotNull(checks.openSession(DATABASE), "opened, for the checks");
            assertNull(checks.heldNow(entry), "its shared lock was refused");
        }
    }

    /**
     * A lock refused once (another session held it exclusively for a moment: another JVM's check of this very
     * key does exactly that) used to leave the anchor without it for this JVM's life, so that every connection
     * opened during an outage waited sqlcache.fenceTimeout. It is tried again after answered renewals, and a
     * connection opened during the next outage is covered: the whole chain, through a real membership.
     */
    @Test
    void anAnchorRefusedItsLockTakesItOnceFreeAndALaterConnectionsWriteIsCovered() throws SQLException {
        anchorMembership();
        try {
            anchors.reached(DATABASE, url, Map.of());
            try (Connection holder = DriverManager.getConnection(url); Statement s = holder.createStatement()) {
                s.execute("SELECT pg_advisory_lock(" + DatabaseRegistration.LOCK_CLASS + ", "
                        + membership.lockKey() + ")");
                membership.renew(); // joins; the anchor opens, and its shared lock is refused
                membership.lockSession(DATABASE, (classId, k) -> locked); // an application connection
                time.advance(1_100);
                membership.renew(); // publishes the connection's database; the lock is still refused
                assertNotNull(anchors.openSession(DATABASE), "opened, for the checks");
                assertNull(anchors.heldNow(entry), "refused while another session holds it");
                // Let go before the retry, and not by closing: a backend releases its locks when it has processed
                // the client's goodbye, which may be after the retry's round trip (then refused again).
                s.execute("SELECT pg_advisory_unlock(" + DatabaseRegistration.LOCK_CLASS + ", "
                        + membership.lockKey() + ")");
            }
            Connection anchor = anchors.openSession(DATABASE);
            time.advance(2_100);
            membership.renew(); // answered: the refused lock is tried again
            SessionLock taken = anchors.heldNow(entry);
            assertNotNull(taken, "taken once free, on a later answered renewal");
            assertTrue(anchors.openSession(DATABASE) == anchor, "on the same session");
            time.advance(1_100);
            membership.renew(); // sent after the anchor's lock: it covers from here
            store.cutOff();
            time.advance(500);
            SessionLock late = membership.lockSession(DATABASE, (classId, k) -> locked);
            assertFalse(membership.covers(late), "opened after the last answered renewal's send");
            assertTrue(membership.coversOrAnchors(late), "covered by the anchor: its write waits for the lapse only");
        } finally {
            anchors.close();
        }
    }

    /**
     * The anchor's round trip runs before the write, on the application's thread: a frozen anchor (here its
     * statement waits for a lock another session holds on {@code pg_locks}; a frozen server or link does the same)
     * held the write until the session's 10 s socket timeout, and then discarded a live anchor. The write now
     * waits for it only as long as it would have waited without it (what is left until sqlcache.fenceTimeout
     * after the lapse, made short here), falls back to that wait, and the anchor is kept.
     */
    @Test
    void aFrozenAnchorIsWaitedForNoLongerThanTheWaitItReplacesAndIsKept() throws Exception {
        anchorMembership();
        try {
            anchors.reached(DATABASE, url, Map.of());
            membership.renew(); // joins; the anchor opens and takes its lock
            membership.lockSession(DATABASE, (classId, k) -> locked);
            time.advance(1_100);
            membership.renew(); // publishes the database, sent after the anchor's lock
            Connection anchor = anchors.openSession(DATABASE);
            assertNotNull(anchors.heldNow(entry));
            store.cutOff();
            // Close to the end of the wait the anchor would spare: 200 ms of it left.
            time.advance(java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(membership.nanosUntilLapse(false)) - 200);
            SessionLock late = membership.lockSession(DATABASE, (classId, k) -> locked);
            try (Connection holder = DriverManager.getConnection(url)) {
                holder.setAutoCommit(false);
                try (Statement s = holder.createStatement()) {
                    s.execute("SET LOCAL idle_in_transaction_session_timeout = '30s'"); // lets go by itself
                    s.execute("LOCK TABLE pg_catalog.pg_locks IN ACCESS EXCLUSIVE MODE");
                }
                assertFalse(membership.coversOrAnchors(late), "the write falls back to the wait it would have had");
                assertEquals(1, anchors.unansweredRoundTrips(), "because the anchor did not answer in time");
                holder.rollback();
            }
            assertTrue(anchors.openSession(DATABASE) == anchor, "the slow anchor is kept, not discarded");
            assertNotNull(anchors.heldNow(entry), "and answers once the lock on pg_locks is let go");
        } finally {
            anchors.close();
        }
    }

    /**
     * Each database has its own anchor, and a write on one database must not wait for another database's anchor:
     * with one round-trip thread for all of them, a frozen link to one database (here a black hole; the round trip
     * stays stuck until the session's 10 s socket timeout) held every other database's round trip in the queue
     * behind it, so a connection opened during an outage on a database that answers at once was not vouched for
     * and waited sqlcache.fenceTimeout. Two server databases here are two names for one real database, one reached
     * through a relay.
     */
    @Test
    void aFrozenAnchorOnOneDatabaseDoesNotHoldUpAnotherDatabasesAnchor() throws Exception {
        TestServices.Database pg = TestServices.postgres();
        try (TcpRelay relay = TcpRelay.to(pg.port())) {
            String relayed = "jdbc:postgresql://127.0.0.1:" + relay.port() + "/" + pg.database()
                    + "?user=" + pg.user();
            MemberSessionChecks two = new MemberSessionChecks(key, Clock.SYSTEM, Runnable::run);
            try {
                two.reached("frozen", relayed, Map.of());
                two.reached("answering", url, Map.of());
                two.keep();
                String frozen = DatabaseRegistration.entry("frozen", DatabaseRegistration.lockedFingerprint(locked));
                String answering = DatabaseRegistration.entry("answering",
                        DatabaseRegistration.lockedFingerprint(locked));
                assertNotNull(two.heldNow(frozen), "both anchors open and hold the lock");
                assertNotNull(two.heldNow(answering));
                relay.blackHole();
                long shortWait = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(200);
                assertNull(two.heldNow(frozen, shortWait), "the frozen one does not answer; its round trip stays");
                // Well within the frozen round trip's 10 s socket timeout; a local round trip takes milliseconds.
                long wait = java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
                assertNotNull(two.heldNow(answering, wait), "the other database's anchor answers meanwhile");
            } finally {
                relay.restore();
                two.close();
            }
        }
    }
}
