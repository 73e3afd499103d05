package dev.sqlcache.internal.runtime;

import dev.sqlcache.internal.store.InMemoryCacheStore;
import dev.sqlcache.stats.BypassReason;
import dev.sqlcache.testing.ManualTime;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
     * A write that starts while this JVM's membership has lapsed places no lease (faults: "writes after a lapse need
     * not tell Redis"). If the JVM delivers what it owes and joins again while that write is still in flight (its end
     * is owed only when it ends), the fence comes back; without more, another JVM caches the tables it writes under
     * plain tokens, and a REPEATABLE READ transaction that starts after the database committed (its snapshot
     * includes the write), but before the write's end, is served the old entry of one table while it reads the
     * other from the database: two moments in one snapshot. The join now places the lease of every such write first
     * (UnleasedWrites): from the moment the fence is back, its tables are leased until its end. Auto-commit readers
     * were safe already ({@code MembershipGapsTest.anUnleasedTransactionThatCommitsAfterItsJvmRejoinedMustNotLeaveTheOldAnswer}).
     * Failed before the fix: the snapshot saw t = 1 and u = 2.
     */
    @Test
    void aSnapshotMustNotMixTheMomentsOfAnUnleasedWriteInFlightAcrossItsJvmsRejoin() throws Exception {
        SimulatedJvm a = snapshotJvm();
        SimulatedJvm b = snapshotJvm();
        SimulatedJvm.Session writer = unleasedTransactionAcrossRejoin(a, "t", "u");
        assertRejoinedWithTablesLeased(b, "t");
        assertOneMoment(b, writer, "t", "u");
    }

    /** A writer JVM that lapsed (its first write's end owed) and can reach the store again, not yet rejoined. */
    private SimulatedJvm.Session lapsedWriter(SimulatedJvm a) throws Exception {
        a.store.cut();
        a.session().write("x", 1); // waits until a's membership has lapsed; its end is owed
        a.store.reconnect();
        return a.session(false, Connection.TRANSACTION_READ_COMMITTED);
    }

    private SimulatedJvm snapshotJvm() {
        String postgres = "jdbc:postgresql://127.0.0.1/simulated"; // whose REPEATABLE READ may use the cache
        return new SimulatedJvm(shared, database, time, Map.of(), postgres);
    }

    /** Writes both tables without a lease (not committed: the database still shows 1), then lets a rejoin happen. */
    private SimulatedJvm.Session unleasedTransactionAcrossRejoin(SimulatedJvm a, String first, String second)
            throws Exception {
        database.values.put(first, 1);
        database.values.put(second, 1);
        SimulatedJvm.Session writer = lapsedWriter(a);
        writer.write(first, 2); // the store failed and the membership lapsed: no lease
        writer.write(second, 2);
        database.values.put(first, 1); // not committed yet: other transactions still see 1
        database.values.put(second, 1);
        time.advance(1000); // a delivers what it owes and joins again: the fence comes back
        return writer;
    }

    /** The fence is back (another table is cached), but the in-flight write's table is not served by anyone. */
    private void assertRejoinedWithTablesLeased(SimulatedJvm b, String table) throws Exception {
        database.values.putIfAbsent("other", 7);
        long hits = b.statistics().hits();
        b.session().read("other");
        b.session().read("other");
        assertEquals(hits + 1, b.statistics().hits(), "the fence is back: the writer joined again");
        long leased = b.bypasses(BypassReason.WRITE_IN_PROGRESS);
        b.session().read(table);
        b.session().read(table);
        assertEquals(leased + 2, b.bypasses(BypassReason.WRITE_IN_PROGRESS), "its tables were leased before the join");
    }

    /** Commits both tables; a snapshot begun between the database's commit and the cache's end sees both or neither. */
    private void assertOneMoment(SimulatedJvm b, SimulatedJvm.Session writer, String first, String second)
            throws Exception {
        int[] seen = new int[2];
        writer.commit(() -> {
            database.values.put(first, 2); // the database commits both
            database.values.put(second, 2);
            SimulatedJvm.Session snapshot = b.session(true, Connection.TRANSACTION_REPEATABLE_READ, true);
            snapshot.begin(); // through JDBC: setAutoCommit(false)
            seen[0] = snapshot.read(first); // its snapshot is taken now: after the commit
            seen[1] = snapshot.read(second);
        });
        assertEquals(seen[1], seen[0], first + " and " + second + " were committed together: one snapshot shows both or neither");
        assertEquals(2, b.session().read(first), "the end invalidated what the commit changed");
        assertEquals(2, b.session().read(second));
    }

    /**
     * A transaction with one statement before the rejoin (unleased) and one after (leased as usual): both tables
     * are leased from the join until its end. Failed before the fix: b cached t after the join, and the snapshot saw
     * t = 1 beside u = 2.
     */
    @Test
    void aTransactionWritingBeforeAndAfterTheRejoinShowsOneMoment() throws Exception {
        SimulatedJvm a = snapshotJvm();
        SimulatedJvm b = snapshotJvm();
        database.values.put("t", 1);
        database.values.put("u", 1);
        SimulatedJvm.Session writer = lapsedWriter(a);
        writer.write("t", 2); // unleased
        database.values.put("t", 1); // not committed yet
        time.advance(1000); // a joins again
        b.session().read("t");
        b.session().read("t");
        writer.write("u", 2); // after the join: leased as usual
        database.values.put("u", 1);
        assertRejoinedWithTablesLeased(b, "t");
        assertOneMoment(b, writer, "t", "u");
    }

    /**
     * A write that started while the join was under way (here: while the join's gate places the leases of the
     * writes in flight) leases as usual, since the join was announced first. Fails when the announcement is left
     * out: the write registers behind the gate's back, runs unleased, and b caches v once a has joined.
     */
    @Test
    void aWriteStartingDuringTheRejoinIsLeasedToo() throws Exception {
        SimulatedJvm a = snapshotJvm();
        SimulatedJvm b = snapshotJvm();
        database.values.put("t", 1);
        database.values.put("v", 1);
        // Lapsed owing nothing: the store stays failing (in back-off) until a read recovers it, so writes during
        // the join still find nobody to tell unless the join was announced.
        a.store.cut();
        a.session().read("t"); // fails: back-off
        time.advance(5000); // a's renewals fail: its membership lapses
        SimulatedJvm.Session writer = a.session(false, Connection.TRANSACTION_READ_COMMITTED);
        writer.write("t", 2); // unleased: the join's gate will lease it
        database.values.put("t", 1);
        a.store.reconnect();
        SimulatedJvm.Session during = a.session(false, Connection.TRANSACTION_READ_COMMITTED);
        a.store.beforeNextLease(() -> { // the gate's lease, the first lease a sends from now on
            try {
                during.write("v", 2);
                database.values.put("v", 1); // not committed yet
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
            }
        });
        time.advance(1000);
        assertRejoinedWithTablesLeased(b, "v");
        assertOneMoment(b, during, "v", "t");
    }

    /** A rolled-back unleased write ends the lease the join placed for it: its tables are cached again at once. */
    @Test
    void aRolledBackUnleasedWriteLeavesNoLeaseBehindItsRejoin() throws Exception {
        SimulatedJvm a = snapshotJvm();
        SimulatedJvm b = snapshotJvm();
        SimulatedJvm.Session writer = unleasedTransactionAcrossRejoin(a, "t", "u");
        assertRejoinedWithTablesLeased(b, "t");
        writer.rollback();
        assertCachedAtOnce(b, 1, "the rollback ended the lease placed at the join");
    }

    /** A connection closed without a commit is taken as committed: the end invalidates, and the lease is gone. */
    @Test
    void aConnectionClosedWithoutCommitEndsTheLeaseItsRejoinPlaced() throws Exception {
        SimulatedJvm a = snapshotJvm();
        SimulatedJvm b = snapshotJvm();
        SimulatedJvm.Session writer = unleasedTransactionAcrossRejoin(a, "t", "u");
        assertRejoinedWithTablesLeased(b, "u");
        database.values.put("t", 2); // the driver committed on close
        database.values.put("u", 2);
        writer.close();
        assertCachedAtOnce(b, 2, "cached again at once");
    }

    /**
     * An unleased write that ends while the JVM is still lapsed owes its end: the JVM joins only once it is
     * delivered, and the write is no longer in flight, so the join leases nothing for it.
     */
    @Test
    void anUnleasedWriteEndingBeforeTheRejoinOwesItsEndAndLeavesNothingToLease() throws Exception {
        SimulatedJvm a = snapshotJvm();
        SimulatedJvm b = snapshotJvm();
        database.values.put("t", 1);
        b.session().read("t");
        SimulatedJvm.Session writer = lapsedWriter(a);
        writer.write("t", 2);
        writer.commit(); // still lapsed: the end is owed
        time.advance(1000); // delivered, then the join
        assertCachedAtOnce(b, 2, "no lease left behind");
    }

    /**
     * A write that fails inside a transaction may have changed rows: it stays in flight until the transaction ends,
     * so the join leases its tables too.
     */
    @Test
    void aFailedUnleasedWriteInATransactionIsLeasedByTheRejoinToo() throws Exception {
        SimulatedJvm a = snapshotJvm();
        SimulatedJvm b = snapshotJvm();
        database.values.put("t", 1);
        database.values.put("u", 1);
        SimulatedJvm.Session writer = lapsedWriter(a);
        writer.write("t", 2);
        database.values.put("t", 1);
        org.junit.jupiter.api.Assertions.assertThrows(java.sql.SQLException.class, () -> writer.cache.execute(
                dev.sqlcache.internal.engine.Execution.statement(writer.cache.plan("update u set v = ?")), () -> {
                    throw new java.sql.SQLException("deadlock detected");
                }));
        time.advance(1000);
        assertRejoinedWithTablesLeased(b, "u");
        assertOneMoment(b, writer, "t", "u");
    }

    /**
     * Review r2. A transaction open longer than half of {@code sqlcache.writeLease} places its leases again right
     * before its commit; it did so with new tokens and ended only those, so the lease the join's gate had placed
     * with the old tokens (at the join, later than the transaction believes it leased) stayed a holder of the key
     * until it expired: its table uncached in every JVM for up to {@code sqlcache.writeLease} (5 minutes by default)
     * after the commit. Failed before the fix: b bypassed t (write in progress) after the commit.
     */
    @Test
    void aLongUnleasedTransactionAcrossTheRejoinLeavesNoLeaseBehindItsCommit() throws Exception {
        SimulatedJvm a = shortLeaseJvm();
        SimulatedJvm b = shortLeaseJvm();
        database.values.put("t", 1);
        SimulatedJvm.Session writer = lapsedWriter(a);
        writer.write("t", 2); // unleased: the join's gate leases it
        database.values.put("t", 1); // not committed yet
        time.advance(1000); // a joins again
        assertRejoinedWithTablesLeased(b, "t");
        time.advance(4500); // more than half the lease since the write: the commit leases again
        writer.commit(() -> database.values.put("t", 2));
        assertNoLeaseLeftOn(b, "t");
    }

    /**
     * Review r2, the same without any outage: a leased transaction open longer than half its lease, whose commit
     * places the leases again. Failed before the fix: the first lease stayed a holder until it expired.
     */
    @Test
    void aLongTransactionLeavesNoLeaseBehindItsCommit() throws Exception {
        SimulatedJvm a = shortLeaseJvm();
        SimulatedJvm b = shortLeaseJvm();
        SimulatedJvm.Session writer = openWrite(a);
        time.advance(5500); // more than half the lease: the commit leases again
        writer.commit(() -> database.values.put("t", 2));
        assertNoLeaseLeftOn(b, "t");
    }

    /**
     * Session 29. A SQL COMMIT that fails may leave the transaction open (MySQL keeps it on some errors; a batch may
     * fail before its COMMIT ran). It was taken as a commit: the leases ended, b stored the value from before the
     * transaction's write, and the real commit later had nothing left to end, so b served the old value after it.
     * Failed before the fix: b read 1 after the commit. Now it is a failed commit, as a failed Connection.commit is:
     * invalidated, and leased until the transaction ends for sure.
     */
    @Test
    void aFailedSqlCommitKeepsTheTransactionLeasedUntilItEnds() throws Exception {
        SimulatedJvm a = shortLeaseJvm();
        SimulatedJvm b = shortLeaseJvm();
        SimulatedJvm.Session writer = openWrite(a);
        dev.sqlcache.internal.engine.CacheSession cache = writer.cache;
        assertThrows(java.sql.SQLException.class, () -> cache.execute(
                dev.sqlcache.internal.engine.Execution.statement(cache.plan("commit")), () -> {
                    throw new java.sql.SQLException("the commit failed; the transaction is still open");
                }));
        assertOldUntilTheCommit(b, writer);
    }

    /**
     * Session 29, the same through {@code setAutoCommit(true)} that fails: it ended the leases (as a commit) while the
     * transaction may still be open. Failed before the fix: b read 1 after the commit.
     */
    @Test
    void aFailedSwitchToAutoCommitKeepsTheTransactionLeasedUntilItEnds() throws Exception {
        SimulatedJvm a = shortLeaseJvm();
        SimulatedJvm b = shortLeaseJvm();
        SimulatedJvm.Session writer = openWrite(a);
        assertThrows(java.sql.SQLException.class, () -> writer.cache.setAutoCommit(true, () -> {
            throw new java.sql.SQLException("the switch failed; the transaction is still open");
        }));
        assertOldUntilTheCommit(b, writer);
    }

    /** t = 1 in the database, and a transaction of {@code a} that wrote t = 2 and has not committed yet. */
    private SimulatedJvm.Session openWrite(SimulatedJvm a) throws Exception {
        database.values.put("t", 1);
        SimulatedJvm.Session writer = a.session(false, Connection.TRANSACTION_READ_COMMITTED);
        writer.write("t", 2);
        database.values.put("t", 1); // not committed yet
        return writer;
    }

    /**
     * b is served t from before the writer's open write, twice (the second read may be a hit), and once the
     * writer's commit returned, the committed value.
     */
    private void assertOldUntilTheCommit(SimulatedJvm b, SimulatedJvm.Session writer) throws Exception {
        assertEquals(1, b.session().read("t"));
        assertEquals(1, b.session().read("t"));
        writer.commit(() -> database.values.put("t", 2));
        assertEquals(2, b.session().read("t"), "the write committed: no JVM may serve t from before it");
    }

    private SimulatedJvm shortLeaseJvm() {
        return new SimulatedJvm(shared, database, time, Map.of("sqlcache.writeLease", "10s"),
                "jdbc:postgresql://127.0.0.1/simulated");
    }

    private void assertNoLeaseLeftOn(SimulatedJvm b, String table) throws Exception {
        long leased = b.bypasses(BypassReason.WRITE_IN_PROGRESS);
        long hits = b.statistics().hits();
        assertEquals(2, b.session().read(table));
        assertEquals(2, b.session().read(table));
        assertEquals(leased, b.bypasses(BypassReason.WRITE_IN_PROGRESS), "the commit ended every lease of " + table);
        assertEquals(hits + 1, b.statistics().hits(), table + " is cached again at once after the commit");
    }

    /**
     * Review r2. Leaving brings the fence back for the others at once, as a join does, but did not pass the join's
     * gate: a write running unleased (registered) when its runtime closes (the last release, or the shutdown hook
     * while the application still runs) relied on the fence staying down until its end is in Redis, and its end
     * after the close cannot be delivered. b cached t from before the commit and served it after: a wrong answer
     * until the entry expires. Failed before the fix: b read 1 after the commit. Now the leave first places the
     * leases of such writes (or does not leave: the membership lapses, as when an end is owed). Since a membership
     * leaves only with no connection open (the test after next), the writer's open connection alone keeps a from
     * leaving here: the gate's part is no longer what this test shows.
     */
    @Test
    void anUnleasedWriteInFlightWhenItsRuntimeLeavesIsLeasedFirst() throws Exception {
        SimulatedJvm a = snapshotJvm();
        SimulatedJvm b = snapshotJvm();
        database.values.put("t", 1);
        SimulatedJvm.Session writer = lapsedOwingNothing(a);
        writer.write("t", 2); // the store failed and the membership lapsed: no lease
        database.values.put("t", 1); // not committed yet
        a.store.reconnect();
        a.close(); // leaves: the fence comes back for b
        a.store.cut(); // a's store is closed: the end cannot be delivered
        time.advance(1000);
        assertOldUntilTheCommit(b, writer);
    }

    /** b reads {@code value} for t twice, and the second read is a hit: no lease keeps t uncached. */
    private static void assertCachedAtOnce(SimulatedJvm b, int value, String why) throws Exception {
        long hits = b.statistics().hits();
        assertEquals(value, b.session().read("t"));
        assertEquals(value, b.session().read("t"));
        assertEquals(hits + 1, b.statistics().hits(), why);
    }

    /** A writer JVM whose membership lapsed while its store failed (in back-off), owing nothing. */
    private SimulatedJvm.Session lapsedOwingNothing(SimulatedJvm a) throws Exception {
        a.store.cut();
        a.session().read("other"); // fails: back-off
        time.advance(5000); // a's renewals fail: its membership lapses
        return a.session(false, Connection.TRANSACTION_READ_COMMITTED);
    }

    /**
     * Review r2, the open hole. The shutdown hook closes every runtime while the application may still run
     * statements (a graceful shutdown drains its requests in parallel with the hooks). The runtime left, so the
     * others had the fence back; its store is closed, so a write that starts afterwards fails its lease, waits for
     * this JVM's membership to lapse (which fenced nobody any more) and runs unleased; its end is owed and never
     * delivered. b cached t from before the commit and served it after: a wrong answer until the entry expires.
     * Failed before the fix: b read 1 after the commit. Now a membership leaves only when no connection is open
     * (OpenSessions): with the writer's open, a's membership lapses instead, and the fence stays down for b.
     */
    @Test
    void aWriteAfterItsRuntimeClosedMustNotLeaveTheOthersAnOldAnswer() throws Exception {
        writeAfterCloseIsSeenBy(snapshotJvm(), snapshotJvm(), 0);
    }

    /**
     * Review rF: the rule above for a runtime that never joined. Redis did not answer when the JVM started (its
     * first join failed); its writes then run unleased at once, relying on their owed ends reaching the others once
     * Redis answers (a JVM that never joined fences nobody). The shutdown hook closes the runtime while a
     * connection is open: a membership that never joined has nothing to leave, so the close returns before the
     * count of open connections is consulted, and nothing lapses either. The store is closed; a write that starts
     * afterwards runs unleased at once, and its end, owed, is never delivered: b kept serving t from before it
     * although Redis answered every JVM (failed before the fix: b read 1 after the commit). Now such a close joins
     * once, so that its lapse fences b.
     */
    @Test
    void aWriteAfterItsNeverJoinedRuntimeClosedMustNotLeaveTheOthersAnOldAnswer() throws Exception {
        writeAfterCloseIsSeenBy(neverJoined(), jvm(), 1000);
    }

    /**
     * The application's connection on {@code a} stays open through a's close (the shutdown hook) and the loss of its
     * store; a write it then commits must never leave {@code b} serving what it read before (b reads again
     * {@code afterCommitMillis} after the commit).
     */
    private void writeAfterCloseIsSeenBy(SimulatedJvm a, SimulatedJvm b, long afterCommitMillis) throws Exception {
        database.values.put("t", 1);
        SimulatedJvm.Session writer = a.session(false, Connection.TRANSACTION_READ_COMMITTED);
        a.close(); // the shutdown hook: the application's connection is still open
        a.store.cut(); // the store is closed
        time.advance(1000);
        assertEquals(1, b.session().read("t"));
        writer.write("t", 2); // its lease fails; it waits for a's lapse (or, never joined, runs at once)
        writer.commit(() -> database.values.put("t", 2));
        if (afterCommitMillis > 0) {
            time.advance(afterCommitMillis); // not 0: that would run the tasks due now, which the read did not
        }
        assertEquals(2, b.session().read("t"), "the write committed: no JVM may serve t from before it");
    }

    /**
     * A JVM whose first join failed (Redis did not answer it when it started) and which Redis answers again, before
     * its next renewal joins: it never joined.
     */
    private SimulatedJvm neverJoined() {
        SimulatedJvm a = new SimulatedJvm(shared, database, time, Map.of(), "jdbc:h2:mem:simulated", true);
        a.store.reconnect();
        return a;
    }

    /**
     * Review rF: a connection that acquired its runtime just before the shutdown hook closed it opens its session
     * afterwards. The close of a membership that never joined returned before it decided anything, so the session
     * opened on the closed runtime; its write ran unleased at once (never joined: nobody to wait for) with the store
     * closed, its end was never delivered, and b served t from before it although Redis answered every JVM. Now a
     * closed membership refuses every session, whatever its close did (the connection opens on a fresh runtime).
     * Failed before: b read 1 after the commit.
     */
    @Test
    void aSessionOpeningAfterItsNeverJoinedRuntimeClosedIsRefused() throws Exception {
        SimulatedJvm a = neverJoined();
        SimulatedJvm b = jvm();
        database.values.put("t", 1);
        a.close(); // the hook, between the connection's acquire and its session
        a.store.cut(); // the store is closed
        time.advance(1000);
        assertEquals(1, b.session().read("t"));
        SimulatedJvm.Session writer;
        try {
            writer = a.session(false, Connection.TRANSACTION_READ_COMMITTED);
        } catch (dev.sqlcache.internal.membership.Membership.LeftException refused) {
            return; // ProxyConnections opens it on a fresh runtime
        }
        writer.write("t", 2);
        writer.commit(() -> database.values.put("t", 2));
        assertEquals(2, b.session().read("t"), "the write committed: no JVM may serve t from before it");
    }

    /**
     * Review rF: the same race on a runtime that did not leave because a connection of it was still open (it
     * lapses). The session opened on the closed runtime and counted as open; registered after the last renewal, its
     * lock covers nothing, so its writes would wait until sqlcache.fenceTimeout after the lapse, where a fresh
     * runtime leases them at once. Failed before: the session opened.
     */
    @Test
    void aSessionOpeningAfterItsRuntimeClosedWithoutLeavingIsRefused() {
        SimulatedJvm a = jvm();
        SimulatedJvm.Session open = a.session();
        a.close(); // lapses: a connection is open
        org.junit.jupiter.api.Assertions.assertThrows(dev.sqlcache.internal.membership.Membership.LeftException.class,
                a::session);
        open.close();
    }

    /**
     * The rule above counts connections until they close: a runtime whose connections all closed still leaves at
     * once, fencing nobody. Fails if a closed connection still counted (the membership would lapse: b fenced).
     */
    @Test
    void aCloseAfterItsConnectionsClosedStillLeavesWithoutFencingTheOthers() throws Exception {
        SimulatedJvm a = jvm();
        SimulatedJvm b = jvm();
        database.values.put("t", 1);
        SimulatedJvm.Session connection = a.session();
        connection.write("t", 1);
        connection.close();
        a.close();
        time.advance(5000);
        b.session().read("t");
        b.session().read("t");
        assertEquals(0, b.bypasses(BypassReason.FENCED), "a left: nobody is fenced");
        assertEquals(1, b.statistics().hits());
    }

    /**
     * A connection whose session would open on a runtime that already left (it acquired the runtime just before the
     * shutdown hook closed it) is refused, so that it opens on a fresh one (ProxyConnections): its writes could not
     * rely on the membership's lapse. Fails if a session could still open there.
     */
    @Test
    void aConnectionOpeningAfterItsRuntimeLeftIsRefused() {
        SimulatedJvm a = jvm();
        a.close();
        org.junit.jupiter.api.Assertions.assertThrows(dev.sqlcache.internal.membership.Membership.LeftException.class,
                a::session);
    }
}
