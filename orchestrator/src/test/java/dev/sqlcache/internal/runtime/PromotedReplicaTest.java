package dev.sqlcache.internal.runtime;

import dev.sqlcache.internal.membership.AnsweringStore;
import dev.sqlcache.internal.membership.DatabaseRegistration;
import dev.sqlcache.internal.membership.Membership;
import dev.sqlcache.internal.membership.SessionLock;
import dev.sqlcache.internal.time.Clock;
import dev.sqlcache.testing.PostgresPair;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #15 against a real promoted replica ({@link PostgresPair}): a physical replica has its primary's system
 * identifier and oids, so what tells a member's sessions on the old primary from the promoted server's lock table
 * must be observed on a real promotion, not argued. The old primary is left running where the test says so: a
 * split brain, in which a member cut off from Redis may still be writing there.
 */
class PromotedReplicaTest {

    private static final String DATABASE = "db1";

    private PostgresPair pair;
    private final List<Connection> open = new ArrayList<>();
    private final List<MemberSessionChecks> checks = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        long started = System.nanoTime();
        pair = PostgresPair.start();
        System.out.printf("primary and replica started in %d ms%n", (System.nanoTime() - started) / 1_000_000);
    }

    @AfterEach
    void stop() throws Exception {
        checks.forEach(MemberSessionChecks::close);
        for (Connection c : open) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // its server may be stopped
            }
        }
        pair.close();
    }

    private Connection connect(String url) throws SQLException {
        Connection c = DriverManager.getConnection(url);
        open.add(c);
        return c;
    }

    /** What an application connection reads when it takes a member's shared lock (as RealSessionProbe does). */
    private static String takeLock(Connection c, int key) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT pg_try_advisory_lock_shared(?, ?), pg_is_in_recovery(), "
                + DatabaseRegistration.lockedSql())) {
            s.setInt(1, DatabaseRegistration.LOCK_CLASS);
            s.setInt(2, key);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                assertTrue(rs.getBoolean(1), "the lock was taken");
                assertFalse(rs.getBoolean(2), "on a server out of recovery");
                return rs.getString(3);
            }
        }
    }

    private static String entry(String locked) {
        return DatabaseRegistration.entry(DATABASE, DatabaseRegistration.lockedFingerprint(locked));
    }

    /** Another JVM's check sessions, reaching the identity {@link #DATABASE} at {@code url}. */
    private MemberSessionChecks checker(String url) {
        MemberSessionChecks other = new MemberSessionChecks(ThreadLocalRandom.current().nextInt(), Clock.SYSTEM,
                Runnable::run);
        other.reached(DATABASE, url, Map.of());
        checks.add(other);
        return other;
    }

    /**
     * The early drop's server check (fix b): a member alive on the old primary, whose URL another JVM now resolves
     * to the promoted replica, holds its lock in the old primary's lock table; the promoted server's is empty of it.
     * Found free there, the member would be dropped while its writes go on committing on the old primary. Before
     * the fingerprint named the timeline, the entry matched on the promoted server and the lock was found free.
     */
    @Test
    void aLockHeldOnTheOldPrimaryIsNotFoundFreeOnThePromotedReplica() throws Exception {
        int member = ThreadLocalRandom.current().nextInt();
        String onOldPrimary = entry(takeLock(connect(pair.primaryUrl()), member));
        pair.awaitReplayed();
        pair.promote();

        MemberSessionChecks onPromoted = checker(pair.replicaUrl());
        assertFalse(onPromoted.sessionsGone(onOldPrimary, DatabaseRegistration.LOCK_CLASS, member),
                "the member's session lives on the old primary: the promoted server cannot tell it is gone");

        // The check itself works on the promoted server: a lock taken there and let go is found free. (Let go
        // rather than its session closed: a closed connection's backend releases its locks a moment later.)
        int dead = ThreadLocalRandom.current().nextInt();
        Connection released = connect(pair.replicaUrl());
        String onPromotedEntry = entry(takeLock(released, dead));
        try (PreparedStatement s = released.prepareStatement("SELECT pg_advisory_unlock_shared(?, ?)")) {
            s.setInt(1, DatabaseRegistration.LOCK_CLASS);
            s.setInt(2, dead);
            try (ResultSet rs = s.executeQuery()) {
                assertTrue(rs.next() && rs.getBoolean(1), "let go");
            }
        }
        assertNotEquals(onOldPrimary, onPromotedEntry, "the two servers register apart");
        assertTrue(onPromoted.sessionsGone(onPromotedEntry, DatabaseRegistration.LOCK_CLASS, dead));
        // And the old primary, still running, still sees its live member's lock held.
        assertFalse(checker(pair.primaryUrl()).sessionsGone(onOldPrimary, DatabaseRegistration.LOCK_CLASS, member));
    }

    /**
     * What the fingerprint must not do (fix b's other side): a plain restart ends every session, so a member whose
     * sessions it ended is found gone after it (not kept until sqlcache.fenceTimeout), and one that reconnected and
     * took its lock again is found alive. A fingerprint matched by the postmaster's start time alone would fail the
     * first. Since session 30 the entry names the start time too (siblings, below), so the entry from before the
     * restart is another one, matched by the server's address and port.
     */
    @Test
    void aRestartKeepsTheRegistrationsMeaning() throws Exception {
        int killed = ThreadLocalRandom.current().nextInt();
        int reconnected = ThreadLocalRandom.current().nextInt();
        String killedEntry = entry(takeLock(connect(pair.primaryUrl()), killed));
        String before = takeLock(connect(pair.primaryUrl()), reconnected);
        pair.restartPrimary();
        String after = takeLock(connect(pair.primaryUrl()), reconnected);
        assertNotEquals(DatabaseRegistration.lockedServer(before), DatabaseRegistration.lockedServer(after),
                "another postmaster: an anchor from before the restart vouches for nothing after it");

        MemberSessionChecks onPrimary = checker(pair.primaryUrl());
        assertTrue(onPrimary.sessionsGone(killedEntry, DatabaseRegistration.LOCK_CLASS, killed),
                "a member whose every session the restart ended is found gone");
        assertTrue(onPrimary.sessionsGone(entry(before), DatabaseRegistration.LOCK_CLASS, killed),
                "an entry registered before the restart still names the restarted server");
        assertFalse(onPrimary.sessionsGone(entry(after), DatabaseRegistration.LOCK_CLASS, reconnected),
                "a member that reconnected is found alive");
        assertFalse(onPrimary.sessionsGone(entry(before), DatabaseRegistration.LOCK_CLASS, reconnected),
                "a member that reconnected is found alive under its entry from before the restart too");
    }

    /**
     * Two replicas of one primary, both promoted (the primary left running: the worst case, though stopping it
     * changes nothing here): each takes timeline 2, having seen no history file of the other, so the identifier,
     * the oid and the timeline are the same on both. A member alive on one sibling holds its lock there; a check that
     * reaches the other under the same identity must not find it free. Before session 30 the fingerprint was those
     * three parts, and the check found the lock free: the member would be dropped while its writes commit on its
     * sibling. The check still works on the second sibling (a lock let go there is found free).
     */
    @Test
    void aLockHeldOnOnePromotedSiblingIsNotFoundFreeOnTheOther() throws Exception {
        String siblingUrl = pair.startSecondReplica();
        pair.awaitReplayed();
        pair.promote();
        pair.promoteSecondReplica();

        int member = ThreadLocalRandom.current().nextInt();
        String first = takeLock(connect(pair.replicaUrl()), member);
        Connection onSibling = connect(siblingUrl);
        int dead = ThreadLocalRandom.current().nextInt();
        String second = takeLock(onSibling, dead);
        String[] a = DatabaseRegistration.lockedFingerprint(first).split("/");
        String[] b = DatabaseRegistration.lockedFingerprint(second).split("/");
        assertEquals(a[0] + "/" + a[1] + "/" + a[2], b[0] + "/" + b[1] + "/" + b[2],
                "the siblings share identifier, oid and timeline");

        assertFalse(checker(siblingUrl).sessionsGone(entry(first), DatabaseRegistration.LOCK_CLASS, member),
                "the member's session lives on the first sibling: the second cannot tell it is gone");
        assertFalse(checker(pair.replicaUrl()).sessionsGone(entry(first), DatabaseRegistration.LOCK_CLASS, member),
                "its own server finds it held");
        try (PreparedStatement s = onSibling.prepareStatement("SELECT pg_advisory_unlock_shared(?, ?)")) {
            s.setInt(1, DatabaseRegistration.LOCK_CLASS);
            s.setInt(2, dead);
            try (ResultSet rs = s.executeQuery()) {
                assertTrue(rs.next() && rs.getBoolean(1), "let go");
            }
        }
        assertTrue(checker(siblingUrl).sessionsGone(entry(second), DatabaseRegistration.LOCK_CLASS, dead),
                "a lock let go on the second sibling is found free there");
    }

    /**
     * The siblings again, each reached through its Unix socket on the same port number (review rF): a session over a
     * socket has no server address ({@code inet_server_addr()} is null), so both fingerprints end in
     * {@code local:<port>}, and the address, which was to tell the siblings apart when their start times differ,
     * matched instead. That is any two servers each reached through a local socket (a pooler beside each server on
     * its default port): the check on one sibling found free the lock of a member alive on the other. A socket's
     * "address" names no server, so it tells nothing: such entries match by the start time only.
     */
    @Test
    void siblingsReachedThroughTheirOwnSocketsAreNotMistakenForOne() throws Exception {
        String[] sockets = pair.startSecondReplicaOnTheReplicasPort();
        pair.awaitReplayed();
        pair.promote();
        pair.promoteSecondReplica();

        int member = ThreadLocalRandom.current().nextInt();
        String first = takeLock(connect(sockets[0]), member);
        int dead = ThreadLocalRandom.current().nextInt();
        Connection onSibling = connect(sockets[1]);
        String second = takeLock(onSibling, dead);
        String[] a = DatabaseRegistration.lockedFingerprint(first).split("/");
        String[] b = DatabaseRegistration.lockedFingerprint(second).split("/");
        assertEquals(a[0] + "/" + a[1] + "/" + a[2] + "/" + a[4], b[0] + "/" + b[1] + "/" + b[2] + "/" + b[4],
                "the siblings share identifier, oid, timeline and the socket's 'address'");
        assertNotEquals(a[3], b[3], "two postmasters");

        assertFalse(checker(sockets[1]).sessionsGone(entry(first), DatabaseRegistration.LOCK_CLASS, member),
                "the member's session lives on the first sibling: the second cannot tell it is gone");
        assertFalse(checker(sockets[0]).sessionsGone(entry(first), DatabaseRegistration.LOCK_CLASS, member),
                "its own server finds it held");
        try (PreparedStatement s = onSibling.prepareStatement("SELECT pg_advisory_unlock_shared(?, ?)")) {
            s.setInt(1, DatabaseRegistration.LOCK_CLASS);
            s.setInt(2, dead);
            try (ResultSet rs = s.executeQuery()) {
                assertTrue(rs.next() && rs.getBoolean(1), "let go");
            }
        }
        assertTrue(checker(sockets[1]).sessionsGone(entry(second), DatabaseRegistration.LOCK_CLASS, dead),
                "a lock let go on the second sibling is found free there, through its socket");
    }

    /**
     * Review of issue #15's fix (split brain that goes on): the old primary, left running at the promotion, is then
     * restarted as a primary (an operator's restart, a crash): it keeps its own timeline, and the restart ends its
     * sessions. The member, alive, has moved to the promoted server and took its lock there. A check on the
     * restarted old primary rightly finds the entry registered there gone, but must not find free the entry the
     * member registered on the promoted server: that lock lives in the promoted server's lock table, which the old
     * primary never had. With the fingerprint of before (identifier and oid), both entries were one, found free on
     * the old primary: the member would be dropped while it writes on the promoted server.
     */
    @Test
    void theOldPrimaryRestartedAfterThePromotionDoesNotFindFreeALockOnThePromotedServer() throws Exception {
        int member = ThreadLocalRandom.current().nextInt();
        String onOld = entry(takeLock(connect(pair.primaryUrl()), member));
        pair.awaitReplayed();
        pair.promote();
        String onPromoted = entry(takeLock(connect(pair.replicaUrl()), member));
        pair.restartPrimary();

        MemberSessionChecks onRestarted = checker(pair.primaryUrl());
        assertTrue(onRestarted.sessionsGone(onOld, DatabaseRegistration.LOCK_CLASS, member),
                "the member's session on the old primary ended with its restart: the check works there");
        assertFalse(onRestarted.sessionsGone(onPromoted, DatabaseRegistration.LOCK_CLASS, member),
                "the member's live session is on the promoted server: the old primary cannot tell it is gone");
        assertNotEquals(onOld, onPromoted);
    }

    /**
     * Review of issue #15's fix: another JVM's check session opened on the replica while it was in recovery, and
     * kept (a session lives through a promotion). In recovery it decides nothing; promoted, the same session must
     * read the server's new timeline with each check, not go on naming what it reached when it opened: the lock of
     * a member alive on the old primary, which was not stopped, is not found free on it.
     */
    @Test
    void aCheckSessionKeptThroughThePromotionReadsTheNewTimeline() throws Exception {
        int member = ThreadLocalRandom.current().nextInt();
        String onOld = entry(takeLock(connect(pair.primaryUrl()), member));
        pair.awaitReplayed();
        MemberSessionChecks onReplica = checker(pair.replicaUrl());
        assertFalse(onReplica.sessionsGone(onOld, DatabaseRegistration.LOCK_CLASS, member),
                "a server in recovery decides nothing");
        Connection session = onReplica.openSession(DATABASE);
        assertNotNull(session, "the check's session stays open in recovery");

        pair.promote();
        assertFalse(onReplica.sessionsGone(onOld, DatabaseRegistration.LOCK_CLASS, member),
                "the member's session lives on the old primary: the promoted server cannot tell it is gone");
        assertTrue(session == onReplica.openSession(DATABASE), "checked on the session kept through the promotion");
    }

    /**
     * The anchor (a): this JVM's anchor lives on the old primary, which was not stopped, and holds the member's
     * lock there; a connection opened during the outage reaches the promoted replica. The anchor's lock is in the
     * old primary's lock table, so it must not vouch for the new connection, while it does for one on its own server.
     */
    @Test
    void theAnchorOnTheOldPrimaryDoesNotVouchForAConnectionOnThePromotedReplica() throws Exception {
        AnsweringStore store = new AnsweringStore();
        Membership membership = new Membership(store, "test", 30_000, () -> true, () -> 0, Runnable::run,
                Clock.SYSTEM);
        MemberSessionChecks anchors = new MemberSessionChecks(membership.lockKey(), Clock.SYSTEM, Runnable::run);
        checks.add(anchors);
        anchors.reached(DATABASE, pair.primaryUrl(), Map.of());
        membership.anchorIn(anchors);

        membership.renew();
        Connection first = connect(pair.primaryUrl());
        SessionLock covered = membership.lockSession(DATABASE, (classId, key) -> takeLock(first, key));
        membership.renew(); // publishes the connection's entry and opens the anchor (keep(), on this thread)
        assertNotNull(anchors.openSession(DATABASE), "the anchor is open on the old primary");
        membership.renew(); // sent after the anchor's lock: the anchor is covered
        assertTrue(membership.covers(covered));
        store.cutOff();

        pair.awaitReplayed();
        pair.promote();

        Connection onOld = connect(pair.primaryUrl());
        SessionLock sameServer = membership.lockSession(DATABASE, (classId, key) -> takeLock(onOld, key));
        assertFalse(membership.covers(sameServer), "opened after the last answered renewal's send");
        assertTrue(membership.coversOrAnchors(sameServer), "the anchor vouches on its own server");

        Connection onPromoted = connect(pair.replicaUrl());
        SessionLock promoted = membership.lockSession(DATABASE, (classId, key) -> takeLock(onPromoted, key));
        assertFalse(membership.covers(promoted));
        assertFalse(membership.coversOrAnchors(promoted),
                "the anchor's lock is in the old primary's lock table, not the promoted server's");
    }

    /**
     * Two JVMs' membership in one store that keeps registrations and drops members early, as Redis does
     * ({@code registration.lua}, {@code drop.lua}): a killed member lapses, a dropped one stays out.
     */
    private static final class SharedStore implements dev.sqlcache.internal.membership.MembershipStore {
        final Map<String, String> registrations = new java.util.concurrent.ConcurrentHashMap<>();
        final java.util.Set<String> killed = java.util.concurrent.ConcurrentHashMap.newKeySet();
        final java.util.Set<String> dropped = java.util.concurrent.ConcurrentHashMap.newKeySet();
        /** Members in the order of their first renewal. */
        final List<String> joined = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public void joinTicket(String ticket, long ticketMillis) {
        }

        @Override
        public Renewal renew(String member, String joinTicket, long memberMillis, long fenceMillis, long notAfter,
                             String rememberedEpoch, String registration) {
            if (killed.contains(member) || dropped.contains(member)) {
                return new Renewal(Renewal.LAPSED, "epoch", Map.of());
            }
            if (!joined.contains(member)) {
                joined.add(member);
            }
            if (!registration.isEmpty()) {
                registrations.put(member, registration);
            }
            Map<String, Long> members = new java.util.HashMap<>();
            for (String m : joined) {
                if (!dropped.contains(m)) {
                    members.put(m, killed.contains(m) ? 1L : Long.MAX_VALUE); // a killed one lapsed long ago
                }
            }
            return new Renewal(System.currentTimeMillis(), "epoch", members);
        }

        @Override
        public boolean dropsEarly() {
            return true;
        }

        @Override
        public String registration(String member) {
            return registrations.get(member);
        }

        @Override
        public boolean dropIfStillLapsed(String member, long lapse) {
            return killed.contains(member) && dropped.add(member);
        }

        @Override
        public String restoreMembers(String epoch, Map<String, Long> members) {
            return epoch;
        }

        @Override
        public void leave(String member) {
        }
    }

    private static Membership member(dev.sqlcache.internal.membership.MembershipStore store) {
        return new Membership(store, "test", 30_000, () -> true, () -> 0, Runnable::run, Clock.SYSTEM);
    }

    /** Lets go of a member's lock on a session, as its process's death would (at once, unlike a closed session). */
    private static void letGo(Connection c, int key) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT pg_advisory_unlock_shared(?, ?)")) {
            s.setInt(1, DatabaseRegistration.LOCK_CLASS);
            s.setInt(2, key);
            try (ResultSet rs = s.executeQuery()) {
                assertTrue(rs.next() && rs.getBoolean(1), "let go");
            }
        }
    }

    /**
     * Issue #15, after a failover: a live JVM moved its connections to the promoted server (its pool closed the ones
     * the old primary's stop broke, and opened new ones there). Its registration then names the promoted server's
     * timeline, so a later {@code kill -9} of it is dropped early by a check there. Before, the old primary's entry
     * stayed in its registration for the JVM's life; no check on the promoted server can match it, and the killed
     * member was kept until sqlcache.fenceTimeout.
     */
    @Test
    void aMemberThatMovedToThePromotedServerIsDroppedEarlyOnceKilled() throws Exception {
        SharedStore store = new SharedStore();
        Membership killedLater = member(store);
        Connection onOld = connect(pair.primaryUrl());
        SessionLock oldLock = killedLater.lockSession(DATABASE, (classId, key) -> takeLock(onOld, key));
        killedLater.renew();
        String id = store.joined.get(0);
        assertEquals(oldLock.database(), store.registration(id), "registered on the old primary");

        pair.awaitReplayed();
        pair.promote();
        pair.stopPrimary(true);
        try {
            onOld.close(); // what a pool does with a connection its server's stop broke
        } catch (SQLException ignored) {
            // broken already
        }
        oldLock.release();
        Connection onPromoted = connect(pair.replicaUrl());
        SessionLock promotedLock = killedLater.lockSession(DATABASE, (classId, key) -> takeLock(onPromoted, key));
        killedLater.renew();
        assertNotEquals(oldLock.database(), promotedLock.database(), "another timeline");
        String registered = store.registration(id);

        letGo(onPromoted, killedLater.lockKey()); // kill -9
        store.killed.add(id);
        Membership checking = member(store);
        checking.checkLapsedMembers(checker(pair.replicaUrl()), Runnable::run);
        checking.renew(); // checks the lapsed member on this thread
        assertTrue(store.dropped.contains(id), "dropped early by a check on the promoted server");
        assertEquals(promotedLock.database(), registered,
                "the promoted server's entry, and no more the old primary's: no connection is left there");
    }

    /**
     * What retiring the old primary's entry must not do (split brain): the old primary, not stopped, still has a
     * connection of the member's, which may still write there, while the member also reached the promoted server.
     * The old entry stays registered while that connection is open, so a check on the promoted server, which cannot
     * see the old primary's lock table, never drops the member, even once its promoted server's lock is let go.
     */
    @Test
    void aMemberWithAConnectionLeftOnTheOldPrimaryKeepsItsEntryThere() throws Exception {
        SharedStore store = new SharedStore();
        Membership alive = member(store);
        Connection onOld = connect(pair.primaryUrl());
        SessionLock oldLock = alive.lockSession(DATABASE, (classId, key) -> takeLock(onOld, key));
        alive.renew();
        String id = store.joined.get(0);

        pair.awaitReplayed();
        pair.promote();
        Connection onPromoted = connect(pair.replicaUrl());
        SessionLock promotedLock = alive.lockSession(DATABASE, (classId, key) -> takeLock(onPromoted, key));
        Connection closedOnPromoted = connect(pair.replicaUrl());
        SessionLock closed = alive.lockSession(DATABASE, (classId, key) -> takeLock(closedOnPromoted, key));
        letGo(closedOnPromoted, alive.lockKey());
        closedOnPromoted.close();
        closed.release(); // the entry stays: another connection holds it
        alive.renew();
        String registered = store.registration(id);

        letGo(onPromoted, alive.lockKey());
        store.killed.add(id); // cut off from the store, still writing on the old primary
        Membership checking = member(store);
        checking.checkLapsedMembers(checker(pair.replicaUrl()), Runnable::run);
        checking.renew();
        assertFalse(store.dropped.contains(id), "its lock on the old primary cannot be seen from the promoted server");
        assertEquals(java.util.Set.of(oldLock.database(), promotedLock.database()),
                java.util.Set.of(registered.split(" ")), "both servers, while a connection is open on each");
        assertFalse(checker(pair.primaryUrl()).sessionsGone(oldLock.database(), DatabaseRegistration.LOCK_CLASS,
                alive.lockKey()), "and it is held there");
    }
}
