package dev.sqlcache.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The store's contract on a Redis Cluster of three masters: every operation of {@link CacheStoreContractTest} (the
 * lookups, the check-and-set, leases, ends, deletions by pattern), with entries spread over every master, every other
 * key in the control slot, and no command refused for spanning slots.
 */
class RedisClusterCacheStoreTest extends CacheStoreContractTest {

    @RegisterExtension
    static final ClusterStoreExtension stand = new ClusterStoreExtension();

    /** No command of the contract was refused for spanning slots (runs before the extension stops the cluster). */
    @AfterAll
    static void noCommandSpannedSlots() {
        for (int port : stand.cluster().ports()) {
            String errors = stand.cluster().command(port, "INFO", "errorstats").toString();
            assertTrue(!errors.contains("CROSSSLOT"), port + ": " + errors);
        }
    }

    @Override
    protected CacheStore store() {
        return stand.store();
    }

    /** Of an entry: stored with its last part as the hash tag, on that slot's master. */
    @Override
    protected OptionalLong ttlSeconds(String key) {
        String stored = ClusterKeys.entry(key);
        long ttl = ((Number) stand.cluster().command(masterOfKey(stored), "TTL", stored)).longValue();
        return ttl < 0 ? OptionalLong.empty() : OptionalLong.of(ttl);
    }

    private static int masterOfKey(String stored) {
        return stand.cluster().masterOf(redis.clients.jedis.util.JedisClusterCRC16.getSlot(stored));
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
        String[] tokens = stand.store().initVersions(new String[] {"sql:t:version:db"});
        assertTrue(stand.store().putIfVersions("sql:t:data:abc",
                "v".getBytes(java.nio.charset.StandardCharsets.UTF_8), 60, new String[] {"sql:t:version:db"}, tokens));
        assertEquals("v", String.valueOf(
                stand.cluster().command(masterOfKey("sql:t:data:{abc}"), "GET", "sql:t:data:{abc}")));
        int master = stand.cluster().masterOf(ClusterKeys.SLOT);
        assertEquals(tokens[0], String.valueOf(stand.cluster().command(master, "GET", "sql:{sqlcache}t:version:db")));
        for (int port : stand.cluster().ports()) {
            if (port != master) {
                Object reply = stand.cluster().command(port, "CLUSTER", "COUNTKEYSINSLOT",
                        Integer.toString(ClusterKeys.SLOT));
                assertEquals(0L, ((Number) reply).longValue(), "no key of the slot on " + port);
            }
        }
        assertTrue(stand.store().nearChannel() != null,
                "near caches run on a cluster (RedisClusterTest, ClusterNearChannelTest)");
        assertNull(stand.store().skips(), "no skip permits on a cluster yet");
    }

    /**
     * Issue #15: entries spread over the masters instead of all on one. 48 entries of one table, each found by a
     * lookup afterwards: every master holds some (the chance that 48 random slots miss one of three masters is
     * about 3 * (2/3)^48, 10^-8), and the control slot's master holds no more than its share plus the tokens.
     */
    @Test
    void entriesLandOnEveryMaster() {
        for (int port : stand.cluster().ports()) {
            stand.cluster().command(port, "FLUSHALL");
        }
        String[] versionKeys = {"sql:_database:version:db", "sql:spread:version:db"};
        String[] tokens = stand.store().initVersions(versionKeys);
        int entries = 48;
        for (int i = 0; i < entries; i++) {
            String key = "sql:spread:data:" + String.format("%032x", i * 7919L);
            assertTrue(stand.store().putIfVersions(key, ("v" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8), 60,
                    versionKeys, tokens));
            CacheStore.Lookup hit = stand.store().lookup(key, versionKeys, new long[] {0, 0}, 1 << 20, true);
            assertEquals("v" + i, new String(hit.entry(), java.nio.charset.StandardCharsets.UTF_8));
            assertEquals(List.of(tokens[0], tokens[1]), List.of(hit.versions()));
        }
        long total = 0;
        for (int port : stand.cluster().ports()) {
            long keys = ((Number) stand.cluster().command(port, "DBSIZE")).longValue();
            assertTrue(keys > 0, "entries on " + port + ": " + keys);
            total += keys;
        }
        assertEquals(entries + versionKeys.length, total);
        assertEquals(entries + versionKeys.length, stand.store().deleteMatching("sql:*"),
                "a flush reaches every master");
        for (int port : stand.cluster().ports()) {
            assertEquals(0L, ((Number) stand.cluster().command(port, "DBSIZE")).longValue(), "left on " + port);
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
        String[] tokens = stand.store().initVersions(new String[] {key, "sql:_database:version:db"});
        assertEquals(2, tokens.length);
        assertEquals(tokens[0], stand.store().lookup("sql:\"a{b}\":data:e", new String[] {key}).versions()[0]);
    }
}
