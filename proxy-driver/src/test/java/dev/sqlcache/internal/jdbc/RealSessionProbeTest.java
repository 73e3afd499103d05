package dev.sqlcache.internal.jdbc;

import dev.sqlcache.internal.analysis.DatabaseFamily;
import dev.sqlcache.testing.TestServices;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the probe reads off a real connection to decide whether its driver may replace the session under it. */
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
}
