package dev.sqlcache.internal.guard;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlcache.internal.config.SqlCacheConfig;
import dev.sqlcache.internal.membership.Membership;
import dev.sqlcache.internal.membership.MembershipStore;
import dev.sqlcache.internal.store.CacheStore;
import dev.sqlcache.internal.store.RedisCacheStore;
import dev.sqlcache.internal.time.Clock;
import dev.sqlcache.testing.CutOffStore;
import dev.sqlcache.testing.ManualTime;
import dev.sqlcache.testing.RedisServerFixture;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * After a reason to doubt the store (here: Redis restarted from a snapshot older than the last write; likewise a
 * promoted replica), a lookup is trusted only once a renewal has replaced the fence it restored. A renewal whose
 * answer arrives while a lookup's answer is still on its way back must not count for that lookup: the lookup may
 * have read the restored fence, and the entry that matches it, just before the renewal replaced it. Seen as a
 * single stale read right after a renewal on a promoted replica, repeating {@code SentinelFailoverTest} under
 * load. On a real Redis, with the renewal run at exactly that moment.
 */
class LookupDuringRenewalTest {

    private static final String ENTRY = "sql:t:data:during-renewal";
    private static final String[] KEYS = {MembershipStore.FENCE_KEY, "sql:t:version"};
    private static final long[] CREATION = {CacheStore.NEVER_CREATE, CacheStore.NO_EXPIRY};

    @Test
    void aRenewalAnsweredWhileALookupIsInFlightDoesNotVouchForIt() throws Exception {
        try (RedisServerFixture redis = RedisServerFixture.start()) {
            Map<String, String> properties = new HashMap<>(redis.tcpProperties());
            try (RedisCacheStore shared = new RedisCacheStore(SqlCacheConfig.load(Map.of(), properties).redis())) {
                CutOffStore view = new CutOffStore(shared);
                Membership membership = new Membership(shared.membership(), shared.describe(), 30_000, () -> true,
                        shared::reconnects, Runnable::run, Clock.SYSTEM);
                FailOpen failOpen = new FailOpen(shared.describe(), () -> { }, Clock.SYSTEM);
                CacheReads reads = new CacheReads(view, failOpen,
                        new Redelivery(view, failOpen, new OwedInvalidations(), new ManualTime().lane()), membership,
                        Runnable::run);

                membership.renew(); // joins: the fence exists from now on
                CacheStore.Lookup first = reads.lookup(ENTRY, KEYS, CREATION, Integer.MAX_VALUE);
                assertNotNull(first, "trusted: nothing to doubt yet");
                byte[] old = "the answer before the write".getBytes(StandardCharsets.UTF_8);
                assertTrue(shared.putIfVersions(ENTRY, old, 60, KEYS, first.versions()));
                membership.renew(); // the snapshot's fence then lives 2 s more: ample for a restart
                assertEquals("+OK", redis.command("SAVE"));
                String[] table = {KEYS[1]};
                shared.endLeases(table, shared.leaseVersions(table, 60_000)); // a write, acknowledged
                redis.restart(); // from the snapshot: the write's invalidation is lost

                // The restarted server answers the old entry under the fence and token it was stored with. This
                // lookup finds its idle connection dead and reconnects: a reason to doubt the store.
                CacheStore.Lookup restored = shared.lookup(ENTRY, KEYS, CREATION);
                assertArrayEquals(old, restored.entry(), "the snapshot brought the old entry back");
                assertArrayEquals(first.versions(), restored.versions(),
                        "the fence and the token it was stored under came back alive, else this test proves nothing");

                // The renewal that replaces the restored fence is answered while the next lookup's answer, read
                // before it, is on its way back.
                view.onLookupAnswered(membership::renew);
                assertNull(reads.lookup(ENTRY, KEYS, CREATION, Integer.MAX_VALUE),
                        "a lookup read before the renewal that vouches for the restarted server is not trusted");
                view.onLookupAnswered(() -> { });

                CacheStore.Lookup after = reads.lookup(ENTRY, KEYS, CREATION, Integer.MAX_VALUE);
                assertNotNull(after, "trusted once the renewal had answered before it was sent");
                assertTrue(!first.versions()[0].equals(after.versions()[0]),
                        "the renewal replaced the restored fence: the old entry no longer matches");
            }
        }
    }
}
