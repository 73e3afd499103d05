package dev.sqlcache.internal.runtime;

import dev.sqlcache.internal.membership.DatabaseRegistration;
import dev.sqlcache.testing.TestServices;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #15 on MariaDB, against the real server: a lapsed member is found gone only once the user lock of every
 * connection it registered is free, in one statement per database, and only on the server each entry names.
 */
class MariaDbLockChecksTest {

    private static final int KEY = 0x5eed;
    private final List<Connection> opened = new ArrayList<>();
    private final MariaDbLockChecks checks = new MariaDbLockChecks();

    @AfterEach
    void close() throws SQLException {
        checks.close();
        for (Connection c : opened) {
            c.close();
        }
    }

    private static String url() {
        TestServices.Database db = TestServices.mariadb();
        return "jdbc:mariadb://" + db.address() + "/" + db.database() + "?sslMode=disable";
    }

    private static Map<String, String> credentials() {
        TestServices.Database db = TestServices.mariadb();
        return Map.of("user", db.user(), "password", db.password() == null ? "" : db.password());
    }

    /** A connection of the member: takes its lock as the driver does and returns the entry it registers. */
    private String memberConnection(String database) throws SQLException {
        java.util.Properties info = new java.util.Properties();
        credentials().forEach(info::setProperty);
        Connection c = DriverManager.getConnection(url(), info);
        opened.add(c);
        long n = DatabaseRegistration.nextMariaDbLockNumber();
        try (PreparedStatement s = c.prepareStatement("SELECT GET_LOCK(?, 0), "
                + DatabaseRegistration.mariaDbFingerprintSql())) {
            s.setString(1, DatabaseRegistration.mariaDbLockName(KEY, n));
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                assertEquals(1, rs.getInt(1), "the lock is taken");
                return DatabaseRegistration.entry(database, DatabaseRegistration.mariaDbLocked(rs.getString(2), n));
            }
        }
    }

    @Test
    void foundGoneOnlyOnceEveryConnectionsLockIsFree() throws Exception {
        checks.reached("db1", url(), credentials());
        String one = memberConnection("db1");
        String two = memberConnection("db1");
        assertFalse(checks.sessionsGone("db1", List.of(one, two), KEY), "both sessions live");
        opened.get(0).close();
        assertFalse(checks.sessionsGone("db1", List.of(one, two), KEY), "one session lives");
        assertTrue(checks.sessionGone(one, KEY), "the closed one's lock is free");
        opened.get(1).close();
        assertTrue(checks.sessionsGone("db1", List.of(one, two), KEY), "no session left");
    }

    @Test
    void aLockIsFreeOnlyOnTheServerItsEntryNames() throws Exception {
        checks.reached("db1", url(), credentials());
        String live = memberConnection("db1");
        opened.get(0).close();
        String elsewhere = "db1@m:4242/another-host:3306#" + DatabaseRegistration.mariaDbLockNumber(live);
        assertFalse(checks.sessionGone(elsewhere, KEY), "free here, but registered on another server");
        assertFalse(checks.sessionsGone("db1", List.of(live, elsewhere), KEY), "two servers under one identity");
        assertFalse(checks.sessionGone("db1@m:1/vm:3306#not-a-number", KEY), "an entry naming no lock");
        assertFalse(checks.sessionGone(live.replace("db1@", "db2@"), KEY), "a database this JVM does not reach");
        assertTrue(checks.sessionGone(live, KEY));
    }
}
