package dev.sqlcache.internal.store;

import dev.sqlcache.internal.config.RedisSettings;
import dev.sqlcache.testing.RedisServerFixture;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import redis.clients.jedis.DefaultJedisClientConfig;

/**
 * What the tests of {@link LeanConnectionPool} share: one real redis-server per test class, healed after each test
 * (resumed if a test froze it, started again if one stopped it), and pools made from settings that go through the
 * real configuration path, as {@link RedisCommands} makes its own.
 */
abstract class LeanPoolFixture {

    static RedisServerFixture server;

    @BeforeAll
    static void startServer() {
        server = RedisServerFixture.start();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @AfterEach
    void healServer() {
        if (server.isRunning()) {
            server.resume();
        } else {
            server.restart();
        }
    }

    /** Settings for the server over {@code transport}: a 200 ms connect timeout (the pool's bounded wait). */
    static RedisSettings settings(RedisTransport transport, int maxConnections, String socketTimeout,
                                  Map<String, String> more) {
        Map<String, String> properties = new HashMap<>(Map.of(
                "sqlcache.redis.maxConnections", Integer.toString(maxConnections),
                "sqlcache.redis.socketConnectTimeout", "200ms", "sqlcache.redis.socketTimeout", socketTimeout));
        properties.putAll(more);
        return transport.settings(server, properties);
    }

    static LeanConnectionPool pool(RedisSettings settings) {
        DefaultJedisClientConfig config = RedisConnections.clientConfig(settings, "sqlcache");
        return new LeanConnectionPool(RedisConnections.sockets(settings, config), config, settings.maxConnections(),
                settings.connectTimeoutMillis());
    }
}
