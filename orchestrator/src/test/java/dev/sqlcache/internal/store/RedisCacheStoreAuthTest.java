package dev.sqlcache.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlcache.internal.config.InvalidConfigurationException;
import dev.sqlcache.internal.config.SqlCacheConfig;
import dev.sqlcache.testing.RedisServerFixture;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A server with a password: the right one works, a wrong or missing one fails clearly and is never shown. */
@Timeout(30)
class RedisCacheStoreAuthTest {

    private static final String PASSWORD = "s3cret-Pa55word";
    private static final String WRONG = "wrong-Pa55word";

    private static RedisServerFixture server;

    @BeforeAll
    static void start() {
        server = RedisServerFixture.startWithPassword(PASSWORD);
    }

    @AfterAll
    static void close() {
        server.close();
    }

    private static RedisCacheStore open(RedisTransport transport, String password) {
        Map<String, String> properties = new HashMap<>(transport.properties(server));
        properties.remove("sqlcache.redis.password");
        if (password != null) {
            properties.put("sqlcache.redis.password", password);
        }
        try {
            return new RedisCacheStore(SqlCacheConfig.load(Map.of(), properties).redis());
        } catch (InvalidConfigurationException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    private static String everythingShown(Throwable e) {
        StringWriter out = new StringWriter();
        e.printStackTrace(new PrintWriter(out));
        return out.toString();
    }

    @ParameterizedTest
    @EnumSource(RedisTransport.class)
    void theRightPasswordWorks(RedisTransport transport) {
        try (RedisCacheStore store = open(transport, PASSWORD)) {
            assertTrue(store.ping());
            assertNull(store.lookup("k", new String[0]).entry());
            assertFalse(store.describe().contains(PASSWORD));
        }
    }

    @ParameterizedTest
    @EnumSource(RedisTransport.class)
    void aWrongPasswordFailsClearlyWithoutShowingIt(RedisTransport transport) {
        try (RedisCacheStore store = open(transport, WRONG)) {
            CacheStoreException e = assertThrows(CacheStoreException.class,
                    () -> store.lookup("k", new String[0]));
            assertTrue(e.getMessage().contains("rejected the credentials"), e.getMessage());
            String shown = everythingShown(e);
            assertFalse(shown.contains(WRONG), shown);
            assertFalse(shown.contains(PASSWORD), shown);
            assertFalse(store.ping());
        }
    }

    @ParameterizedTest
    @EnumSource(RedisTransport.class)
    void aMissingPasswordFailsClearly(RedisTransport transport) {
        try (RedisCacheStore store = open(transport, null)) {
            CacheStoreException e = assertThrows(CacheStoreException.class,
                    () -> store.initVersions(new String[] {"v"}));
            assertTrue(e.getMessage().contains("rejected the credentials"), e.getMessage());
            assertFalse(everythingShown(e).contains(PASSWORD));
        }
    }

    @ParameterizedTest
    @EnumSource(RedisTransport.class)
    void theFixtureHandsOutPropertiesThatIncludeThePassword(RedisTransport transport) {
        assertEquals(PASSWORD, transport.properties(server).get("sqlcache.redis.password"));
    }
}
