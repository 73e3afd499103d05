package dev.sqlcache.internal.engine;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DatabaseIdentityTest {

    @Test
    void credentialsNeverTakePartInTheIdentity() {
        String plain = DatabaseIdentity.of("jdbc:sqlserver://db:1433;databaseName=app", null);
        assertEquals(plain, DatabaseIdentity.of("jdbc:sqlserver://db:1433;databaseName=app;user=bob;password=s3cret", null));
        assertFalse(DatabaseIdentity.of("jdbc:postgresql://db:5432/app?user=bob&password=s3cret", null).contains("s3cret"));
        assertEquals(DatabaseIdentity.of("jdbc:oracle:thin:@//h/x?password=p", null), DatabaseIdentity.of("jdbc:oracle:thin:@//h/x", null));
        String mysql = DatabaseIdentity.of("jdbc:mysql://alice:pw@db/app", null);
        assertFalse(mysql.contains("pw"), mysql);
        assertEquals(DatabaseIdentity.of("jdbc:mysql://db/app", null), mysql);
    }

    @Test
    void connectionSettingsDoNotMakeAnotherDatabase() {
        assertEquals(DatabaseIdentity.of("jdbc:postgresql://127.0.0.1:5432/test", null),
                DatabaseIdentity.of("jdbc:postgresql://127.0.0.1:5432/test?adaptiveFetch=false&prepareThreshold=5", null));
        assertEquals(DatabaseIdentity.of("jdbc:h2:mem:x", null), DatabaseIdentity.of("jdbc:h2:mem:x;DB_CLOSE_DELAY=-1", null));
        assertEquals(DatabaseIdentity.of("jdbc:mariadb://h:3306/app", null), DatabaseIdentity.of("jdbc:mariadb://h:3306/app?sslMode=disable", null));
        // Elsewhere parameters may name the database: kept.
        assertNotEquals(DatabaseIdentity.of("jdbc:sqlserver://h;databaseName=a", null),
                DatabaseIdentity.of("jdbc:sqlserver://h;databaseName=b", null));
    }

    @Test
    void differentDatabasesHaveDifferentIdentities() {
        assertNotEquals(DatabaseIdentity.of("jdbc:postgresql://db/app", null), DatabaseIdentity.of("jdbc:postgresql://db/other", null));
        assertNotEquals(DatabaseIdentity.of("jdbc:postgresql://db1/app", null), DatabaseIdentity.of("jdbc:postgresql://db2/app", null));
    }

    @Test
    void embeddedDatabasesArePrivateToTheirJvmOrConnection() {
        String named = DatabaseIdentity.of("jdbc:h2:mem:shop;DB_CLOSE_DELAY=-1", null);
        assertEquals(named, DatabaseIdentity.of("jdbc:h2:mem:shop;DB_CLOSE_DELAY=-1", null), "same JVM, same database");
        assertTrue(named.contains("#jvm:"), "another JVM's mem:shop is another database");
        assertNotEquals(DatabaseIdentity.of("jdbc:h2:mem:", null), DatabaseIdentity.of("jdbc:h2:mem:", null),
                "an unnamed in-memory database is private to its connection");
        assertFalse(DatabaseIdentity.of("jdbc:h2:tcp://localhost/~/shop", null).contains("#"), "a server is shared");
    }

    @Test
    void theConfiguredIdOverridesTheUrl() {
        assertEquals(DatabaseIdentity.of("jdbc:postgresql://localhost/app", "app-db"),
                DatabaseIdentity.of("jdbc:postgresql://127.0.0.1/app", "app-db"));
    }

    @Test
    void connectionSettingsKeepEverythingButCredentials() {
        String plain = DatabaseIdentity.connectionSettings("jdbc:mysql://db/app?serverTimezone=UTC",
                java.util.Map.of("tinyInt1isBit", "false"));
        assertEquals(plain, DatabaseIdentity.connectionSettings("jdbc:mysql://db/app?serverTimezone=UTC&password=x",
                java.util.Map.of("tinyInt1isBit", "false", "user", "u", "password", "p")));
        assertNotEquals(plain, DatabaseIdentity.connectionSettings("jdbc:mysql://db/app?serverTimezone=Europe/Paris",
                java.util.Map.of("tinyInt1isBit", "false")));
        assertNotEquals(plain, DatabaseIdentity.connectionSettings("jdbc:mysql://db/app?serverTimezone=UTC",
                java.util.Map.of("tinyInt1isBit", "true")));
        assertFalse(plain.contains("password"));
    }
}
