package dev.sqlcache.internal.membership;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Which entries a member publishes ({@link DatabaseRegistration}): an entry no open connection holds leaves the
 * registration only once another entry of its identity is held (after a failover, the old primary's entry gives
 * way to the promoted server's); otherwise it stays, as it always did. {@code PromotedReplicaTest} shows both on a
 * real promotion.
 */
class DatabaseRegistrationTest {

    private static final String OLD = "db1@7/5/00000001";
    private static final String PROMOTED = "db1@7/5/00000002";
    private static final String OTHER = "db2@9/5/00000001";

    private final DatabaseRegistration registration = new DatabaseRegistration();

    private SessionLock connection(String entry) {
        registration.hold(entry);
        return new SessionLock(entry, 0, true).registeredIn(registration);
    }

    @Test
    void anEntryNoConnectionHoldsGivesWayToAnotherOfItsIdentity() {
        SessionLock onOld = connection(OLD);
        SessionLock onPromoted = connection(PROMOTED);
        assertEquals(OLD + " " + PROMOTED, registration.text(), "both, while a connection is open on each");
        onOld.release();
        assertEquals(PROMOTED, registration.text());
        connection(OLD);
        assertEquals(OLD + " " + PROMOTED, registration.text(), "held again, published again");
        onPromoted.release();
        assertEquals(OLD, registration.text());
    }

    @Test
    void anEntryNothingElseReplacesStays() {
        SessionLock onOld = connection(OLD);
        SessionLock onOther = connection(OTHER);
        onOld.release();
        assertEquals(OLD + " " + OTHER, registration.text(), "another identity does not replace it");
        onOther.release();
        assertEquals(OLD + " " + OTHER, registration.text(), "an idle pool keeps its registration");
    }

    @Test
    void theUnlockableMarkIsNeverRetired() {
        registration.hold(DatabaseRegistration.UNLOCKABLE);
        connection(OLD).release();
        connection(PROMOTED);
        assertEquals(DatabaseRegistration.UNLOCKABLE + " " + PROMOTED, registration.text());
    }

    @Test
    void aConnectionReleasesItsEntryOnce() {
        SessionLock first = connection(OLD);
        connection(OLD);
        first.release();
        first.release();
        connection(PROMOTED);
        assertEquals(OLD + " " + PROMOTED, registration.text(), "the second connection still holds it");
    }

    /**
     * The lock statement's SQL lives in {@link DatabaseRegistration} only: a public constant was copied into every
     * class that used it (the check sessions here, the driver's probe), so a class compiled against one version
     * carried that version's SQL whatever version of this class it ran with.
     */
    @Test
    void theFingerprintsSqlIsNotCopiedIntoTheClassesThatSendIt() throws Exception {
        for (String user : new String[] {"dev/sqlcache/internal/runtime/MemberSessionChecks.class",
                "dev/sqlcache/internal/membership/Membership.class"}) {
            try (var in = getClass().getClassLoader().getResourceAsStream(user)) {
                String bytes = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
                assertEquals(-1, bytes.indexOf("pg_walfile_name"), user);
            }
        }
        try (var in = getClass().getClassLoader().getResourceAsStream(
                "dev/sqlcache/internal/membership/DatabaseRegistration.class")) {
            assertEquals(true, new String(in.readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1)
                    .contains("pg_walfile_name"), "where it lives");
        }
    }

    /**
     * MariaDB: one entry per connection, each naming its server and its own lock number. A closed connection's entry
     * gives way to its identity's other connections, as after a failover on PostgreSQL; an entry read back from the
     * store that names no number is no lock a check could find free.
     */
    @Test
    void mariaDbConnectionsRegisterAnEntryEachAndAClosedOneGivesWay() {
        DatabaseRegistration registration = new DatabaseRegistration();
        String one = DatabaseRegistration.entry("db1", DatabaseRegistration.mariaDbLocked("m:1/vm:3306", 7));
        String two = DatabaseRegistration.entry("db1", DatabaseRegistration.mariaDbLocked("m:1/vm:3306", 8));
        registration.hold(one);
        registration.hold(two);
        assertEquals(one + " " + two, registration.text());
        registration.release(one);
        assertEquals(two, registration.text(), "the closed connection's lock is no longer published");
        registration.release(two);
        assertEquals(two, registration.text(), "the last one stays: nothing else of its identity is held");

        org.junit.jupiter.api.Assertions.assertTrue(DatabaseRegistration.isMariaDb(two));
        assertEquals("m:1/vm:3306", DatabaseRegistration.mariaDbServer(two));
        assertEquals(8, DatabaseRegistration.mariaDbLockNumber(two));
        assertEquals("sqlc:2a:8", DatabaseRegistration.mariaDbLockName(42, 8));
        assertEquals(-1, DatabaseRegistration.mariaDbLockNumber("db1@m:1/vm:3306#x"));
        assertEquals(-1, DatabaseRegistration.mariaDbLockNumber("db1@m:1/vm:3306"));
        org.junit.jupiter.api.Assertions.assertFalse(DatabaseRegistration.isMariaDb("db1@123/5/00000001"));
    }
    /**
     * The check's rule (session 30): identifier, oid and timeline equal, and the postmaster's start time or the
     * server's address and port equal too. Promoted siblings (and a copy started as a server of its own) differ
     * in both; a restart changes the start time only; a server reached at another address keeps its start time.
     */
    @Test
    void aSessionIsOnTheEntrysServerOnlyWhenTheStartTimeOrTheAddressAgrees() {
        String registered = "7/5/00000002/1700000000000001/10.0.0.1:5432";
        org.junit.jupiter.api.Assertions.assertTrue(DatabaseRegistration.sameServer(registered, registered));
        org.junit.jupiter.api.Assertions.assertTrue(DatabaseRegistration.sameServer(registered,
                "7/5/00000002/1700000099000000/10.0.0.1:5432"), "the same server restarted");
        org.junit.jupiter.api.Assertions.assertTrue(DatabaseRegistration.sameServer(registered,
                "7/5/00000002/1700000000000001/192.168.1.4:6432"), "the same postmaster reached at another address");
        org.junit.jupiter.api.Assertions.assertFalse(DatabaseRegistration.sameServer(registered,
                "7/5/00000002/1700000000000777/10.0.0.2:5432"), "a promoted sibling");
        org.junit.jupiter.api.Assertions.assertFalse(DatabaseRegistration.sameServer(registered,
                "7/5/00000003/1700000000000001/10.0.0.1:5432"), "another timeline");
        org.junit.jupiter.api.Assertions.assertFalse(DatabaseRegistration.sameServer(registered,
                "7/6/00000002/1700000000000001/10.0.0.1:5432"), "another database");
        org.junit.jupiter.api.Assertions.assertFalse(DatabaseRegistration.sameServer("7/5/00000002",
                "7/5/00000002"), "an entry of a version before the server parts: kept");
        org.junit.jupiter.api.Assertions.assertFalse(DatabaseRegistration.sameServer(
                "7/5/00000002/1700000000000001/local:5432", "7/5/00000002/1700000000000777/local:5432"),
                "two servers each reached through a Unix socket: a socket names no server");
        org.junit.jupiter.api.Assertions.assertTrue(DatabaseRegistration.sameServer(
                "7/5/00000002/1700000000000001/local:5432", "7/5/00000002/1700000000000001/local:5432"),
                "one postmaster through its socket");
        org.junit.jupiter.api.Assertions.assertFalse(DatabaseRegistration.sameServer(registered, null));
        org.junit.jupiter.api.Assertions.assertFalse(DatabaseRegistration.sameServer("7/5/00000002//",
                "7/5/00000002//"), "empty server parts match nothing");
    }
}
