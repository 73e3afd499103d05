package dev.sqlcache.internal.store;

import dev.sqlcache.internal.config.ClusterSettings;
import dev.sqlcache.internal.config.RedisSettings;
import dev.sqlcache.internal.config.SentinelSettings;
import dev.sqlcache.testing.RedisClusterFixture;

import java.util.ArrayList;
import java.util.List;

/** The store settings the cluster tests share: every node of a local cluster as a seed, a pool of 4, 2 s timeouts. */
final class ClusterStores {

    private ClusterStores() {
    }

    static RedisSettings settings(RedisClusterFixture cluster) {
        List<SentinelSettings.Node> nodes = new ArrayList<>();
        for (int port : cluster.ports()) {
            nodes.add(new SentinelSettings.Node("127.0.0.1", port));
        }
        return new RedisSettings("localhost", 6379, null, null, null, 0, false, 4, 2_000, 2_000, null, null, null,
                null, new ClusterSettings(nodes));
    }

    static RedisCacheStore store(RedisClusterFixture cluster) {
        return new RedisCacheStore(settings(cluster));
    }
}
