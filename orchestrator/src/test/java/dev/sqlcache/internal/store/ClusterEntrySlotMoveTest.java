package dev.sqlcache.internal.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * Review rC of issue #15's second Cluster step: an entry's slot moved to another master (a reshard, what scaling out
 * is done with) answers that entry's commands with {@code ASK} (while the slot migrates and the key has left) or
 * {@code MOVED} (once it has, to a client whose slot map is older). Nothing correct depends on an entry's node
 * (docs/consistency.md, "When Redis is a Cluster", point 6), so such a reply makes that one read a miss and that one
 * store a refusal. Before, both threw: every lookup of an entry being moved, and every store to it, counted as a
 * failure of the whole store, which puts the JVM's whole cache in back-off (250 ms, doubling to 5 s) and then distrusts
 * it until a membership renewal, for every key on every master: a reshard switched the cache off.
 */
class ClusterEntrySlotMoveTest {

    @RegisterExtension
    static final ClusterStoreExtension stand = new ClusterStoreExtension();

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * An entry key (of {@code table}, its hash counted up from {@code from}: each test its own slot) whose slot is
     * served by the control slot's master ({@code onControl}) or by another.
     */
    private static String entryKey(String table, int from, boolean onControl) {
        int control = stand.cluster().masterOf(ClusterKeys.SLOT);
        for (int i = from; ; i++) {
            String key = "sql:" + table + ":data:" + String.format("%032x", i);
            if ((stand.cluster().masterOf(slotOf(key)) == control) == onControl) {
                return key;
            }
        }
    }

    /**
     * A lookup that must not be a failure of the store: a miss (with the control node's tokens), or, for an entry
     * on another node than the control node's, that node's {@link EntryNodeUnavailable} (the statement goes to the
     * database, the store stays in use); {@code null} for the latter.
     */
    private static CacheStore.Lookup notAFailure(String key, String[] versionKeys, boolean keepsCopy) {
        try {
            return stand.store().lookup(key, versionKeys, new long[] {0, 0}, 1 << 20, keepsCopy);
        } catch (EntryNodeUnavailable thatNodeOnly) {
            return null;
        }
    }

    private static int slotOf(String logicalEntryKey) {
        return JedisClusterCRC16.getSlot(ClusterKeys.entry(logicalEntryKey));
    }

    private static int anotherMaster(int source) {
        return java.util.Arrays.stream(stand.cluster().ports()).filter(p -> p != source).findFirst().orElseThrow();
    }

    @Test
    void whileTheEntrysSlotMigratesItsLookupsAreMissesAndItsStoresRefusedNotFailures() {
        String[] versionKeys = {"sql:_database:version:ask", "sql:asked:version:ask"};
        String[] tokens = stand.store().initVersions(versionKeys);
        String key = entryKey("asked", 1000, false);
        assertTrue(stand.store().putIfVersions(key, utf8("v1"), 60, versionKeys, tokens));
        assertEquals("v1", new String(stand.store().lookup(key, versionKeys, new long[] {0, 0}, 1 << 20, true).entry(),
                StandardCharsets.UTF_8));
        int slot = slotOf(key);
        int source = stand.cluster().masterOf(slot);
        int target = anotherMaster(source);
        String s = Integer.toString(slot);
        String sourceId = stand.cluster().command(source, "CLUSTER", "MYID").toString();
        String targetId = stand.cluster().command(target, "CLUSTER", "MYID").toString();
        stand.cluster().command(target, "CLUSTER", "SETSLOT", s, "IMPORTING", sourceId);
        stand.cluster().command(source, "CLUSTER", "SETSLOT", s, "MIGRATING", targetId);
        String stored = ClusterKeys.entry(key);
        assertEquals("OK", String.valueOf(stand.cluster().command(source, "MIGRATE", "127.0.0.1",
                Integer.toString(target), stored, "0", "5000")));
        try {
            // The slot is still the source's (no map refresh changes that), and the key has left: ASK, every time.
            for (boolean keepsCopy : new boolean[] {true, false}) {
                CacheStore.Lookup asked = notAFailure(key, versionKeys, keepsCopy);
                if (asked != null) {
                    assertNull(asked.entry(), "a miss");
                    assertArrayEquals(tokens, asked.versions(), "with the tokens the control node holds");
                }
            }
            assertFalse(stand.store().putIfVersions(key, utf8("v2"), 60, versionKeys, tokens), "refused, not thrown");
            // A flush meanwhile finds the moved key on the importing target too (SCAN lists what a node holds), which
            // answers its UNLINK with MOVED: the flush goes on and leaves it there (docs/consistency.md: "a flush
            // leaves the moved keys"), rather than failing half way.
            assertEquals(1, stand.store().deleteMatching("sql:asked:*"), "the table's token, on the control node");
            assertEquals(1L, ((Number) stand.cluster().command(target, "CLUSTER", "COUNTKEYSINSLOT", s)).longValue(),
                    "left on the target");
        } finally {
            for (int port : stand.cluster().ports()) {
                stand.cluster().command(port, "CLUSTER", "SETSLOT", s, "NODE", targetId);
            }
        }
    }

    /**
     * An entry whose slot the control node serves is read on the control node's one connection, with the tokens;
     * moved away, that read's {@code MOVED} is the entry's alone too: a miss, the store refused. hC's per-node
     * back-off (f42a6af) covers the entries of the other nodes only; this one still failed the whole store.
     */
    @Test
    void anEntryMovedOffTheControlNodeIsAMissNotAFailure() {
        String[] versionKeys = {"sql:_database:version:home", "sql:home:version:home"};
        String[] tokens = stand.store().initVersions(versionKeys);
        String key = entryKey("home", 2000, true);
        assertTrue(stand.store().putIfVersions(key, utf8("v1"), 60, versionKeys, tokens));
        int slot = slotOf(key);
        int control = stand.cluster().masterOf(ClusterKeys.SLOT);
        stand.cluster().migrateSlot(slot, anotherMaster(control), 10, 0);
        // MOVED, unless a slot map read queued earlier ran after the move (then the entry, from its new master).
        CacheStore.Lookup moved = stand.store().lookup(key, versionKeys, new long[] {0, 0}, 1 << 20, true);
        assertTrue(moved.entry() == null || "v1".equals(new String(moved.entry(), StandardCharsets.UTF_8)));
        assertArrayEquals(tokens, moved.versions());
        // A second slot of the control node moved, then stored to before this store reads the map again.
        String other = entryKey("home", Integer.parseInt(key.substring(key.lastIndexOf(':') + 1), 16) + 1, true);
        stand.cluster().migrateSlot(slotOf(other), anotherMaster(control), 10, 0);
        // Refused (MOVED), or stored if the map was read again meanwhile: either way not a failure of the store.
        stand.store().putIfVersions(other, utf8("v2"), 60, versionKeys, tokens);
    }

    @Test
    void aLookupAndAStoreOfAnEntryWhoseSlotMovedAreNotFailures() {
        String[] versionKeys = {"sql:_database:version:moved", "sql:moved:version:moved"};
        String[] tokens = stand.store().initVersions(versionKeys);
        String key = entryKey("moved", 0, false);
        assertTrue(stand.store().putIfVersions(key, utf8("v1"), 60, versionKeys, tokens));
        int slot = slotOf(key);
        int source = stand.cluster().masterOf(slot);
        stand.cluster().migrateSlot(slot, anotherMaster(source), 10, 0);
        // The store's slot map still names the source, which answers MOVED: the first read after the move.
        CacheStore.Lookup moved = notAFailure(key, versionKeys, true);
        if (moved != null) {
            assertNull(moved.entry(), "a miss");
            assertArrayEquals(tokens, moved.versions());
        }
        // The slot map is read again after a redirection (off this thread): the entry is found on its new master.
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        byte[] found = null;
        while (found == null && System.nanoTime() < deadline) {
            CacheStore.Lookup read = notAFailure(key, versionKeys, true);
            found = read == null ? null : read.entry();
        }
        assertEquals("v1", found == null ? null : new String(found, StandardCharsets.UTF_8));
    }
}
