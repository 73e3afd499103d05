package dev.sqlcache.internal.membership;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlcache.internal.config.SqlCacheConfig;
import dev.sqlcache.internal.store.RedisCommands;
import dev.sqlcache.testing.HoldingRelay;
import dev.sqlcache.testing.RedisServerFixture;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

/**
 * Review rL (session 28): the fence comes back with a fresh token after it was deleted (fence_helpers.lua), so that
 * a near cache whose renewal marker shows it changed drops every copy made under the old one. A renewal whose
 * connection died is sent again (RedisCommands.run), and its first attempt may land after the retry was answered;
 * with the same arguments it re-created the retry's fence, the very token holders had seen before the deletion, and
 * a holder that saw no marker in between kept its copies. Failed before the token was drawn for each attempt.
 */
class LateRenewalAttemptTest {

    @Test
    void aRenewalsLateFirstAttemptNeverBringsBackAFenceHoldersSaw() throws Exception {
        try (RedisServerFixture server = RedisServerFixture.start();
             HoldingRelay relay = HoldingRelay.to(server.port());
             RedisCommands commands = new RedisCommands(SqlCacheConfig.load(Map.of(), throughRelay(server, relay))
                     .redis());
             RedisClient inspector = RedisClient.create("127.0.0.1", server.port())) {
            RedisMembershipStore store = new RedisMembershipStore(commands);
            store.joinTicket("ticket", 60_000);
            MembershipStore.Renewal joined = store.renew("member-a", "ticket", 60_000, 60_000, 0, null);
            assertNotNull(joined.epoch(), "joined");
            // The fence is gone (a member lapsed and was dropped): the next renewal that finds it missing makes it.
            inspector.del(MembershipStore.FENCE_KEY);

            relay.holdNextContaining("member-a");
            store.renew("member-a", null, 60_000, 60_000, 0, joined.epoch());
            assertTrue(relay.holding(), "the first attempt was kept, and its connection closed");
            String seen = inspector.get(MembershipStore.FENCE_KEY);
            assertNotNull(seen, "the retry made the fence, which holders' markers carry");

            inspector.del(MembershipStore.FENCE_KEY); // deleted again: another member lapsed
            relay.releaseHeld();
            String back = inspector.get(MembershipStore.FENCE_KEY);
            assertNotNull(back, "the late attempt made the fence again");
            assertNotEquals(seen, back, "the fence came back as the token holders saw before its deletion");
        }
    }

    private static Map<String, String> throughRelay(RedisServerFixture server, HoldingRelay relay) {
        Map<String, String> properties = new HashMap<>(server.tcpProperties());
        properties.put("sqlcache.redis.port", Integer.toString(relay.port()));
        return properties;
    }
}
