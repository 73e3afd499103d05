package dev.sqlcache.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlcache.testing.RedisServerFixture;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The contract on Redis, plus Redis specifics; one subclass per transport, each with its own private server. */
abstract class RedisCacheStoreContractTest extends CacheStoreContractTest {

    protected static RedisServerFixture server;
    protected static RedisCacheStore store;

    static void open(RedisTransport transport) {
        server = RedisServerFixture.start();
        store = new RedisCacheStore(transport.settings(server));
    }

    @AfterAll
    static void close() {
        if (store != null) {
            store.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Override
    protected CacheStore store() {
        return store;
    }

    @Override
    protected OptionalLong ttlSeconds(String key) {
        long ttl = Long.parseLong(server.command("TTL", key).substring(1));
        return ttl < 0 ? OptionalLong.empty() : OptionalLong.of(ttl);
    }

    @Test
    void versionKeysHaveNoTimeToLive() {
        String[] keys = {"vt:a", "vt:b"};
        store.initVersions(keys);
        assertEquals(":-1", server.command("TTL", "vt:a"));
        store.bumpVersions(keys);
        assertEquals(":-1", server.command("TTL", "vt:a"));
        assertEquals(":-1", server.command("TTL", "vt:b"));
    }

    @Test
    void putStillWorksAfterTheServerForgotTheScript() {
        String[] keys = {"script:v"};
        String[] tokens = store.initVersions(keys);
        assertTrue(store.putIfVersions("script:e1", new byte[] {1}, 60, keys, tokens));
        assertEquals("+OK", server.command("SCRIPT", "FLUSH"));
        assertTrue(store.putIfVersions("script:e2", new byte[] {2}, 60, keys, tokens));
    }
}
