package dev.sqlcache.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlcache.internal.config.ClusterSettings;
import dev.sqlcache.internal.config.RedisSettings;
import dev.sqlcache.internal.config.SentinelSettings;
import dev.sqlcache.testing.RedisClusterFixture;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The store's contract on a Redis Cluster of three masters: every operation of {@link CacheStoreContractTest} (the
 * lookups, the check-and-set, leases, ends, deletions by pattern), with every key in sqlcache's one slot and no
 * command refused for spanning slots.
 */
class RedisClusterCacheStoreTest extends CacheStoreContractTest {

    private static RedisClusterFixture cluster;
    private static RedisCacheStore store;

    @BeforeAll
    static void start() {
        cluster = RedisClusterFixture.start();
        List<SentinelSettings.Node> nodes = new ArrayList<>();
        for (int port : cluster.ports()) {
            nodes.add(new SentinelSettings.Node("127.0.0.1", port));
        }
        store = new RedisCacheStore(new RedisSettings("localhost", 6379, null, null, null, 0, false, 4, 2_000, 2_000,
                null, null, null, null, new ClusterSettings(nodes)));
    }

    @AfterAll
    static void stop() {
        if (store != null) {
            store.close();
        }
        if (cluster != null) {
            for (int port : cluster.ports()) {
                String errors = cluster.command(port, "INFO", "errorstats").toString();
                assertTrue(!errors.contains("CROSSSLOT"), port + ": " + errors);
            }
            cluster.close();
        }
    }

    @Override
    protected CacheStore store() {
        return store;
    }

    @Override
    protected OptionalLong ttlSeconds(String key) {
        int master = cluster.masterOf(ClusterKeys.SLOT);
        long ttl = ((Number) cluster.command(master, "TTL", ClusterKeys.physical(key))).longValue();
        return ttl < 0 ? OptionalLong.empty() : OptionalLong.of(ttl);
    }

    @Test
    void everyKeyIsInSqlcachesSlotOnItsMaster() {
        String[] tokens = store.initVersions(new String[] {"sql:t:version:db"});
        assertTrue(store.putIfVersions("sql:t:data:abc", "v".getBytes(java.nio.charset.StandardCharsets.UTF_8), 60,
                new String[] {"sql:t:version:db"}, tokens));
        int master = cluster.masterOf(ClusterKeys.SLOT);
        assertEquals("v", String.valueOf(cluster.command(master, "GET", "sql:{sqlcache}t:data:abc")));
        for (int port : cluster.ports()) {
            if (port != master) {
                Object reply = cluster.command(port, "CLUSTER", "COUNTKEYSINSLOT", Integer.toString(ClusterKeys.SLOT));
                assertEquals(0L, ((Number) reply).longValue(), "no key of the slot on " + port);
            }
        }
        assertTrue(store.nearChannel() != null, "near caches run on a cluster (RedisClusterTest, ClusterNearChannelTest)");
        assertNull(store.skips(), "no skip permits on a cluster yet");
    }

    /** The keys scripts name themselves are tagged; the near caches' channel, which is no key, is not renamed. */
    @Test
    void scriptsNameTheirOwnKeysInTheSlot() {
        String lease = RedisCacheStore.LEASE.tagged().text();
        assertTrue(lease.contains("'sql:{sqlcache}_near:members'") && lease.contains("'sql:{sqlcache}_database:seq:'"));
        assertTrue(lease.contains("'sql:_near:notices'"), "the channel keeps its name");
        assertTrue(!lease.replace("'sql:_near:notices'", "").contains("'sql:_"), "no untagged key left");
    }

    @Test
    void aTableWhoseNameHoldsBracesStaysInTheSlot() {
        String key = "sql:\"a{b}\":version:db";
        assertEquals(ClusterKeys.SLOT, redis.clients.jedis.util.JedisClusterCRC16.getSlot(ClusterKeys.physical(key)));
        String[] tokens = store.initVersions(new String[] {key, "sql:_database:version:db"});
        assertEquals(2, tokens.length);
        assertEquals(tokens[0], store.lookup("sql:\"a{b}\":data:e", new String[] {key}).versions()[0]);
    }
}
