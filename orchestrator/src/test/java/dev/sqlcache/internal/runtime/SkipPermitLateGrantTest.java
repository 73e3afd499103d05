package dev.sqlcache.internal.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlcache.internal.engine.StatisticsRecorder;
import dev.sqlcache.internal.skip.SkipGuard;
import dev.sqlcache.internal.skip.SkipHolds;
import dev.sqlcache.internal.skip.TableSwitches;
import dev.sqlcache.internal.store.CacheStore;
import dev.sqlcache.internal.store.RedisCacheStore;
import dev.sqlcache.internal.time.Clock;
import dev.sqlcache.testing.HoldingRelay;
import dev.sqlcache.testing.RedisServerFixture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

/**
 * Review rK of hK: a skipping write's end trusts its permit's bare token in the table's keys as a lease that stood
 * since the grant, because only the grant places it, once. The grant's lease goes through the ordinary lease path,
 * whose client retries a command once on a fresh connection when the first one's connection died: the retry is
 * answered (the permit is granted), and the first attempt may land late, after the lease was lost and another JVM
 * recreated the table's token and cached it, putting the permit's token back. The renewal and the check then find
 * it "intact", and a write skipping under it returns unseen. Driven with a relay that hangs up on the grant's first
 * attempt and delivers it after the loss (as {@link RetriedLeaseEndTest} does for a write's own lease).
 */
class SkipPermitLateGrantTest {

    private static final String TABLE = "sql:items:version:db1";
    private static final String SEQUENCE = CacheStore.SEQUENCE_PREFIX + "db1";
    private static final TableSwitches ALL_OFF = new EveryTableOff();
    private static final Pattern PERMIT = Pattern.compile("lease:skip:[0-9a-f]+@[0-9]+");

    @Test
    void aPermitWhoseGrantLandedTwiceLetsNoWriteSkipUnseen() throws Exception {
        try (RedisServerFixture server = RedisServerFixture.start();
             HoldingRelay relay = HoldingRelay.to(server.port());
             RedisClient inspector = RedisClient.create("127.0.0.1", server.port());
             RelayedRuntime relayed = RelayedRuntime.through(server, relay)) {
            RedisCacheStore store = relayed.store();
            CacheRuntime runtime = relayed.runtime();
            StatisticsRecorder statistics = new StatisticsRecorder();
            SkipGuard guard = new SkipGuard(store.skips(), runtime.writes(), ALL_OFF, statistics, Clock.SYSTEM,
                    ":version:db1", "sql:_database:version:db1", SEQUENCE, 30_000);
            try {
                String[] keys = {TABLE};
                SkipHolds holds = new SkipHolds();
                // The grant's lease is the only script that names the write sequence: its first attempt is kept.
                relay.holdNextContaining(SEQUENCE);
                // Two writes within the idle window make the table wanted (each leases as usual: no permit yet).
                assertFalse(guard.begin(keys, holds));
                Thread.sleep(150);
                assertFalse(guard.begin(keys, holds));
                // The permit's token, from the kept attempt itself: polling the key for it raced the grant, which
                // places it with the retry and (knowing the lease may land twice) replaces it a moment later; a poll
                // that missed that moment took the next round's permit for it.
                String permit = permitIn(relay.held());
                // The retry answered; the grant either took the permit or (once it knows the lease may land twice)
                // gave it up. Either way, wait for its round to be over (bounded: the loop fails after 10 s).
                long deadline = System.nanoTime() + 10_000_000_000L;
                boolean over = false;
                while (!over && System.nanoTime() < deadline) {
                    String value = inspector.get(TABLE);
                    over = statistics.snapshot().skipPermits() == 1 || (value != null && !permit.equals(value));
                    if (!over) {
                        Thread.sleep(5);
                    }
                }
                assertTrue(over, "the grant's round ended: the permit taken or given up");

                // The lease is lost (a DEL from outside), another JVM recreates the token and caches the table
                // under it, then the grant's first attempt lands and puts the permit's token back.
                server.command("DEL", TABLE);
                server.command("SET", TABLE, "a-reader-recreated-it");
                relay.releaseHeld();
                // Placed bare; or, when a later round granted a new permit meanwhile (a slow test thread), joined
                // with it, or kept as another write's lease by that permit's end: a lease stands in the key either
                // way, and none of this JVM's writes may skip unseen under it.
                String placed = inspector.get(TABLE);
                assertTrue(placed != null && placed.startsWith(CacheStore.LEASE_PREFIX),
                        "the late attempt leased the table again: " + placed);

                boolean skipped = guard.begin(keys, holds);
                guard.end(holds);
                String after = inspector.get(TABLE);
                System.out.println("SkipPermitLateGrantTest: skipped " + skipped + ", the table's token after: "
                        + after);
                assertFalse(skipped && permit.equals(after),
                        "a write skipped under a lease that was lost and put back, and its end bumped nothing: what "
                                + "the other JVM cached meanwhile stays");
            } finally {
                guard.close();
            }
        }
    }

    /** The skip permit's lease token a lease script's request carries (each key's token is the same). */
    private static String permitIn(String request) {
        Matcher found = PERMIT.matcher(request);
        assertTrue(found.find(), "the kept request carries a skip permit's token");
        return found.group();
    }
}
