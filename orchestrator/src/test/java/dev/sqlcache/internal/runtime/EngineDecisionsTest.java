package dev.sqlcache.internal.runtime;

import dev.sqlcache.internal.store.InMemoryCacheStore;
import dev.sqlcache.stats.BypassReason;
import dev.sqlcache.testing.ManualTime;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engine's decisions across simulated JVMs sharing one store, on a clock the test advances: transactions,
 * leases, membership lapses, the fence and back-off, each in milliseconds of real time.
 */
class EngineDecisionsTest {

    private final ManualTime time = new ManualTime();
    private final SimulatedJvm.Database database = new SimulatedJvm.Database();
    private InMemoryCacheStore shared;

    @BeforeEach
    void openStore() {
        shared = new InMemoryCacheStore(64L * 1024 * 1024, time);
    }

    private SimulatedJvm jvm() {
        return new SimulatedJvm(shared, database, time, Map.of());
    }

    private SimulatedJvm jvm(String... settings) {
        java.util.Map<String, String> map = new java.util.HashMap<>();
        for (int i = 0; i < settings.length; i += 2) {
            map.put(settings[i], settings[i + 1]);
        }
        return new SimulatedJvm(shared, database, time, map);
    }

    @Test
    void aReadIsStoredThenServedAndAWriteInvalidatesItForEveryJvm() throws Exception {
        SimulatedJvm a = jvm();
        SimulatedJvm b = jvm();
        database.values.put("t", 1);
        assertEquals(1, a.session().read("t"));
        assertEquals(1, b.session().read("t"));
        assertEquals(1, b.statistics().hits(), "b is served what a stored");
        a.session().write("t", 2);
        assertEquals(2, b.session().read("t"));
        assertEquals(1, b.statistics().misses(), "the write made b's next read a miss");
        assertEquals(2, a.session().read("t"));
        assertEquals(1, a.statistics().hits());
    }

    @Test
    void aTransactionsWritesAreLeasedUntilItEndsAndInvisibleToItsOwnCachedReads() throws Exception {
        SimulatedJvm a = jvm();
        SimulatedJvm b = jvm();
        database.values.put("t", 1);
        database.values.put("u", 5);
        b.session().read("t");
        SimulatedJvm.Session writer = a.session(false, Connection.TRANSACTION_READ_COMMITTED);
        writer.write("t", 2);
        writer.read("t");
        assertEquals(1, a.bypasses(BypassReason.TRANSACTION_STATE), "a table this transaction wrote");
        writer.read("u");
        writer.read("u");
        assertEquals(0, a.statistics().hits(), "nothing is stored after the transaction's first write");
        b.session().read("t");
        assertEquals(1, b.bypasses(BypassReason.WRITE_IN_PROGRESS), "the lease keeps every JVM off the table");
        writer.commit();
        b.session().read("t");
        b.session().read("t");
        assertEquals(1, b.statistics().hits(), "cached again once the commit returned, under a fresh token");
    }

    @Test
    void aRollbackEndsTheLeasesToo() throws Exception {
        SimulatedJvm a = jvm();
        database.values.put("t", 1);
        SimulatedJvm.Session writer = a.session(false, Connection.TRANSACTION_READ_COMMITTED);
        writer.write("t", 9);
        database.values.put("t", 1); // what the rollback undoes in the database
        writer.rollback();
        SimulatedJvm.Session reader = a.session();
        assertEquals(1, reader.read("t"));
        assertEquals(1, reader.read("t"));
        assertEquals(1, a.statistics().hits());
    }

    @Test
    void repeatableReadTransactionsStayOutOfTheCache() throws Exception {
        SimulatedJvm a = jvm();
        database.values.put("t", 1);
        SimulatedJvm.Session snapshot = a.session(false, Connection.TRANSACTION_REPEATABLE_READ);
        snapshot.read("t");
        snapshot.read("t");
        assertEquals(2, a.bypasses(BypassReason.TRANSACTION_STATE));
        assertEquals(0, a.statistics().stores());
    }

    @Test
    void aJvmCutOffFromTheStoreFencesEveryOtherAndItsWriteWaitsUntilItHasLapsed() throws Exception {
        SimulatedJvm a = jvm();
        SimulatedJvm b = jvm();
        database.values.put("t", 1);
        b.session().read("t");
        b.session().read("t");
        assertEquals(1, b.statistics().hits());

        a.store.cut();
        long before = time.nanoTime();
        a.session().write("t", 2); // its lease cannot be placed: it waits for its membership to lapse
        long waitedMillis = (time.nanoTime() - before) / 1_000_000;
        assertTrue(waitedMillis >= 2000 && waitedMillis <= 4500, "waited " + waitedMillis + " ms");

        assertEquals(2, b.session().read("t"), "b must not serve the answer a's write changed");
        assertTrue(b.bypasses(BypassReason.FENCED) >= 1);

        a.store.reconnect();
        time.advance(1000); // a delivers what it owes and joins again; the fence comes back with a fresh token
        assertEquals(2, b.session().read("t"));
        assertEquals(2, b.session().read("t"));
        assertEquals(2, b.statistics().hits(), "caching resumed under the new fence");
    }

    @Test
    void aLaterWriteOfTheCutOffJvmDoesNotWaitAgain() throws Exception {
        SimulatedJvm a = jvm();
        database.values.put("t", 1);
        a.store.cut();
        a.session().write("t", 2);
        long before = time.nanoTime();
        a.session().write("t", 3);
        assertTrue(time.nanoTime() - before < 100_000_000L, "the membership has lapsed already");
    }

    @Test
    void aKilledJvmFencesTheOthersForTheFenceTimeoutOnly() throws Exception {
        SimulatedJvm a = jvm("sqlcache.fenceTimeout", "10s");
        SimulatedJvm b = jvm("sqlcache.fenceTimeout", "10s");
        database.values.put("t", 1);
        a.kill();
        time.advance(3000);
        b.session().read("t");
        assertEquals(1, b.bypasses(BypassReason.FENCED));
        time.advance(10_000);
        b.session().read("t");
        b.session().read("t");
        assertEquals(1, b.statistics().hits(), "the silent member was dropped, the fence is back");
    }

    @Test
    void aCleanCloseLeavesWithoutFencingTheOthers() throws Exception {
        SimulatedJvm a = jvm();
        SimulatedJvm b = jvm();
        database.values.put("t", 1);
        a.close();
        time.advance(5000);
        b.session().read("t");
        b.session().read("t");
        assertEquals(0, b.bypasses(BypassReason.FENCED));
        assertEquals(1, b.statistics().hits());
    }

    @Test
    void closingWithAnUndeliveredInvalidationLapsesInsteadOfLeaving() throws Exception {
        SimulatedJvm a = jvm();
        SimulatedJvm b = jvm();
        database.values.put("t", 1);
        b.session().read("t");
        SimulatedJvm.Session writer = a.session(false, Connection.TRANSACTION_READ_COMMITTED);
        writer.write("t", 2);
        a.store.cut();
        writer.commit(); // the lease end is owed; the commit waits until a's membership has lapsed
        a.close();
        assertEquals(2, b.session().read("t"));
        assertTrue(b.bypasses(BypassReason.FENCED) + b.bypasses(BypassReason.WRITE_IN_PROGRESS) >= 1);
    }

    @Test
    void aFailingStoreIsSkippedForItsBackOffAndTriedAgainAfterIt() throws Exception {
        SimulatedJvm a = jvm();
        database.values.put("t", 1);
        a.session().read("t");
        a.store.cut();
        a.session().read("t");
        assertEquals(1, a.bypasses(BypassReason.CACHE_UNAVAILABLE));
        a.store.reconnect();
        int calls = a.store.calls();
        a.session().read("t");
        assertEquals(calls, a.store.calls(), "in back-off: the store is not asked");
        assertEquals(2, a.bypasses(BypassReason.CACHE_UNAVAILABLE));
        time.advance(300); // the back-off (250 ms) is over: the next read finds the store answering again
        a.session().read("t");
        assertEquals(3, a.bypasses(BypassReason.CACHE_UNAVAILABLE),
                "other JVMs' owed invalidations get a grace period to land first");
        time.advance(300); // the grace is over, and a renewal has vouched for the store since the outage
        a.session().read("t");
        assertEquals(1, a.statistics().hits(), "back in the cache");
    }

    @Test
    void anInvalidationOwedWhileCutOffIsDeliveredInTheBackgroundOnceTheStoreAnswers() throws Exception {
        SimulatedJvm a = jvm();
        SimulatedJvm b = jvm();
        database.values.put("t", 1);
        b.session().read("t");
        a.store.cut();
        a.session().write("t", 2);
        a.store.reconnect();
        time.advance(50); // the redelivery runs every 10 ms on a's background lane
        time.advance(1000);
        assertEquals(2, b.session().read("t"));
        assertEquals(2, b.session().read("t"));
        assertEquals(2, a.session().read("t"));
    }

    /**
     * Open hole. A write that starts while this JVM's membership has lapsed places no lease (faults: "writes after a
     * lapse need not tell Redis"; before, one whose lease failed did the same). If the JVM delivers what it owes and
     * joins again while that write is still in flight (its end is owed only when it ends), the fence comes back and
     * another JVM caches the tables it writes under plain tokens, with no write in flight as far as the store can
     * tell. A REPEATABLE READ transaction that starts after the database committed (its snapshot includes the
     * write), but before the write's end, is then served the old entry of one table while it reads the other from
     * the database: two moments in one snapshot. Rule 2 of "Snapshot transactions" (a write leases before it runs)
     * does not hold for it. Auto-commit readers are safe: the end gives fresh tokens before the commit returns
     * ({@code MembershipGapsTest.anUnleasedTransactionThatCommitsAfterItsJvmRejoinedMustNotLeaveTheOldAnswer}).
     * Closing it: no join while a write that placed no lease is in flight, or a lease placed before its commit once
     * the JVM has joined again.
     */
    @org.junit.jupiter.api.Disabled("open hole: an unleased write in flight across its JVM's rejoin splits a snapshot")
    @Test
    void aSnapshotMustNotMixTheMomentsOfAnUnleasedWriteInFlightAcrossItsJvmsRejoin() throws Exception {
        String postgres = "jdbc:postgresql://127.0.0.1/simulated"; // whose REPEATABLE READ may use the cache
        SimulatedJvm a = new SimulatedJvm(shared, database, time, Map.of(), postgres);
        SimulatedJvm b = new SimulatedJvm(shared, database, time, Map.of(), postgres);
        database.values.put("t", 1);
        database.values.put("u", 1);
        a.store.cut();
        a.session().write("x", 1); // waits until a's membership has lapsed; its end is owed
        a.store.reconnect();
        SimulatedJvm.Session writer = a.session(false, Connection.TRANSACTION_READ_COMMITTED);
        writer.write("t", 2); // the store failed and the membership lapsed: no lease
        writer.write("u", 2);
        database.values.put("t", 1); // not committed yet: other transactions still see 1
        database.values.put("u", 1);
        time.advance(1000); // a delivers what it owes and joins again: the fence comes back
        SimulatedJvm.Session reader = b.session();
        reader.read("t");
        reader.read("t");
        assertTrue(b.statistics().hits() >= 1, "b caches t again while a's transaction is open");
        int[] seen = new int[2];
        writer.commit(() -> {
            database.values.put("t", 2); // the database commits both
            database.values.put("u", 2);
            SimulatedJvm.Session snapshot = b.session(true, Connection.TRANSACTION_REPEATABLE_READ, true);
            snapshot.begin(); // through JDBC: setAutoCommit(false)
            seen[0] = snapshot.read("t"); // its snapshot is taken now: after the commit
            seen[1] = snapshot.read("u");
        });
        assertEquals(seen[1], seen[0], "t and u were committed together: one snapshot shows both or neither");
    }
}
