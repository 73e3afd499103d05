package dev.sqlcache.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.util.JedisClusterCRC16;

/** Where keys go on a cluster, and how stored names and SCAN patterns map back to the names sqlcache knows. */
class ClusterKeysTest {

    private static final String HASH = "0af3c2d1e4b5a69788796a5b4c3d2e1f";

    @Test
    void anEntryIsTaggedByItsHashAndComesBack() {
        String logical = "sql:orders:data:" + HASH;
        String stored = ClusterKeys.entry(logical);
        assertEquals("sql:orders:data:{" + HASH + "}", stored);
        assertEquals(JedisClusterCRC16.getSlot(HASH), JedisClusterCRC16.getSlot(stored));
        assertEquals(logical, ClusterKeys.logical(stored));
        assertFalse(ClusterKeys.isControl(stored));
    }

    @Test
    void everyOtherKeyIsInTheControlSlotAndComesBack() {
        String stored = ClusterKeys.physical("sql:orders:version:db");
        assertEquals(ClusterKeys.SLOT, JedisClusterCRC16.getSlot(stored));
        assertEquals("sql:orders:version:db", ClusterKeys.logical(stored));
        assertTrue(ClusterKeys.isControl(stored));
    }

    @Test
    void entriesOfOneTableSpreadOverSlots() {
        String a = ClusterKeys.entry("sql:t:data:" + HASH);
        String b = ClusterKeys.entry("sql:t:data:" + HASH.replace('0', '1'));
        assertNotEquals(JedisClusterCRC16.getSlot(a), JedisClusterCRC16.getSlot(b));
    }

    /** The entries' SCAN pattern finds at least every stored entry whose logical name the pattern matches. */
    @Test
    void theEntriesPatternFindsWhatTheLogicalPatternMatches() {
        String[] keys = {"sql:orders:data:" + HASH, "sql:public.orders:data:" + HASH, "test:ab12:e:7", "test:ab12:e"};
        String[] patterns = {"sql:*", "sql:orders:data:*", "sql:*.orders:data:*", "sql:orders:data:0af*",
            "test:ab12:e:*", "test:ab12:e", "sql:orders:data:" + HASH, "*"};
        for (String pattern : patterns) {
            Pattern logical = GlobPattern.compile(pattern);
            Pattern scan = GlobPattern.compile(ClusterKeys.entryPattern(pattern));
            for (String key : keys) {
                if (logical.matcher(key).matches()) {
                    assertTrue(scan.matcher(ClusterKeys.entry(key)).matches(),
                            pattern + " -> " + ClusterKeys.entryPattern(pattern) + " misses " + ClusterKeys.entry(key));
                }
            }
        }
    }
}
