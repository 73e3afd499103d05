package dev.sqlcache.internal.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * The review of issue #15's spread entries: every way an entry's node can fail a lookup, a store or a flush is that
 * entry's (or that node's) alone, never the whole store's, and one policy answers a redirection wherever it comes
 * from. Each test failed before its fix (see the commit messages).
 */
class ClusterEntryNodeFailuresTest {

    @RegisterExtension
    static final ClusterStoreExtension stand = new ClusterStoreExtension();

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static int slotOf(String logicalEntryKey) {
        return JedisClusterCRC16.getSlot(ClusterKeys.entry(logicalEntryKey));
    }

    /** An entry key of {@code table} whose slot the master at {@code port} serves, its hash counted up from 0. */
    private static String entryKeyOn(String table, int port) {
        for (int i = 0; ; i++) {
            String key = "sql:" + table + ":data:" + String.format("%032x", i);
            if (stand.cluster().masterOf(slotOf(key)) == port) {
                return key;
            }
        }
    }

    private static int[] otherMasters() {
        int control = stand.cluster().masterOf(ClusterKeys.SLOT);
        return Arrays.stream(stand.cluster().ports()).filter(p -> p != control).toArray();
    }

    /**
     * Review point 1: the length of an oversized entry, asked of its node after the lookup read it, once the entry's
     * slot moved: a redirection there used to fail the whole store ({@code MOVED} from a plain connection).
     */
    @Test
    void theLengthOfAnOversizedEntryWhoseSlotMovedIsALowerBoundNotAFailure() {
        String[] versionKeys = {"sql:_database:version:big", "sql:big:version:big"};
        String[] tokens = stand.store().initVersions(versionKeys);
        int node = otherMasters()[0];
        String key = entryKeyOn("big", node);
        assertTrue(stand.store().putIfVersions(key, new byte[100], 60, versionKeys, tokens));
        try (RedisCommands redis = new RedisCommands(stand.settings())) {
            byte[] stored = redis.entryKey(utf8(key));
            assertEquals(100, new RedisLookup(redis, null).oversizedLength(stored, 11), "its node answers");
            stand.cluster().migrateSlot(slotOf(key), otherMasters()[1], 10, 0);
            // This client's slot map still names the old node, which answers MOVED.
            assertEquals(11, new RedisLookup(redis, null).oversizedLength(stored, 11), "the lower bound");
        }
    }

    /**
     * Review point 2: every connection to an entry's node in use past the wait is Jedis's plain {@code JedisException}
     * (not a connection error), which failed the whole store; it is that entry's unavailability, and its store is
     * skipped. A pool of no connection stands for one whose connections are all busy.
     */
    @Test
    void noFreeConnectionToAnEntrysNodeIsThatEntrysUnavailabilityNotTheStoresFailure() {
        ConnectionPoolConfig none = new ConnectionPoolConfig();
        none.setMaxTotal(0);
        none.setMaxWait(Duration.ofMillis(50));
        try (RedisCommands redis = new RedisCommands(stand.settings(), none)) {
            byte[] stored = redis.entryKey(utf8(entryKeyOn("busy", otherMasters()[0])));
            CommandArguments range = new CommandArguments(Protocol.Command.GETRANGE).add(stored).add("0").add("9");
            CommandArguments tokens = new CommandArguments(Protocol.Command.MGET)
                    .add(redis.key(utf8("sql:busy:version:busy")));
            assertThrows(EntryNodeUnavailable.class,
                    () -> redis.execute("lookup", () -> redis.pipelined(stored, 1, range, tokens)));
            assertFalse(redis.execute("put", () -> redis.setEntry(stored, utf8("v"), utf8("60"))), "skipped");
        }
    }

    /**
     * Review point 3: an entry's node that dropped every connection (restarted) kept its dead idle ones: the first
     * failure put the node in back-off, and each dead one failed one more lookup whenever lookups ran at once
     * (sequential ones reuse the connection on top of the pool, made after the failure, and never reach them).
     */
    @Test
    void anEntrysNodeThatDroppedItsConnectionsKeepsNoneOfThemIdle() throws Exception {
        String[] versionKeys = {"sql:_database:version:idle", "sql:idle:version:idle"};
        String[] tokens = stand.store().initVersions(versionKeys);
        int node = otherMasters()[0];
        String key = entryKeyOn("idle", node);
        assertTrue(stand.store().putIfVersions(key, utf8("v1"), 60, versionKeys, tokens));
        assertEquals(0, lookupsAtOnce(node, key, versionKeys), "three idle connections, all alive");
        stand.cluster().command(node, "CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes");
        assertThrows(EntryNodeUnavailable.class,
                () -> stand.store().lookup(key, versionKeys, new long[] {0, 0}, 1 << 20, true), "a dead connection");
        Thread.sleep(600); // the first back-off, 250 ms, is over
        assertEquals(0, lookupsAtOnce(node, key, versionKeys), "no dead connection left idle");
    }

    /**
     * Three lookups of {@code key} at once, while its node is paused, so that each borrows a connection of its own
     * (left idle afterwards); how many failed.
     */
    private static int lookupsAtOnce(int node, String key, String[] versionKeys) throws InterruptedException {
        stand.cluster().command(node, "CLIENT", "PAUSE", "500", "ALL");
        java.util.concurrent.atomic.AtomicInteger failed = new java.util.concurrent.atomic.AtomicInteger();
        List<Thread> readers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Thread t = new Thread(() -> {
                try {
                    stand.store().lookup(key, versionKeys, new long[] {0, 0}, 1 << 20, true);
                } catch (RuntimeException e) {
                    failed.incrementAndGet();
                }
            });
            t.start();
            readers.add(t);
        }
        for (Thread t : readers) {
            t.join(10_000);
        }
        return failed.get();
    }

    /**
     * Review point 4: an entry whose slot moved off a node other than the control node's was that node's
     * {@link EntryNodeUnavailable} (the statement to the database); off the control node, a miss with the tokens.
     * One policy now: a miss with the tokens read, which a store after it may use (checked after its query ran).
     */
    @Test
    void aRedirectedLookupIsAMissWithTheTokensOnEveryNode() {
        String[] versionKeys = {"sql:_database:version:away", "sql:away:version:away"};
        String[] tokens = stand.store().initVersions(versionKeys);
        int[] others = otherMasters();
        String key = entryKeyOn("away", others[0]);
        assertTrue(stand.store().putIfVersions(key, utf8("v1"), 60, versionKeys, tokens));
        assertEquals("v1", new String(stand.store().lookup(key, versionKeys, new long[] {0, 0}, 1 << 20, true).entry(),
                StandardCharsets.UTF_8));
        stand.cluster().migrateSlot(slotOf(key), others[1], 10, 0);
        for (boolean keepsCopy : new boolean[] {true, false}) {
            // MOVED, unless the slot map read the first one queued ran before the second: the entry, from its new node.
            CacheStore.Lookup moved = stand.store().lookup(key, versionKeys, new long[] {0, 0}, 1 << 20, keepsCopy);
            assertTrue(moved.entry() == null || "v1".equals(new String(moved.entry(), StandardCharsets.UTF_8)));
            assertArrayEquals(tokens, moved.versions(), "with the tokens the control node holds");
        }
    }

    /**
     * Review point 5: a flush stopped at the first master that failed, leaving the masters after it (in the slot
     * map's order) unflushed. Each other master is paused in turn, so whichever order the map has, one of them came
     * first: the flush must reach every master that answers, and still say it did not reach one.
     */
    @Test
    void aFlushReachesEveryMasterThatAnswersAndSaysOneDidNot() throws Exception {
        int[] others = otherMasters();
        for (int paused : others) {
            int live = others[0] == paused ? others[1] : others[0];
            String[] versionKeys = {"sql:_database:version:flush", "sql:flush:version:flush"};
            String[] tokens = stand.store().initVersions(versionKeys);
            String onLive = entryKeyOn("flush", live);
            assertTrue(stand.store().putIfVersions(onLive, utf8("v"), 60, versionKeys, tokens));
            assertTrue(stand.store().putIfVersions(entryKeyOn("flush", paused), utf8("v"), 60, versionKeys, tokens));
            // Longer than the socket timeout (2 s): the SCAN there times out; the pause ends by itself.
            stand.cluster().command(paused, "CLIENT", "PAUSE", "2500", "ALL");
            long pausedAt = System.nanoTime();
            CacheStoreException partial = assertThrows(CacheStoreException.class,
                    () -> stand.store().deleteMatching("sql:flush:*"));
            // The operator's message says the flush was partial, and why the master that failed did.
            assertTrue(partial.getMessage().contains("deleteMatching failed: 1 of 3 masters could not be reached"),
                    partial.getMessage());
            assertTrue(partial.getMessage().contains("no answer within the timeout"), partial.getMessage());
            assertEquals(0L, ((Number) stand.cluster().command(live, "EXISTS", ClusterKeys.entry(onLive))).longValue(),
                    "the entry on the master that answers is deleted");
            assertEquals(0L, ((Number) stand.cluster().command(stand.cluster().masterOf(ClusterKeys.SLOT), "EXISTS",
                    ClusterKeys.physical("sql:flush:version:flush"))).longValue(), "and the control node's keys");
            long left = 3_000 - Duration.ofNanos(System.nanoTime() - pausedAt).toMillis();
            Thread.sleep(Math.max(0, left)); // the pause is over before the next round
        }
    }
}
