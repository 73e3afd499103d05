package dev.sqlcache.internal.guard;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlcache.internal.config.SqlCacheConfig;
import dev.sqlcache.internal.membership.Membership;
import dev.sqlcache.internal.store.CacheStore;
import dev.sqlcache.internal.store.RedisCacheStore;
import dev.sqlcache.internal.time.Clock;
import dev.sqlcache.testing.ManualTime;
import dev.sqlcache.testing.RedisServerFixture;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;

/**
 * The writer's queue of missed results is bounded by the bytes it holds (the captures' estimates), besides its
 * bound in entries: a store over the bound is refused at once, never waited for, and nothing of it is run. On a
 * real Redis, with the writer thread held by the test.
 */
class StoreQueueBoundTest {

    private static final String[] KEYS = {"sql:q:version"};
    private static final long[] CREATION = {CacheStore.NO_EXPIRY};

    /** Records what the store saw, as a session's store does. */
    private static final class Recorded implements CacheReads.LaterStore {
        final byte[] value;
        final String[] tokens;
        boolean encoded;
        Boolean ended;

        Recorded(String value, String[] tokens) {
            this.value = value.getBytes(StandardCharsets.UTF_8);
            this.tokens = tokens;
        }

        @Override
        public byte[] value() {
            encoded = true;
            return value;
        }

        @Override
        public String[] versionKeys() {
            return KEYS;
        }

        @Override
        public String[] tokens() {
            return tokens;
        }

        @Override
        public void ended(boolean stored) {
            assertNull(ended, "ended once");
            ended = stored;
        }
    }

    @Test
    void storesOverTheByteBoundAreRefusedAtOnceAndTheBoundFreesAsTheyLand() throws Exception {
        try (RedisServerFixture redis = RedisServerFixture.start();
             RedisCacheStore store = new RedisCacheStore(
                     SqlCacheConfig.load(Map.of(), redis.tcpProperties()).redis())) {
            ArrayDeque<Runnable> held = new ArrayDeque<>();
            Executor writer = held::add;
            Membership membership = new Membership(store.membership(), store.describe(), 30_000, () -> true,
                    store::reconnects, Runnable::run, Clock.SYSTEM);
            FailOpen failOpen = new FailOpen(store.describe(), () -> { }, Clock.SYSTEM);
            CacheReads reads = new CacheReads(store, failOpen,
                    new Redelivery(store, failOpen, new OwedInvalidations(), new ManualTime().lane()), membership,
                    writer, 1000);
            membership.renew();
            String[] tokens = reads.lookup("sql:q:data:0", KEYS, CREATION, Integer.MAX_VALUE).versions();

            List<Recorded> accepted = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Recorded store300 = new Recorded("entry " + i, tokens);
                assertTrue(reads.putLater("sql:q:data:" + i, 300, 60, store300), "within the bound: " + i);
                accepted.add(store300);
            }
            Recorded over = new Recorded("over", tokens);
            assertFalse(reads.putLater("sql:q:data:over", 300, 60, over), "1,200 estimated bytes > 1,000");
            assertEquals(900, reads.queuedBytes());
            assertEquals(3, held.size(), "the refused store was never handed to the writer");
            assertFalse(over.encoded);
            assertNull(over.ended, "a refused store is the caller's to count, not ended");

            held.poll().run();
            assertEquals(600, reads.queuedBytes(), "a landed store frees its bytes");
            assertTrue(reads.putLater("sql:q:data:3", 300, 60, new Recorded("entry 3", tokens)));
            while (!held.isEmpty()) {
                held.poll().run();
            }
            assertEquals(0, reads.queuedBytes());
            for (Recorded r : accepted) {
                assertTrue(r.encoded);
                assertTrue(r.ended, "stored under current tokens");
            }
            assertArrayEquals("entry 0".getBytes(StandardCharsets.UTF_8),
                    store.lookup("sql:q:data:0", KEYS, CREATION).entry());

            Recorded huge = new Recorded("huge", tokens);
            assertTrue(reads.putLater("sql:q:data:huge", 5000, 60, huge),
                    "one result larger than the bound still goes when nothing waits (sqlcache.maxBytes limits it)");
            assertFalse(reads.putLater("sql:q:data:small", 1, 60, new Recorded("small", tokens)),
                    "but nothing joins it");
            held.poll().run();
            assertTrue(huge.ended);
            assertEquals(0, reads.queuedBytes());
        }
    }
}
