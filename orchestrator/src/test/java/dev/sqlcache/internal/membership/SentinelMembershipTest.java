package dev.sqlcache.internal.membership;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlcache.internal.config.SqlCacheConfig;
import dev.sqlcache.internal.store.RedisCacheStore;
import dev.sqlcache.internal.time.Clock;
import dev.sqlcache.testing.RedisSentinelFixture;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A promoted replica may lack the last joins (asynchronous replication). A JVM that joined just before the
 * failover and is cut off from the new primary must not be forgotten there: the members that saw it put it back
 * before their first renewal on the new primary, as after a lost set.
 */
class SentinelMembershipTest {

    @Test
    void aJoinTheReplicaMissedIsPutBackOnTheNewPrimary() throws Exception {
        try (RedisSentinelFixture group = RedisSentinelFixture.start()) {
            Map<String, String> properties = new HashMap<>(group.properties());
            properties.put("sqlcache.redis.socketTimeout", "1s");
            var settings = SqlCacheConfig.load(Map.of(), properties).redis();
            try (RedisCacheStore staying = new RedisCacheStore(settings);
                 RedisCacheStore joiningLate = new RedisCacheStore(settings)) {
                Membership stays = membership(staying);
                stays.renew();
                group.cutReplication();
                Membership late = membership(joiningLate);
                late.renew(); // joins on the primary alone
                stays.renew(); // sees (and remembers) the late member
                int first = group.primaryPort();
                assertEquals(3L, group.command(first, "ZCARD", MembershipStore.MEMBERS_KEY), "epoch and two members");

                int second = group.awaitFailover(group.manualFailover(), 30_000);
                assertEquals(2L, group.command(second, "ZCARD", MembershipStore.MEMBERS_KEY),
                        "the promoted replica missed the late join, else this test proves nothing");
                long deadline = System.nanoTime() + 30_000_000_000L;
                long start = System.nanoTime();
                while (System.nanoTime() < deadline && !stays.vouchesForStore()) {
                    stays.renew(); // the late member stays silent: cut off from the new primary
                    Thread.sleep(20);
                }
                assertTrue(stays.vouchesForStore(), "renewed on the new primary within 30 s");
                System.out.printf("SentinelMembershipTest: renewed on the new primary %d ms after the sentinels "
                        + "agreed%n", (System.nanoTime() - start) / 1_000_000);
                assertEquals(3L, group.command(second, "ZCARD", MembershipStore.MEMBERS_KEY),
                        "the late member is back in the set, so its lapse holds the fence down");
            }
        }
    }

    private static Membership membership(RedisCacheStore store) {
        return new Membership(store.membership(), store.describe(), 30_000, () -> true, store::reconnects,
                Runnable::run, Clock.SYSTEM);
    }
}
