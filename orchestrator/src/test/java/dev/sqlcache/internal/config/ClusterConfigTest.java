package dev.sqlcache.internal.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Redis Cluster setting: parsing, what it cannot be combined with (messages naming the settings), equality. */
class ClusterConfigTest {

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
    void noClusterByDefault() {
        RedisSettings r = load(Map.of(), Map.of()).redis();
        assertFalse(r.usesCluster());
        assertNull(r.cluster());
    }

    @Test
    void clusterByPropertyAndByEnvironment() {
        SqlCacheConfig byProperty = load(Map.of(), map("sqlcache.redis.cluster", "10.0.0.1:7000, [::1]:7001"));
        SqlCacheConfig byEnvironment = load(map("REDIS_CLUSTER_NODES", "10.0.0.1:7000, [::1]:7001"), Map.of());
        for (SqlCacheConfig c : List.of(byProperty, byEnvironment)) {
            assertTrue(c.redis().usesCluster());
            assertEquals(List.of(new SentinelSettings.Node("10.0.0.1", 7000), new SentinelSettings.Node("::1", 7001)),
                    c.redis().cluster().nodes());
            assertEquals("cluster 10.0.0.1:7000,[::1]:7001 db 0", c.redis().describe());
        }
        assertEquals(byProperty.redis(), byEnvironment.redis());
        assertNotEquals(byProperty.redis(), load(Map.of(), map("sqlcache.redis.cluster", "10.0.0.1:7000")).redis());
    }

    @Test
    void badOrConflictingClusterSettingsAreNamed() {
        assertTrue(error(Map.of(), map("sqlcache.redis.cluster", "h1:7000,h1")).contains("sqlcache.redis.cluster"));
        String withSentinels = error(Map.of(), map("sqlcache.redis.cluster", "h1:7000",
                "sqlcache.redis.sentinels", "h:26379", "sqlcache.redis.sentinelMaster", "m"));
        assertTrue(withSentinels.contains("sqlcache.redis.sentinels") && withSentinels.contains("cannot be combined"),
                withSentinels);
        String withSocket = error(Map.of(), map("sqlcache.redis.cluster", "h1:7000",
                "sqlcache.redis.socketPath", "/tmp/r.sock"));
        assertTrue(withSocket.contains("sqlcache.redis.socketPath"), withSocket);
        String withDatabase = error(Map.of(), map("sqlcache.redis.cluster", "h1:7000", "sqlcache.redis.db", "2"));
        assertTrue(withDatabase.contains("only database 0"), withDatabase);
    }
}
