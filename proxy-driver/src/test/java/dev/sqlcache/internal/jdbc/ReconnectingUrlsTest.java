package dev.sqlcache.internal.jdbc;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Review rM: which MariaDB/MySQL URLs may replace a lost session behind a connection (DeadMemberTest runs one). */
class ReconnectingUrlsTest {

    @Test
    void onlyThePlainOneHostFormKeepsItsSession() {
        assertFalse(ReconnectingUrls.mayReplaceSession("jdbc:mariadb://127.0.0.1/db?user=root&sslMode=DISABLE"));
        assertFalse(ReconnectingUrls.mayReplaceSession("jdbc:mysql://db:3306/app?autoReconnect=false"));
        assertFalse(ReconnectingUrls.mayReplaceSession("jdbc:MariaDB://db/app?notautoreconnect=true"));

        assertTrue(ReconnectingUrls.mayReplaceSession("jdbc:mariadb:sequential://127.0.0.1/db?user=root"));
        assertTrue(ReconnectingUrls.mayReplaceSession("jdbc:mariadb:loadbalance://a,b/db"));
        assertTrue(ReconnectingUrls.mayReplaceSession("jdbc:mariadb:replication://a,b/db"));
        assertTrue(ReconnectingUrls.mayReplaceSession("jdbc:mysql:loadbalance://a,b/db"));
        assertTrue(ReconnectingUrls.mayReplaceSession("jdbc:mysql+srv://cluster/db"));
        assertTrue(ReconnectingUrls.mayReplaceSession("jdbc:mysql://a,b/db"));
        assertTrue(ReconnectingUrls.mayReplaceSession("jdbc:mysql://a/db?useSSL=false&autoReconnect=true"));
        assertTrue(ReconnectingUrls.mayReplaceSession("jdbc:mysql://a/db?AutoReconnectForPools=TRUE&x=1"));
        assertTrue(ReconnectingUrls.mayReplaceSession("jdbc:mysql://a/db?autoReconnect=yes"));
        assertTrue(ReconnectingUrls.mayReplaceSession(null));
    }

    /** MySQL Connector/J takes autoReconnect as a property too, which getURL() does not show. */
    @Test
    void autoReconnectGivenAsAPropertyCountsAsTheUrlsOwn() {
        String plain = "jdbc:mysql://db:3306/app";
        assertFalse(ReconnectingUrls.mayReplaceSession(plain, Map.of()));
        assertFalse(ReconnectingUrls.mayReplaceSession(plain, Map.of("user", "app", "autoReconnect", "false")));
        assertFalse(ReconnectingUrls.mayReplaceSession(plain, Map.of("notAutoReconnect", "true")));

        assertTrue(ReconnectingUrls.mayReplaceSession(plain, Map.of("autoReconnect", "true")));
        assertTrue(ReconnectingUrls.mayReplaceSession(plain, Map.of("AUTORECONNECT", " Yes ")));
        assertTrue(ReconnectingUrls.mayReplaceSession(plain, Map.of("autoReconnectForPools", "TRUE")));
        assertTrue(ReconnectingUrls.mayReplaceSession("jdbc:mariadb:sequential://a/db", Map.of()));
    }
}
