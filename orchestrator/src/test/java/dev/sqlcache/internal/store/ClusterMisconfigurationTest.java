package dev.sqlcache.internal.store;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sqlcache.internal.config.ClusterSettings;
import dev.sqlcache.internal.config.RedisSettings;
import dev.sqlcache.internal.config.SentinelSettings;
import dev.sqlcache.testing.RedisClusterFixture;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Settings the cluster refuses are a misconfiguration, as on a single server, not an outage: detected at the first
 * call and logged once with the setting to fix. Jedis reads the slot map with the data nodes' credentials and keeps
 * the server's refusal only as a suppressed exception of its own "Could not initialize cluster slots cache".
 */
class ClusterMisconfigurationTest {

    @Test
    void aWrongPasswordOnAClusterIsAMisconfigurationNotAnOutage() {
        try (RedisClusterFixture cluster = RedisClusterFixture.start()) {
            List<SentinelSettings.Node> nodes = new ArrayList<>();
            for (int port : cluster.ports()) {
                nodes.add(new SentinelSettings.Node("127.0.0.1", port));
                cluster.command(port, "CONFIG", "SET", "requirepass", "the-right-password");
            }
            RedisSettings settings = new RedisSettings("localhost", 6379, null, null, "a-wrong-password", 0, false, 2,
                    2_000, 2_000, null, null, null, null, new ClusterSettings(nodes));
            try (RedisCacheStore store = new RedisCacheStore(settings)) {
                CacheStoreException e = assertThrows(CacheStoreException.class,
                        () -> store.initVersions(new String[] {"sql:t:version:x"}));
                assertNotNull(e.misconfiguration(), e.getMessage());
                assertFalse(e.getMessage().contains("a-wrong-password"), e.getMessage());
            }
        }
    }
}
