package dev.sqlcache.internal.jdbc;

import dev.sqlcache.internal.analysis.DatabaseFamily;
import dev.sqlcache.testing.TestServices;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the probe reads off a real connection: whether its driver may replace the session, whether a transaction is open. */
class RealSessionProbeTest {

    /**
     * MySQL Connector/J (here against the local MariaDB) with autoReconnect given as a connection property: the URL
     * it reports is the plain one-host form, so only the properties tell that a lost session may be replaced. Taken
     * for lockable, the connection would hold a user lock that a reconnect drops while it writes on.
     */
    @Test
    void mysqlConnectorJWithAutoReconnectAsAPropertyMayReplaceTheSession() throws Exception {
        Properties properties = new Properties();
        properties.setProperty("user", "root");
        properties.setProperty("password", "");
        properties.setProperty("autoReconnect", "true");
        String url = "jdbc:mysql://" + TestServices.mariadb().address() + "/" + TestServices.databaseName()
                + "?sslMode=DISABLED&allowPublicKeyRetrieval=true";
        try (Connection real = DriverManager.getConnection(url, properties)) {
            assertTrue(real.getClass().getName().startsWith("com.mysql."), real.getClass().getName());
            assertFalse(ReconnectingUrls.mayReplaceSession(real.getMetaData().getURL()),
                    "the URL the driver reports names no reconnect: " + real.getMetaData().getURL());
            assertTrue(new RealSessionProbe(real, DatabaseFamily.MARIADB, Map.of("autoReconnect", "true"))
                    .mayReplaceItsSession());
            assertFalse(new RealSessionProbe(real, DatabaseFamily.MARIADB, Map.of("user", "root"))
                    .mayReplaceItsSession());
        }
    }

    /**
     * MySQL Connector/J keeps SERVER_STATUS_IN_TRANS from every OK reply, a CALL's last one included: read without a
     * round trip, a procedure that leaves a transaction open is seen (MySQL has no {@code @@in_transaction} to ask).
     * Run against the local MariaDB through Connector/J: there is no MySQL server on this machine. Before, the probe
     * could not tell (null) on MySQL.
     */
    @Test
    void mysqlConnectorJTellsAnOpenTransactionByItsServerStatusWithoutARoundTrip() throws Exception {
        try (Connection real = mysql(new Properties()); Statement statement = real.createStatement()) {
            assertTrue(real.getClass().getName().startsWith("com.mysql."), real.getClass().getName());
            statement.execute("drop procedure if exists hd_probe_open");
            statement.execute("create procedure hd_probe_open() begin start transaction; set @hd_probe = 1; end");
            RealSessionProbe probe = new RealSessionProbe(real, DatabaseFamily.MYSQL, Map.of());
            assertEquals(Boolean.FALSE, probe.transactionOpen(false), "auto-commit, nothing open");
            statement.execute("start transaction");
            assertEquals(Boolean.TRUE, probe.transactionOpen(false), "after START TRANSACTION");
            statement.execute("commit");
            assertEquals(Boolean.FALSE, probe.transactionOpen(false), "after COMMIT");
            statement.execute("call hd_probe_open()");
            long before = questions(statement);
            assertEquals(Boolean.TRUE, probe.transactionOpen(false), "after a procedure that starts a transaction");
            assertEquals(before + 1, questions(statement), "read off the driver: only the count's own query ran");
            statement.execute("rollback");
            assertEquals(Boolean.FALSE, probe.transactionOpen(false), "after ROLLBACK");
            assertFalse(probe.transactionIdle(), "MySQL is still never taken as idle (not run against a MySQL server)");
            statement.execute("drop procedure hd_probe_open");
        }
    }

    /**
     * After a call that failed, MySQL Connector/J's flags are those of the last OK before it: a procedure that started
     * a transaction and wrote before its SIGNAL leaves it open behind a closed status. Asked as after a failure, the
     * probe has the server answer a no-op (one round trip) and reads the flags it set. Before, the closed was taken.
     */
    @Test
    void afterAFailedCallMySqlConnectorJsClosedIsAskedOfTheServer() throws Exception {
        try (Connection real = mysql(new Properties()); Statement statement = real.createStatement()) {
            statement.execute("drop procedure if exists hi_probe_fail");
            statement.execute("create procedure hi_probe_fail() begin start transaction; set @hi_probe = 1; "
                    + "signal sqlstate '45000' set message_text = 'refused'; end");
            RealSessionProbe probe = new RealSessionProbe(real, DatabaseFamily.MYSQL, Map.of());
            try {
                assertThrows(java.sql.SQLException.class, () -> statement.execute("call hi_probe_fail()"));
                assertEquals(Boolean.FALSE, probe.transactionOpen(false), "the driver's flags, older than the error");
                long before = questions(statement);
                assertEquals(Boolean.TRUE, probe.transactionOpen(true), "asked after the failure");
                assertEquals(before + 2, questions(statement), "one round trip besides the count's own query");
                statement.execute("rollback");
                assertThrows(java.sql.SQLException.class, () -> statement.execute("update hi_no_such_table set x = 1"));
                assertEquals(Boolean.FALSE, probe.transactionOpen(true), "a failure that opened nothing");
            } finally {
                statement.execute("rollback");
                statement.execute("drop procedure hi_probe_fail");
            }
        }
    }

    private static long questions(Statement statement) throws Exception {
        try (ResultSet rs = statement.executeQuery("show session status like 'Questions'")) {
            assertTrue(rs.next());
            return rs.getLong(2);
        }
    }

    private static Connection mysql(Properties extra) throws Exception {
        Properties properties = new Properties();
        properties.setProperty("user", "root");
        properties.setProperty("password", "");
        properties.putAll(extra);
        return DriverManager.getConnection("jdbc:mysql://" + TestServices.mariadb().address() + "/"
                + TestServices.databaseName() + "?sslMode=DISABLED&allowPublicKeyRetrieval=true", properties);
    }
}
