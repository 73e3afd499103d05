package dev.sqlcache.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlcache.testing.RedisServerFixture;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * {@code Connection.abort(executor)} returns at once and leaves the real work to the executor; pgjdbc closes its
 * socket only when the executor runs that task. Until then the real connection still carries what a thread had under
 * way (JDBC: a thread using the connection "will either progress to completion or throw"), a commit included. The
 * proxy used to end the open transaction's leases (fresh tokens) and uncount its session in {@code abort} itself,
 * before the real abort: a reader could then store the value from before that commit under the fresh token, and be
 * served it after the commit until the entry expired. These tests call {@code commit()} after {@code abort()}
 * returned and before the executor ran, which is the interleaving of a thread that was already committing.
 */
class AbortedConnectionTest extends RedisBackedTest {

    private static final String MEMBERS = "sql:_members";
    private static final String READ = "select n from aborted where id = 1";

    /** An executor that keeps the tasks it is given until the test runs them. */
    private static final class HeldExecutor implements Executor {
        final List<Runnable> tasks = new ArrayList<>();

        @Override
        public void execute(Runnable task) {
            tasks.add(task);
        }

        void runAll() {
            List<Runnable> now = new ArrayList<>(tasks);
            tasks.clear();
            now.forEach(Runnable::run);
        }
    }

    /**
     * The table at n = 0, read once through {@code other}; then a cached connection that set n to {@code n} in a
     * transaction it left open, aborted on {@code executor}, which has not run the real abort yet.
     */
    private static Connection abortedMidTransaction(TestDatabase db, Connection direct, Connection other, int n,
                                                    HeldExecutor executor) throws Exception {
        exec(direct, "drop table if exists aborted", "create table aborted (id integer primary key, n integer)",
                "insert into aborted values (1, 0)");
        assertEquals(List.of(List.of("0")), rows(other, READ));

        Connection aborting = db.cached(settings());
        aborting.setAutoCommit(false);
        exec(aborting, "update aborted set n = " + n + " where id = 1");
        aborting.abort(executor);
        return aborting;
    }

    @Test
    void aCommitThatLandsBeforeTheRealAbortRanLeavesNothingStale() throws Exception {
        TestDatabase db = TestDatabase.POSTGRES;
        try (Connection direct = db.direct(); Connection other = db.cached(settings())) {
            HeldExecutor executor = new HeldExecutor();
            Connection aborting = abortedMidTransaction(db, direct, other, 1, executor);
            assertTrue(aborting.isClosed(), "marked closed at once, as JDBC asks");

            // Before the real abort ran: the uncommitted write is not visible, and must not be cached as the answer.
            assertEquals(List.of(List.of("0")), rows(other, READ));
            assertEquals(List.of(List.of("0")), rows(other, READ));
            aborting.commit();
            assertEquals(List.of(List.of("1")), rows(direct, READ), "the commit landed before the real abort");
            assertEquals(rows(direct, READ), rows(other, READ), "the committed value, not a copy from before it");

            executor.runAll();
            assertEquals(rows(direct, READ), rows(other, READ));
            assertEquals(rows(direct, READ), rows(other, READ));
        }
    }

    @Test
    void aTransactionLeftOpenByTheAbortEndsItsLeasesOnceTheRealAbortRan() throws Exception {
        TestDatabase db = TestDatabase.POSTGRES;
        try (Connection direct = db.direct(); Connection other = db.cached(settings())) {
            HeldExecutor executor = new HeldExecutor();
            abortedMidTransaction(db, direct, other, 2, executor);
            assertFalse(executor.tasks.isEmpty(), "pgjdbc hands its abort to the executor");
            assertEquals(List.of(List.of("0")), rows(other, READ), "leased meanwhile: read from the database");
            executor.runAll();
            // The real abort rolled the transaction back, and letting go ended its leases: cached again (a lease left
            // behind would keep the table uncached until sqlcache.writeLease lapses), and the database's answer.
            untilHit(other, direct, READ);
            assertEquals(List.of(List.of("0")), rows(other, READ));
        }
    }

    /**
     * The membership side of the same order: a membership leaves only when no session is open on it, and an aborted
     * connection whose real abort has not run is still open (a write on it may still commit, and with the membership
     * gone its lease would fail and it would run relying on a lapse that fences nobody). Here the connection holds
     * the runtime's last reference (its data source closed), on a Redis of its own. Its member stays in the set until
     * the executor ran the real abort.
     */
    @Test
    void anAbortedConnectionKeepsItsMembershipFromLeavingUntilTheRealAbortRan() throws Exception {
        try (RedisServerFixture own = RedisServerFixture.start()) {
            Connection aborting = lastReference(own);
            String joined = joined(own);

            HeldExecutor executor = new HeldExecutor();
            aborting.abort(executor);
            assertEquals(joined, own.command("ZCARD", MEMBERS), "the real connection is still open: no leave yet");
            executor.runAll();
            assertEquals(oneLess(joined), own.command("ZCARD", MEMBERS),
                    "the real abort ran and the last reference went: the member left");
        }
    }

    /**
     * An executor that accepts the real abort's task and never runs it (shut down with a discarding policy, a queue
     * that never drains) left the session counted forever: the membership never left, and the real connection stayed
     * open. Now the driver runs the task itself once the executor has not started it within a bound (10 s): the real
     * connection is aborted and the member leaves. Failed before (the member stayed for the whole patience).
     */
    @Test
    void anAbortWhoseExecutorNeverRunsTheTaskLetsTheSessionGoWithinItsBound() throws Exception {
        try (RedisServerFixture own = RedisServerFixture.start()) {
            Connection aborting = lastReference(own);
            String joined = joined(own);
            Connection real = aborting.unwrap(org.postgresql.jdbc.PgConnection.class);

            aborting.abort(task -> { });
            assertTrue(aborting.isClosed(), "marked closed at once");
            assertEquals(joined, own.command("ZCARD", MEMBERS), "the bound has not passed: no leave yet");
            long deadline = System.nanoTime() + HIT_PATIENCE_NANOS;
            while (own.command("ZCARD", MEMBERS).equals(joined)) {
                assertTrue(System.nanoTime() - deadline < 0, "the member never left: the dropped abort leaked");
                Thread.sleep(50);
            }
            assertEquals(oneLess(joined), own.command("ZCARD", MEMBERS));
            assertTrue(real.isClosed(), "the real connection was aborted too");
        }
    }

    /**
     * An executor that rejects the task: pgjdbc's abort throws the rejection and its connection stays open; so does
     * the proxy's, and the application's close then lets the session go.
     */
    @Test
    void anAbortWhoseExecutorRejectsTheTaskLeavesTheConnectionOpenAsTheDriverDoes() throws Exception {
        try (RedisServerFixture own = RedisServerFixture.start()) {
            Connection aborting = lastReference(own);
            String joined = joined(own);

            org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.RejectedExecutionException.class,
                    () -> aborting.abort(task -> {
                        throw new java.util.concurrent.RejectedExecutionException("shut down");
                    }));
            assertFalse(aborting.isClosed(), "still open, as the real connection");
            assertEquals(List.of(List.of("1")), rows(aborting, "select 1"));
            assertEquals(joined, own.command("ZCARD", MEMBERS));
            aborting.close();
            assertEquals(oneLess(joined), own.command("ZCARD", MEMBERS),
                    "closed: the member left");
        }
    }

    /**
     * A cached PostgreSQL connection that holds its runtime's last reference (its data source closed), on a Redis of
     * its own, so that the members set there holds this runtime's member and nobody else's.
     */
    private static Connection lastReference(RedisServerFixture own) throws Exception {
        PGSimpleDataSource postgres = new PGSimpleDataSource();
        postgres.setUrl(TestDatabase.POSTGRES.url());
        postgres.setUser("postgres");
        SqlCacheDataSource dataSource = new SqlCacheDataSource(postgres, own.tcpProperties());
        Connection connection = dataSource.getConnection();
        dataSource.close();
        return connection;
    }

    /** The ZCARD reply once one member left a set of {@code joined}. */
    private static String oneLess(String joined) {
        return ":" + (Long.parseLong(joined.substring(1)) - 1);
    }

    /** Waits until the runtime on {@code own} has joined; its member count then. */
    private static String joined(RedisServerFixture own) throws Exception {
        long deadline = System.nanoTime() + HIT_PATIENCE_NANOS;
        String joined;
        while ((joined = own.command("ZCARD", MEMBERS)).equals(":0")) {
            assertTrue(System.nanoTime() - deadline < 0, "the runtime never joined");
            Thread.sleep(10);
        }
        return joined;
    }
}
