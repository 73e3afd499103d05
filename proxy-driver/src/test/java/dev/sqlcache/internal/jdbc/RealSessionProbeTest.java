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
            assertFalse(new RealSessionProbe(real, DatabaseFamily.MARIADB, Map.of("user", "root"))
                    .mayReplaceItsSession());
        }
    }
}
