package dev.sqlcache.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlcache.internal.config.SqlCacheConfig;
import dev.sqlcache.testing.RedisClusterFixture;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The near caches' channel on a Redis Cluster: the subscription is on the master of sqlcache's slot, and it passes
 * on only the renewal markers that master published; a marker published by another node (the slot moved) ends it.
 */
class ClusterNearChannelTest {

    private static final String NODE = "0123abcd-4567ef";

    @Test
    void aMarkerIsPassedOnWithoutItsNodeOnlyWhenItsNodeIsTheSubscriptions() {
        String marker = "R\nmember\n1:ab\nfence\n1";
        assertEquals(marker, RedisNearChannel.localMarker(marker + "\n" + NODE, NODE));
        assertNull(RedisNearChannel.localMarker(marker + "\n" + "9999-4567ef", NODE), "another node's");
        assertNull(RedisNearChannel.localMarker(marker + "\n" + NODE + "0", NODE), "another node's, longer");
        assertNull(RedisNearChannel.localMarker(marker, NODE), "a marker that names no node");
        assertNull(RedisNearChannel.localMarker("R\nmember\n1:ab\n" + NODE, NODE), "a marker missing a field");
    }

    /**
     * A promoted replica may lack the last near renewals: for two near leases after a store starts or sees the slot's
     * master change, a change's holders are "untold" (the writer waits out a whole lease), then the set counts again.
     */
    @Test
    void theHoldersSetIsDistrustedAfterAStartAndAfterAChangeOfMaster() throws Exception {
        try (RedisClusterFixture cluster = RedisClusterFixture.start();
             RedisCacheStore store = new RedisCacheStore(SqlCacheConfig.load(Map.of(), cluster.properties()).redis())) {
            String[] keys = {"sql:t:version:db"};
            store.initVersions(keys);
            assertSame(CacheStore.Recipients.UNTOLD, store.endLeases(keys, null, null, CacheStore.Notice.anonymous()),
                    "a store just started");
            Thread.sleep(RedisNearChannel.CHANGE_MILLIS + 100);
            // No near member ever joined, so the set does not exist: "unknown", what the script says.
            assertSame(CacheStore.Recipients.UNKNOWN, store.endLeases(keys, null, null, CacheStore.Notice.anonymous()),
                    "what the script says, once no change is recent");

            int master = cluster.masterOf(ClusterKeys.SLOT);
            int target = java.util.Arrays.stream(cluster.ports()).filter(p -> p != master).findFirst().orElseThrow();
            cluster.migrateSlot(ClusterKeys.SLOT, target, 100, 0);
            CacheStore.Recipients after = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (after == null && System.nanoTime() < deadline) {
                try {
                    after = store.endLeases(keys, null, null, CacheStore.Notice.anonymous());
                } catch (CacheStoreException redirected) {
                    Thread.sleep(50); // the slot map is read again meanwhile
                }
            }
            assertSame(CacheStore.Recipients.UNTOLD, after, "the first change after the slot moved");
        }
    }

    /**
     * A change delivered in the background (its script failed, say on a master that had just died, and was retried
     * on the new one) waits out the near leases only if the holders' set names a live one besides the writer. That
     * set is the one a promoted replica may hold without the last renewals: within two near leases of a start or of
     * a change of master, others are assumed live, as for the changes whose holders are "untold". Fails without
     * that: the empty set of a store just started says nobody else holds a lease.
     */
    @Test
    void othersAreAssumedLiveAfterAStartAndAfterAChangeOfMaster() throws Exception {
        try (RedisClusterFixture cluster = RedisClusterFixture.start();
             RedisCacheStore store = new RedisCacheStore(SqlCacheConfig.load(Map.of(), cluster.properties()).redis())) {
            NearChannel channel = store.nearChannel();
            assertTrue(channel.othersLive("me"), "a store just started");
            Thread.sleep(RedisNearChannel.CHANGE_MILLIS + 100);
            assertTrue(!channel.othersLive("me"), "what the set says, once no change is recent: nobody");

            int master = cluster.masterOf(ClusterKeys.SLOT);
            int target = java.util.Arrays.stream(cluster.ports()).filter(p -> p != master).findFirst().orElseThrow();
            cluster.migrateSlot(ClusterKeys.SLOT, target, 100, 0);
            Boolean after = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (after == null && System.nanoTime() < deadline) {
                try {
                    after = channel.othersLive("me");
                } catch (CacheStoreException redirected) {
                    Thread.sleep(50); // the slot map is read again meanwhile
                }
            }
            assertEquals(Boolean.TRUE, after, "the first look after the slot moved");
        }
    }

    /** The scripts publish the keys they were given, tagged on a cluster; near caches know them untagged. */
    @Test
    void aNoticeIsPassedOnWithTheKeysTheNearCachesKnow() {
        assertEquals("N\nwriter\nid\nsql:t:version:db\n*",
                RedisNearChannel.logicalNotice("N\nwriter\nid\nsql:{sqlcache}t:version:db\n*"));
    }

    @Test
    void markersComeBackOnTheSlotsMasterAndAMoveEndsTheSubscription() throws Exception {
        try (RedisClusterFixture cluster = RedisClusterFixture.start();
             RedisCacheStore store = new RedisCacheStore(SqlCacheConfig.load(Map.of(), cluster.properties()).redis())) {
            NearChannel channel = store.nearChannel();
            ChannelSubscription subscription = ChannelSubscription.subscribe(channel);
            LinkedBlockingQueue<String> received = subscription.received;
            CompletableFuture<Void> listening = subscription.listening;
            int master = cluster.masterOf(ClusterKeys.SLOT);
            String clients = String.valueOf(cluster.command(master, "CLIENT", "LIST"));
            assertTrue(clients.contains("name=sqlcache-near") && clients.contains("cmd=subscribe"),
                    "the subscription is on the slot's master: " + clients);

            channel.renew("m1", 1000, "1:aa");
            String marker = received.poll(10, TimeUnit.SECONDS);
            assertTrue(marker != null && marker.startsWith("R\nm1\n1:aa\n"), String.valueOf(marker));
            assertEquals(5, marker.split("\n", -1).length, "passed on as a single server's marker: " + marker);

            int target = java.util.Arrays.stream(cluster.ports()).filter(p -> p != master).findFirst().orElseThrow();
            cluster.migrateSlot(ClusterKeys.SLOT, target, 100, 0);
            // The renewal now runs on the target; its marker reaches the old master over the cluster bus and must
            // not count there: the subscription ends instead, and the near member subscribes again (to the target).
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!listening.isDone() && System.nanoTime() < deadline) {
                try {
                    channel.renew("m1", 1000, "2:bb");
                } catch (CacheStoreException redirectedOnce) {
                    // the first command after the move is redirected; the slot map is read again meanwhile
                }
                Thread.sleep(100);
            }
            assertTrue(listening.isDone(), "a marker of another node ended the subscription");
            listening.get(1, TimeUnit.SECONDS);
            for (String message : List.copyOf(received)) {
                assertTrue(!message.contains("2:bb"), "the target's marker was not passed on: " + message);
            }
        }
    }
}
