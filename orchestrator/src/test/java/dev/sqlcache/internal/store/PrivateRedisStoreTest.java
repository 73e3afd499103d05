package dev.sqlcache.internal.store;

import dev.sqlcache.testing.RedisServerFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import redis.clients.jedis.RedisClient;

import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Tests of the store's scripts on a private {@code redis-server} of their own, one per test class: the store under
 * test, the server (for commands the store never sends, such as {@code FLUSHALL} or {@code CONFIG RESETSTAT}) and a
 * plain client to look at what the scripts left.
 */
abstract class PrivateRedisStoreTest {

    static RedisServerFixture server;
    static RedisCacheStore store;
    static RedisClient inspector;

    private static final Pattern CALLS = Pattern.compile("cmdstat_([a-z|]+):calls=(\\d+)");

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

    /**
     * Commands the server ran, per name, since its last {@code CONFIG RESETSTAT} (the commands a script ran counted
     * as well as the script call): what the tests of commands per operation compare. The test's own reset and
     * {@code INFO} are left out.
     */
    static Map<String, Long> commandCounts() {
        Map<String, Long> counted = new TreeMap<>();
        Matcher m = CALLS.matcher(inspector.info("commandstats"));
        while (m.find()) {
            counted.put(m.group(1), Long.parseLong(m.group(2)));
        }
        counted.remove("config|resetstat");
        counted.remove("info");
        return counted;
    }
}
