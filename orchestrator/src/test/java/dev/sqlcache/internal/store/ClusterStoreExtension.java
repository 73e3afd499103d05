package dev.sqlcache.internal.store;

import dev.sqlcache.internal.config.ClusterSettings;
import dev.sqlcache.internal.config.RedisSettings;
import dev.sqlcache.internal.config.SentinelSettings;
import dev.sqlcache.testing.RedisClusterFixture;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One local cluster of three masters and one store on it for a whole test class, registered as a static
 * {@code @RegisterExtension} field: the cluster tests of the store each started, configured and stopped the same way.
 * The store's settings: every node as a seed, a pool of 4, 2 s timeouts. A class's own {@code @AfterAll} runs before
 * this closes, so it may still look at the nodes.
 */
final class ClusterStoreExtension implements BeforeAllCallback, AfterAllCallback {

    private RedisClusterFixture cluster;
    private RedisSettings settings;
    private RedisCacheStore store;

    @Override
    public void beforeAll(ExtensionContext context) {
        cluster = RedisClusterFixture.start();
        settings = settings(cluster);
        store = new RedisCacheStore(settings);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        try {
            if (store != null) {
                store.close();
            }
        } finally {
            // The cluster's processes go even if the store's close threw.
            if (cluster != null) {
                cluster.close();
            }
            store = null;
            cluster = null;
        }
    }

    RedisClusterFixture cluster() {
        return cluster;
    }

    RedisSettings settings() {
        return settings;
    }

    RedisCacheStore store() {
        return store;
    }

    private static RedisSettings settings(RedisClusterFixture cluster) {
        List<SentinelSettings.Node> nodes = new ArrayList<>();
        for (int port : cluster.ports()) {
            nodes.add(new SentinelSettings.Node("127.0.0.1", port));
        }
        return new RedisSettings("localhost", 6379, null, null, null, 0, false, 4, 2_000, 2_000, null, null, null,
                null, new ClusterSettings(nodes));
    }
}
