package dev.sqlcache.internal.store;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlcache.testing.RedisServerFixture;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A write whose own lease a full Redis refused (maxmemory reached, noeviction). The store answers the lease as
 * placed, so the write runs as a covered one; its fallback used to delete the keys instead (oom_invalidate.lua). What
 * a deletion relies on, that readers cannot recreate the token on a full Redis, holds only while Redis stays full: an
 * entry expiring frees memory while the write is in flight, a reader recreates the token, reads the database before
 * the commit and stores, and that entry is served after the commit until the write's end (until its TTL when the end
 * is lost), which is what a lease is for (docs/consistency.md, "Writes that overlap on a key"). The same when the key
 * held another write's lease: that write's end made it fresh while this one was still in flight.
 */
class OutOfMemoryRefusedLeaseAttackTest {

    private static final String[] TABLE = {"sql:t:version:db"};
    private static final long LEASE_MILLIS = 60_000;

    private static RedisServerFixture server;

    @BeforeAll
    static void start() {
        server = RedisServerFixture.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @AfterEach
    void memoryBack() {
        server.command("CONFIG", "SET", "maxmemory", "0");
        server.command("FLUSHALL");
    }

    private static void full() {
        server.command("CONFIG", "SET", "maxmemory-policy", "noeviction");
        server.command("CONFIG", "SET", "maxmemory", "1");
        String refused = server.command("SET", "sql:probe", "x");
        assertTrue(refused.startsWith("-OOM"), "Redis is full: " + refused);
    }

    /** Memory freed (entries expired, say): the token a reader now reads, created fresh if it is missing. */
    private static String readerFinds(RedisCacheStore store) {
        server.command("CONFIG", "SET", "maxmemory", "0");
        return store.initVersions(TABLE)[0];
    }

    @Test
    void aWriteWhoseLeaseAFullRedisRefusedStaysCovered() {
        try (RedisCacheStore store = new RedisCacheStore(RedisTransport.TCP.settings(server, Map.of()))) {
            store.initVersions(TABLE);
            full();

            String[] lease = store.leaseVersions(TABLE, LEASE_MILLIS); // answered: the write runs

            String token = readerFinds(store);
            assertTrue(token.startsWith(CacheStore.LEASE_PREFIX) && token.contains(lease[0].substring(6)),
                    "the write is in flight, yet its table reads " + token + ": a reader caches under it");
            store.endLeases(TABLE, lease);
            assertFalse(store.initVersions(TABLE)[0].startsWith(CacheStore.LEASE_PREFIX), "its end makes it fresh");
        }
    }

    @Test
    void aLeaseAFullRedisRefusedBesideAnotherWritesLeaseOutlivesThatWritesEnd() {
        try (RedisCacheStore store = new RedisCacheStore(RedisTransport.TCP.settings(server, Map.of()))) {
            store.initVersions(TABLE);
            String[] first = store.leaseVersions(TABLE, LEASE_MILLIS);
            full();

            String[] second = store.leaseVersions(TABLE, LEASE_MILLIS); // answered: the second write runs
            server.command("CONFIG", "SET", "maxmemory", "0");
            store.endLeases(TABLE, first);

            String token = readerFinds(store);
            assertTrue(token.startsWith(CacheStore.LEASE_PREFIX),
                    "the second write is in flight, yet its table reads " + token + ": a reader caches under it");
            store.endLeases(TABLE, second);
            assertFalse(store.initVersions(TABLE)[0].startsWith(CacheStore.LEASE_PREFIX), "both ended");
        }
    }
}
