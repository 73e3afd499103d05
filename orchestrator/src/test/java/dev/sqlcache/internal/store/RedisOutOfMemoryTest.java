package dev.sqlcache.internal.store;

import dev.sqlcache.testing.RedisServerFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A full Redis (maxmemory reached, noeviction) refuses writes. An invalidation must still get through, or an old
 * entry would be served after the write it should have hidden.
 */
class RedisOutOfMemoryTest {

    private static RedisServerFixture server;

    @BeforeAll
    static void start() {
        server = RedisServerFixture.start();
    }

    @AfterAll
    static void close() {
        server.close();
    }

    @Test
    void anInvalidationGetsThroughAFullRedisAndNoOldEntryMatchesAgain() {
        try (RedisCacheStore store = new RedisCacheStore(RedisTransport.TCP.settings(server, Map.of()))) {
            String[] versions = {"sql:t:version:db"};
            String[] tokens = store.initVersions(versions);
            assertNotNull(tokens[0]);
            byte[] entry = new byte[] {1, 2, 3};
            assertEquals(true, store.putIfVersions("sql:t:data:1", entry, 60, versions, tokens));

            // Fill Redis up to a tiny limit, refusing further writes.
            server.command("CONFIG", "SET", "maxmemory-policy", "noeviction");
            server.command("CONFIG", "SET", "maxmemory", "1");
            assertThrows(CacheStoreException.class, () -> store.putIfVersions("sql:t:data:2", entry, 60, versions,
                    tokens), "a full Redis refuses new entries");

            store.bumpVersions(versions);

            CacheStore.Lookup after = store.lookup("sql:t:data:1", versions);
            assertNotNull(after.entry(), "the old entry is still there");
            assertNotEquals(tokens[0], after.versions()[0], "but its token changed (or is gone): it can never match");

            server.command("CONFIG", "SET", "maxmemory", "0");
            String[] fresh = store.initVersions(versions);
            assertNotEquals(tokens[0], fresh[0]);
            assertFalse(java.util.Arrays.equals(tokens, store.lookup("sql:t:data:1", versions).versions()));
        }
    }
}
