package dev.sqlcache.internal.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlcache.internal.config.SqlCacheConfig;
import dev.sqlcache.internal.engine.StatisticsRecorder;
import dev.sqlcache.internal.skip.SkipGuard;
import dev.sqlcache.internal.skip.SkipHolds;
import dev.sqlcache.internal.skip.TableSwitches;
import dev.sqlcache.internal.store.CacheStore;
import dev.sqlcache.internal.store.RedisCacheStore;
import dev.sqlcache.internal.store.VersionTokens;
import dev.sqlcache.internal.time.Clock;
import dev.sqlcache.testing.RedisServerFixture;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

/**
 * Issue #10: the grant of a skip permit closes its table's gate when the store answers LEASED while this JVM's own
 * writes lease the table, waits them out, and grants once their leases are gone; a lease that is not this JVM's
 * closes no gate and gets no permit, as before. The guard alone, on a private Redis; "this JVM's own leases" is a
 * flag the test sets beside a lease it places itself, as an auto-commit write in flight would.
 */
class SkipPermitGateTest {

    private static final String TABLE = "sql:items:version:db1";
    private static final String SEQUENCE = CacheStore.SEQUENCE_PREFIX + "db1";
    private static final long PATIENCE_NANOS = 15_000_000_000L;
    private static final TableSwitches ALL_OFF = new EveryTableOff();

    private interface Check {
        boolean holds() throws Exception;
    }

    private static void until(Check check, String what) throws Exception {
        long deadline = System.nanoTime() + PATIENCE_NANOS;
        while (!check.holds()) {
            assertTrue(System.nanoTime() < deadline, "not within 15 s: " + what);
            Thread.sleep(0, 200_000);
        }
    }

    @Test
    void aGrantWaitsOutThisJvmsOwnLeaseBehindItsGateAndIsGranted() throws Exception {
        try (RedisServerFixture server = RedisServerFixture.start()) {
            SqlCacheConfig config = SqlCacheConfig.load(Map.of(), server.tcpProperties());
            RedisCacheStore store = new RedisCacheStore(config.redis());
            CacheRuntime runtime = new CacheRuntime(RuntimeKey.of(config), store, Clock.SYSTEM, null, null);
            StatisticsRecorder statistics = new StatisticsRecorder();
            AtomicBoolean ownWriteInFlight = new AtomicBoolean(true);
            SkipGuard guard = new SkipGuard(store.skips(), runtime.writes(), ALL_OFF, statistics, Clock.SYSTEM,
                    ":version:db1", "sql:_database:version:db1", SEQUENCE, 30_000, keys -> ownWriteInFlight.get());
            try {
                String[] keys = {TABLE};
                String[] leased = {TABLE, SEQUENCE};
                String token = VersionTokens.freshLease(30_000);
                String[] tokens = {token, token};
                // This JVM's write in flight: its lease stands in the table's key (what four writers keep there).
                assertTrue(runtime.writes().lease(leased, tokens, 30_000));
                SkipHolds holds = new SkipHolds();
                assertFalse(guard.begin(keys, holds));
                Thread.sleep(150);
                assertFalse(guard.begin(keys, holds));

                // The store answers LEASED; the lease may be this JVM's own: the grant closes the gate and waits.
                until(() -> guard.gated(keys), "the grant closed the table's gate");
                runtime.writes().endLeases(leased, tokens, null);
                ownWriteInFlight.set(false);

                until(() -> statistics.snapshot().skipPermits() == 1, "the permit granted once the own lease ended");
                // The grant counts the permit before it opens the gate (in its finally): wait for the gate.
                until(() -> !guard.gated(keys), "the gate is open again");
                assertTrue(guard.begin(keys, holds), "a write now skips");
                guard.end(holds);
                assertEquals(1, statistics.snapshot().skippedWrites());
            } finally {
                guard.close();
                runtime.close();
                store.close();
            }
        }
    }

    @Test
    void aLeaseThatIsNotThisJvmsGetsNoPermitAndIsLeftAlone() throws Exception {
        try (RedisServerFixture server = RedisServerFixture.start()) {
            SqlCacheConfig config = SqlCacheConfig.load(Map.of(), server.tcpProperties());
            RedisCacheStore store = new RedisCacheStore(config.redis());
            CacheRuntime runtime = new CacheRuntime(RuntimeKey.of(config), store, Clock.SYSTEM, null, null);
            StatisticsRecorder statistics = new StatisticsRecorder();
            SkipGuard guard = new SkipGuard(store.skips(), runtime.writes(), ALL_OFF, statistics, Clock.SYSTEM,
                    ":version:db1", "sql:_database:version:db1", SEQUENCE, 30_000, keys -> false);
            try {
                String[] keys = {TABLE};
                String token = VersionTokens.freshLease(30_000);
                // Another JVM's write (or its permit) holds the table's key.
                server.command("SET", TABLE, token, "PX", "30000");
                SkipHolds holds = new SkipHolds();
                assertFalse(guard.begin(keys, holds));
                Thread.sleep(150);
                assertFalse(guard.begin(keys, holds));
                // Four renewal rounds: the store answers LEASED at each, and this JVM leases nothing. A grant placed
                // beside the other lease would be refused by its renewal and ended, leaving the key a held mark.
                long quiet = System.nanoTime() + 2_000_000_000L;
                while (System.nanoTime() < quiet) {
                    assertEquals(0, statistics.snapshot().skipPermits());
                    Thread.sleep(5);
                }
                assertEquals(0, statistics.snapshot().skipPermits());
                try (RedisClient inspector = RedisClient.create("127.0.0.1", server.port())) {
                    assertEquals(token, inspector.get(TABLE), "the other lease stands untouched");
                }
            } finally {
                guard.close();
                runtime.close();
                store.close();
            }
        }
    }
}
