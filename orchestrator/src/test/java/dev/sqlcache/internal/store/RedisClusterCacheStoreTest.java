package dev.sqlcache.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlcache.testing.RedisClusterFixture;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The store's contract on a Redis Cluster of three masters: every operation of {@link CacheStoreContractTest} (the
 * lookups, the check-and-set, leases, ends, deletions by pattern), with entries spread over every master, every other
 * key in the control slot, and no command refused for spanning slots.
 */
class RedisClusterCacheStoreTest extends CacheStoreContractTest {

    private static RedisClusterFixture cluster;
    private static RedisCacheStore store;

    @BeforeAll
    static void start() {
        cluster = RedisClusterFixture.start();
        store = ClusterStores.store(cluster);
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

    /** Of an entry: stored with its last part as the hash tag, on that slot's master. */
    @Override
    protected OptionalLong ttlSeconds(String key) {
        String stored = ClusterKeys.entry(key);
        long ttl = ((Number) cluster.command(masterOfKey(stored), "TTL", stored)).longValue();
        return ttl < 0 ? OptionalLong.empty() : OptionalLong.of(ttl);
    }

    private static int masterOfKey(String stored) {
        return cluster.masterOf(redis.clients.jedis.util.JedisClusterCRC16.getSlot(stored));
    }

    /**
     * On a cluster the check and the write are two commands on two nodes: a put may land after a bump of the token it
     * checked. It is harmless only because such an entry is never a hit: the token it records never comes back, so it
     * differs from the one the same lookup reads (docs/consistency.md, "When Redis is a Cluster", point 2).
     */
    @Override
    protected void landedAfterItsBump(boolean retired, String tag, String current) {
        if (retired) {
            assertTrue(!tag.equals(current), "an entry that landed after its bump matched the tokens read with it");
        }
    }

    @Test
    void anEntryIsOnItsHashsSlotAndEveryOtherKeyInTheControlSlot() {
        String[] tokens = store.initVersions(new String[] {"sql:t:version:db"});
        assertTrue(store.putIfVersions("sql:t:data:abc", "v".getBytes(java.nio.charset.StandardCharsets.UTF_8), 60,
                new String[] {"sql:t:version:db"}, tokens));
        assertEquals("v", String.valueOf(cluster.command(masterOfKey("sql:t:data:{abc}"), "GET", "sql:t:data:{abc}")));
        int master = cluster.masterOf(ClusterKeys.SLOT);
        assertEquals(tokens[0], String.valueOf(cluster.command(master, "GET", "sql:{sqlcache}t:version:db")));
        for (int port : cluster.ports()) {
            if (port != master) {
                Object reply = cluster.command(port, "CLUSTER", "COUNTKEYSINSLOT", Integer.toString(ClusterKeys.SLOT));
                assertEquals(0L, ((Number) reply).longValue(), "no key of the slot on " + port);
            }
        }
        assertTrue(store.nearChannel() != null, "near caches run on a cluster (RedisClusterTest, ClusterNearChannelTest)");
        assertNull(store.skips(), "no skip permits on a cluster yet");
    }

    /**
     * Issue #15: entries spread over the masters instead of all on one. 48 entries of one table, each found by a
     * lookup afterwards: every master holds some (the chance that 48 random slots miss one of three masters is
     * about 3 * (2/3)^48, 10^-8), and the control slot's master holds no more than its share plus the tokens.
     */
    @Test
    void entriesLandOnEveryMaster() {
        for (int port : cluster.ports()) {
            cluster.command(port, "FLUSHALL");
        }
        String[] versionKeys = {"sql:_database:version:db", "sql:spread:version:db"};
        String[] tokens = store.initVersions(versionKeys);
        int entries = 48;
        for (int i = 0; i < entries; i++) {
            String key = "sql:spread:data:" + String.format("%032x", i * 7919L);
            assertTrue(store.putIfVersions(key, ("v" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8), 60,
                    versionKeys, tokens));
            CacheStore.Lookup hit = store.lookup(key, versionKeys, new long[] {0, 0}, 1 << 20, true);
            assertEquals("v" + i, new String(hit.entry(), java.nio.charset.StandardCharsets.UTF_8));
            assertEquals(List.of(tokens[0], tokens[1]), List.of(hit.versions()));
        }
        long total = 0;
        for (int port : cluster.ports()) {
            long keys = ((Number) cluster.command(port, "DBSIZE")).longValue();
            assertTrue(keys > 0, "entries on " + port + ": " + keys);
            total += keys;
        }
        assertEquals(entries + versionKeys.length, total);
        assertEquals(entries + versionKeys.length, store.deleteMatching("sql:*"), "a flush reaches every master");
        for (int port : cluster.ports()) {
            assertEquals(0L, ((Number) cluster.command(port, "DBSIZE")).longValue(), "left on " + port);
        }
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
