package dev.sqlcache.internal.jdbc;

import org.junit.jupiter.api.Test;

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
        assertTrue(ReconnectingUrls.mayReplaceSession(null));
    }
}
