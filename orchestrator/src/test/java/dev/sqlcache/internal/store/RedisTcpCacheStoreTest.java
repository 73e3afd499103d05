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

    /** With tokens to create: only keys readers never create count (the feed's), not an expiring row token. */
    @Test
    void aCreatingLookupBoundsCopiesByTheKeysReadersNeverCreate() {
        server.command("SET", "sql:_feed:db", "feed", "PX", "20000");
        server.command("SET", "sql:ttl:version:db:k:2", "token-2", "PX", "5000");
        server.command("SET", "sql:_members:fence", "fence", "PX", "2000");
        server.command("SET", "sql:ttl:data:f", "entry", "PX", "90000");
        String[] keys = {"sql:_members:fence", "sql:ttl:version:db", "sql:ttl:version:db:k:2", "sql:_feed:db"};
        long[] creation = {CacheStore.NEVER_CREATE, CacheStore.NO_EXPIRY, 60_000, CacheStore.NEVER_CREATE};
        CacheStore.Lookup lookup = store.lookup("sql:ttl:data:f", keys, creation);
        assertTrue(lookup.versionsTtlMillis() > 10_000 && lookup.versionsTtlMillis() <= 20_000,
                "the feed key's, not the row token's nor the fence's: " + lookup.versionsTtlMillis());
    }

    @Test
    void describesTheTcpAddress() {
        assertEquals("redis 127.0.0.1:" + server.port() + " db 0", store.describe());
    }
}
