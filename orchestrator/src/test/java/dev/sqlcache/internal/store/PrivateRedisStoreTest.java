package dev.sqlcache.internal.store;

import dev.sqlcache.testing.RedisServerFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import redis.clients.jedis.RedisClient;

/**
 * Tests of the store's scripts on a private {@code redis-server} of their own, one per test class: the store under
 * test, the server (for commands the store never sends, such as {@code FLUSHALL} or {@code CONFIG RESETSTAT}) and a
 * plain client to look at what the scripts left.
 */
abstract class PrivateRedisStoreTest {

    static RedisServerFixture server;
    static RedisCacheStore store;
    static RedisClient inspector;

    @BeforeAll
    static void startPrivateRedis() {
        server = RedisServerFixture.start();
        store = new RedisCacheStore(RedisTransport.TCP.settings(server));
        inspector = RedisClient.create("127.0.0.1", server.port());
    }

    @AfterAll
    static void stopPrivateRedis() {
        inspector.close();
        store.close();
        server.close();
    }
}
