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
            // The driver's own settings say so too (the next test): the properties are no longer the only sign.
            assertTrue(new RealSessionProbe(real, DatabaseFamily.MARIADB, Map.of("user", "root"))
                    .mayReplaceItsSession());
        }
    }
    /**
     * The same setting on a {@code MysqlDataSource} the application configured and SqlCacheDataSource wraps: no
     * property passes through sqlcache and the URL the driver reports names no reconnect, so only the driver's own
     * settings tell (before, the probe said the session could not be replaced, and the connection took a lock that
     * a reconnect silently drops).
     */
    @Test
    void aMysqlDataSourceWithAutoReconnectSetOnItMayReplaceTheSession() throws Exception {
        for (String setting : new String[] {"autoReconnect", "autoReconnectForPools", "none"}) {
            com.mysql.cj.jdbc.MysqlDataSource dataSource = new com.mysql.cj.jdbc.MysqlDataSource();
            dataSource.setUrl("jdbc:mysql://" + TestServices.mariadb().address() + "/" + TestServices.databaseName()
                    + "?sslMode=DISABLED&allowPublicKeyRetrieval=true");
            dataSource.setUser("root");
            dataSource.setPassword("");
            dataSource.setAutoReconnect(setting.equals("autoReconnect"));
            dataSource.setAutoReconnectForPools(setting.equals("autoReconnectForPools"));
            try (Connection real = dataSource.getConnection()) {
                assertFalse(ReconnectingUrls.mayReplaceSession(real.getMetaData().getURL(), Map.of()),
                        "the URL the driver reports names no reconnect: " + real.getMetaData().getURL());
                boolean replaces = new RealSessionProbe(real, DatabaseFamily.MARIADB, Map.of()).mayReplaceItsSession();
                if (setting.equals("none")) {
                    assertFalse(replaces, "a plain MysqlDataSource's connection");
                } else {
                    assertTrue(replaces, setting + " set on the data source");
                }
            }
        }
    }
    /**
     * MariaDB Connector/J's data source takes its high-availability mode only in its URL, and its connections report
     * that URL: a wrapped {@code MariaDbDataSource} in {@code sequential} mode is told by the URL alone (pins the
     * claim in docs/consistency.md that it needs nothing more; the plain form stays lockable).
     */
    @Test
    void aMariaDbDataSourceInAHighAvailabilityModeIsToldByTheUrlItsConnectionsReport() throws Exception {
        for (String mode : new String[] {"sequential:", ""}) {
            org.mariadb.jdbc.MariaDbDataSource dataSource = new org.mariadb.jdbc.MariaDbDataSource(
                    "jdbc:mariadb:" + mode + "//" + TestServices.mariadb().address() + "/"
                            + TestServices.databaseName() + "?user=root&sslMode=disable");
            try (Connection real = dataSource.getConnection()) {
                assertTrue(real.getClass().getName().startsWith("org.mariadb."), real.getClass().getName());
                boolean replaces = new RealSessionProbe(real, DatabaseFamily.MARIADB, Map.of()).mayReplaceItsSession();
                if (mode.isEmpty()) {
                    assertFalse(replaces, "the plain form: " + real.getMetaData().getURL());
                } else {
                    assertTrue(replaces, "reported " + real.getMetaData().getURL());
                }
            }
        }
    }

    /**
     * Connector/J's configuration bundles set {@code autoReconnect} too: {@code useConfigs=clusterBase} (and
     * {@code coldFusion}) name it in a properties file inside the driver, so neither the URL the driver reports nor
     * the properties show it. Only the driver's own settings tell (review rF: on main such a connection took a user
     * lock that a reconnect drops while it writes on).
     */
    @Test
    void aConfigurationBundleThatReconnectsMayReplaceTheSession() throws Exception {
        for (String bundle : new String[] {"clusterBase", "coldFusion", "maxPerformance"}) {
            try (Connection real = DriverManager.getConnection(mysqlUrl() + "&useConfigs=" + bundle, root())) {
                boolean replaces = new RealSessionProbe(real, DatabaseFamily.MARIADB, Map.of()).mayReplaceItsSession();
                assertEquals(!bundle.equals("maxPerformance"), replaces, "useConfigs=" + bundle);
            }
        }
    }

    /**
     * A pool's connection that does not let Connector/J's interfaces through ({@code isWrapperFor} false, as for a
     * pool whose proxy class is loaded where the driver's classes cannot be seen, or one that does not delegate the
     * wrapper calls): the driver's settings cannot be read, and its {@code autoReconnect}, given to the driver below
     * the pool, shows neither in the URL nor in sqlcache's properties. A Connector/J connection whose settings cannot
     * be read counts as reconnecting (review rF: it counted as not, and took a user lock a reconnect drops); one of
     * another driver behind such a proxy is judged by its URL, as before.
     */
    @Test
    void aConnectorJConnectionBehindAnOpaquePoolProxyCountsAsReconnecting() throws Exception {
        Properties reconnecting = root();
        reconnecting.setProperty("autoReconnect", "true");
        try (Connection real = DriverManager.getConnection(mysqlUrl(), reconnecting)) {
            assertTrue(new RealSessionProbe(opaque(real), DatabaseFamily.MARIADB, Map.of()).mayReplaceItsSession(),
                    "autoReconnect set below an opaque pool proxy");
        }
        try (Connection real = DriverManager.getConnection("jdbc:mariadb://" + TestServices.mariadb().address() + "/"
                + TestServices.databaseName() + "?sslMode=disable", root())) {
            assertFalse(new RealSessionProbe(opaque(real), DatabaseFamily.MARIADB, Map.of()).mayReplaceItsSession(),
                    "a plain MariaDB Connector/J connection behind the same proxy");
        }
    }

    private static String mysqlUrl() {
        return "jdbc:mysql://" + TestServices.mariadb().address() + "/" + TestServices.databaseName()
                + "?sslMode=DISABLED&allowPublicKeyRetrieval=true";
    }

    private static Properties root() {
        Properties properties = new Properties();
        properties.setProperty("user", "root");
        properties.setProperty("password", "");
        return properties;
    }

    /** {@code real} behind a proxy that answers every wrapper question with no. */
    private static Connection opaque(Connection real) {
        return (Connection) java.lang.reflect.Proxy.newProxyInstance(RealSessionProbeTest.class.getClassLoader(),
                new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "isWrapperFor":
                            return false;
                        case "unwrap":
                            throw new java.sql.SQLException("not a wrapper");
                        default:
                            try {
                                return method.invoke(real, args);
                            } catch (java.lang.reflect.InvocationTargetException e) {
                                throw e.getCause();
                            }
                    }
                });
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
