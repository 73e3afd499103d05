package dev.sqlcache.internal.runtime;

import dev.sqlcache.internal.membership.AnsweringStore;
import dev.sqlcache.internal.membership.DatabaseRegistration;
import dev.sqlcache.internal.membership.Membership;
import dev.sqlcache.internal.membership.SessionLock;
import dev.sqlcache.testing.ManualTime;
import dev.sqlcache.testing.PostgresPair;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Issue #15: a server or role on which {@code pg_walfile_name} fails outside recovery (a managed service without
 * it, {@code EXECUTE} revoked) refuses every lock statement, so the early drop is off for that database. That must
 * be counted and said, not pass silently. Its own server ({@link PostgresPair}'s primary), since revoking a
 * function's {@code EXECUTE} is not for the machine's shared one.
 */
class UnreadableFingerprintTest {

    private PostgresPair pair;
    private MemberSessionChecks checks;

    @BeforeEach
    void start() throws Exception {
        pair = PostgresPair.start();
        try (Connection admin = pair.primary(); Statement s = admin.createStatement()) {
            s.execute("CREATE ROLE app LOGIN");
            s.execute("REVOKE EXECUTE ON FUNCTION pg_walfile_name(pg_lsn) FROM PUBLIC");
        }
    }

    @AfterEach
    void stop() throws Exception {
        if (checks != null) {
            checks.close();
        }
        pair.close();
    }

    private String appUrl() {
        return pair.primaryUrl().replace("user=postgres", "user=app");
    }

    @Test
    void aRefusedFingerprintIsCountedOnConnectionsAndChecks() throws Exception {
        ManualTime time = new ManualTime();
        Membership membership = new Membership(new AnsweringStore(time), "test", 30_000, () -> true, () -> 0,
                Runnable::run, time);
        try (Connection app = DriverManager.getConnection(appUrl())) {
            SessionLock lock = membership.lockSession("db1", (classId, key) -> {
                try (PreparedStatement s = app.prepareStatement("SELECT pg_try_advisory_lock_shared(?, ?), "
                        + "pg_is_in_recovery(), " + DatabaseRegistration.lockedSql())) {
                    s.setInt(1, classId);
                    s.setInt(2, key);
                    try (ResultSet rs = s.executeQuery()) {
                        rs.next();
                        return rs.getString(3);
                    }
                }
            });
            assertFalse(lock.locked(), "nothing registered");
        }
        assertEquals(1, membership.unreadableFingerprints().count(), "the application connection's refusal");

        checks = new MemberSessionChecks(membership.lockKey(), time, Runnable::run,
                membership.unreadableFingerprints());
        checks.reached("db1", appUrl(), Map.of());
        assertFalse(checks.sessionsGone("db1@1/5/00000001", DatabaseRegistration.LOCK_CLASS, 42),
                "a check cannot tell");
        assertEquals(2, membership.unreadableFingerprints().count(), "the check session's refusal");
        checks.keep(); // the anchor: refused when it opens, on this thread
        assertNull(checks.openSession("db1"));
        assertEquals(3, membership.unreadableFingerprints().count(), "the anchor's refusal");
        time.advance(2_000);
        checks.keep();
        assertEquals(3, membership.unreadableFingerprints().count(), "not tried again within a minute");
        time.advance(60_000);
        checks.keep();
        assertEquals(4, membership.unreadableFingerprints().count(), "but a minute later");
    }
}
