package dev.sqlcache.internal.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlcache.internal.runtime.RuntimeKey;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The Redis Sentinel settings: parsing, validation with messages naming the setting, equality, masking. */
class SentinelConfigTest {

    private static SqlCacheConfig load(Map<String, String> env, Map<String, String> props) {
        try {
            return SqlCacheConfig.load(env, props);
        } catch (InvalidConfigurationException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    private static Map<String, String> map(String... keyValues) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    private static String error(Map<String, String> env, Map<String, String> props) {
        return assertThrows(InvalidConfigurationException.class, () -> SqlCacheConfig.load(env, props)).getMessage();
    }

    @Test
    void noSentinelsByDefault() {
        RedisSettings r = load(Map.of(), Map.of()).redis();
        assertFalse(r.usesSentinel());
        assertNull(r.sentinel());
    }

    @Test
    void sentinelsByPropertyAndByEnvironment() {
        SqlCacheConfig byProperty = load(Map.of(), map("sqlcache.redis.sentinels", "10.0.0.1:26379, [::1]:26380",
                "sqlcache.redis.sentinelMaster", "mymaster", "sqlcache.redis.sentinelUser", "watcher",
                "sqlcache.redis.sentinelPassword", "s3cret"));
        SqlCacheConfig byEnvironment = load(map("REDIS_SENTINELS", "10.0.0.1:26379, [::1]:26380",
                "REDIS_SENTINEL_MASTER", "mymaster", "REDIS_SENTINEL_USER", "watcher",
                "REDIS_SENTINEL_PASSWORD", "s3cret"), Map.of());
        for (SqlCacheConfig c : List.of(byProperty, byEnvironment)) {
            SentinelSettings s = c.redis().sentinel();
            assertEquals(List.of(new SentinelSettings.Node("10.0.0.1", 26379), new SentinelSettings.Node("::1", 26380)),
                    s.nodes());
            assertEquals("mymaster", s.master());
            assertEquals("watcher", s.user());
            assertEquals("s3cret", s.password());
            assertEquals("sentinel master mymaster via 10.0.0.1:26379,[::1]:26380 sentinel user watcher db 0",
                    c.redis().describe());
            assertFalse(c.toString().contains("s3cret"), c.toString());
            assertTrue(c.toString().contains("sentinel password=***"), c.toString());
            assertFalse(RuntimeKey.of(c).toString().contains("s3cret"));
        }
        assertEquals(RuntimeKey.of(byProperty), RuntimeKey.of(byEnvironment));
    }

    @Test
    void otherSentinelsOrCredentialsNeverShareAPool() {
        Map<String, String> base = map("sqlcache.redis.sentinels", "h1:26379,h2:26379",
                "sqlcache.redis.sentinelMaster", "m", "sqlcache.redis.sentinelPassword", "a");
        RuntimeKey key = RuntimeKey.of(load(Map.of(), base));
        for (String[] change : new String[][] {
                {"sqlcache.redis.sentinels", "h1:26379,h3:26379"},
                {"sqlcache.redis.sentinels", "h1:26379"},
                {"sqlcache.redis.sentinelMaster", "other"},
                {"sqlcache.redis.sentinelPassword", "b"},
                {"sqlcache.redis.sentinelUser", "u"}}) {
            Map<String, String> changed = new HashMap<>(base);
            changed.put(change[0], change[1]);
            RuntimeKey other = RuntimeKey.of(load(Map.of(), changed));
            assertNotEquals(key, other, change[0] + "=" + change[1]);
        }
        Map<String, String> plain = new HashMap<>(base);
        plain.keySet().removeIf(name -> name.contains("sentinel"));
        assertNotEquals(key, RuntimeKey.of(load(Map.of(), plain)), "a fixed address is not the sentinels' primary");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "h1:26379,,h2:26379 | sqlcache.redis.sentinels: \"h1:26379,,h2:26379\" has an empty address",
        "h1 | sqlcache.redis.sentinels: \"h1\" has \"h1\" without a port",
        "h1:99999 | whose port is not a port number",
        "::1:26379 | write an IPv6 address in brackets",
        "h1:26379,h1:26379 | names h1:26379 twice",
    })
    void badSentinelListsAreNamed(String value, String expected) {
        String message = error(Map.of(), map("sqlcache.redis.sentinels", value, "sqlcache.redis.sentinelMaster", "m"));
        assertTrue(message.contains(expected), message);
    }

    @Test
    void halfAConfigurationIsAnError() {
        String noMaster = error(Map.of(), map("sqlcache.redis.sentinels", "h:26379"));
        assertTrue(noMaster.contains("sqlcache.redis.sentinels: needs sqlcache.redis.sentinelMaster "
                + "(REDIS_SENTINEL_MASTER)"), noMaster);
        String noSentinels = error(map("REDIS_SENTINEL_MASTER", "m"), Map.of());
        assertTrue(noSentinels.contains("REDIS_SENTINEL_MASTER: is set but sqlcache.redis.sentinels "
                + "(REDIS_SENTINELS) is not"), noSentinels);
        String userWithoutPassword = error(Map.of(), map("sqlcache.redis.sentinels", "h:26379",
                "sqlcache.redis.sentinelMaster", "m", "sqlcache.redis.sentinelUser", "u"));
        assertTrue(userWithoutPassword.contains("sqlcache.redis.sentinelUser: needs sqlcache.redis.sentinelPassword"),
                userWithoutPassword);
        String withSocket = error(Map.of(), map("sqlcache.redis.sentinels", "h:26379",
                "sqlcache.redis.sentinelMaster", "m", "sqlcache.redis.socketPath", "/tmp/r.sock"));
        assertTrue(withSocket.contains("sqlcache.redis.socketPath: cannot be combined with sqlcache.redis.sentinels"),
                withSocket);
    }

    @Test
    void theSentinelPasswordIsNeverShown() {
        String message = error(Map.of(), map("sqlcache.redis.sentinelPassword", "hunter2"));
        assertTrue(message.contains("sqlcache.redis.sentinelPassword: is set but"), message);
        assertFalse(message.contains("hunter2"), message);
        assertTrue(Setting.REDIS_SENTINEL_PASSWORD.secret());
    }
}
