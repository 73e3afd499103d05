package dev.sqlcache.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RedisTcpCacheStoreTest extends RedisCacheStoreContractTest {

    @BeforeAll
    static void start() {
        open(RedisTransport.TCP);
    }

    /** A copy kept in-process must die with the entry and with any expiring version key (the change feed's). */
    @Test
    void aLookupSaysHowLongTheEntryAndTheShortestLivedVersionKeyHaveLeft() {
        server.command("SET", "sql:ttl:version:db:k:1", "token-1", "PX", "40000");
        server.command("SET", "sql:ttl:version:db", "token-t");
        server.command("SET", "sql:_members:fence", "fence", "PX", "2000");
        server.command("SET", "sql:ttl:data:e", "entry", "PX", "90000");
        String[] keys = {"sql:_members:fence", "sql:ttl:version:db", "sql:ttl:version:db:k:1"};
        CacheStore.Lookup lookup = store.lookup("sql:ttl:data:e", keys);
        assertTrue(lookup.entryTtlMillis() > 80_000 && lookup.entryTtlMillis() <= 90_000, lookup.toString());
        assertTrue(lookup.versionsTtlMillis() > 30_000 && lookup.versionsTtlMillis() <= 40_000,
                "the row token's, not the fence's: " + lookup.versionsTtlMillis());
        assertEquals(lookup.versionsTtlMillis(), lookup.copyTtlMillis(Long.MAX_VALUE));
        assertEquals(1000, lookup.copyTtlMillis(1000));
    }

    @Test
    void describesTheTcpAddress() {
        assertEquals("redis 127.0.0.1:" + server.port() + " db 0", store.describe());
    }
}
