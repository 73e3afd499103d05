package dev.sqlcache.internal.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * Review rC: a cluster run with {@code cluster-require-full-coverage no} keeps serving the slots it still has when
 * one has no master (its master and replicas lost; or unassigned). An entry in that slot is that entry's problem
 * alone (nothing correct depends on an entry's node): its lookup must not be a failure of the store, which puts
 * every key of the JVM in back-off. Before, the node that last served it answered {@code CLUSTERDOWN} (a failure
 * of the store), and once the slot map was read again, with no master for the slot, every lookup of that entry
 * failed the store too, again and again.
 */
class ClusterUnservedEntrySlotTest {

    @RegisterExtension
    static final ClusterStoreExtension stand = new ClusterStoreExtension();

    @Test
    void anEntrySlotThatNobodyServesFailsThatEntryAloneNotTheStore() throws Exception {
        String[] versionKeys = {"sql:_database:version:gone", "sql:gone:version:gone"};
        String[] tokens = stand.store().initVersions(versionKeys);
        int control = stand.cluster().masterOf(ClusterKeys.SLOT);
        String key = null;
        for (int i = 0; key == null; i++) {
            String candidate = "sql:gone:data:" + String.format("%032x", i);
            if (stand.cluster().masterOf(JedisClusterCRC16.getSlot(ClusterKeys.entry(candidate))) != control) {
                key = candidate;
            }
        }
        assertTrue(stand.store().putIfVersions(key, "v".getBytes(StandardCharsets.UTF_8), 60, versionKeys, tokens));
        String slot = Integer.toString(JedisClusterCRC16.getSlot(ClusterKeys.entry(key)));
        for (int port : stand.cluster().ports()) {
            stand.cluster().command(port, "CONFIG", "SET", "cluster-require-full-coverage", "no");
        }
        for (int port : stand.cluster().ports()) {
            stand.cluster().command(port, "CLUSTER", "DELSLOTS", slot);
        }
        // The first lookup goes where the old map says (CLUSTERDOWN there); the map is read again meanwhile and
        // names no master for the slot. Every one of them is that entry's miss or its node's unavailability.
        int misses = 0;
        int unavailable = 0;
        for (int i = 0; i < 20; i++) {
            try {
                CacheStore.Lookup read = stand.store().lookup(key, versionKeys, new long[] {0, 0}, 1 << 20, true);
                assertNull(read.entry(), "read " + i + ": a miss");
                assertArrayEquals(tokens, read.versions());
                misses++;
            } catch (EntryNodeUnavailable thatEntryAlone) {
                unavailable++; // the statement goes to the database; the store stays in use
            }
            stand.store().putIfVersions(key, "w".getBytes(StandardCharsets.UTF_8), 60, versionKeys, tokens);
            Thread.sleep(50);
        }
        System.out.printf("ClusterUnservedEntrySlotTest: %d misses (CLUSTERDOWN from the old node), %d unavailable "
                + "(no master in the map read again)%n", misses, unavailable);
    }
}
