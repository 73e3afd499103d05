package dev.sqlcache.driver;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Adversarial review of the snapshot-read protocol (commit 1f73a5a): statements that run on the real connection
 * without the proxy knowing, and transaction boundaries the proxy models differently from the database.
 */
class SnapshotHiddenStatementsAttackTest extends RedisBackedTest {

    private static final String BALANCE = "select balance from sr_account where id = ?";

    static void schema(Connection direct) throws Exception {
        exec(direct, "drop table if exists sr_account", "drop table if exists sr_other",
                "create table sr_account (id int primary key, balance int)",
                "insert into sr_account values (1, 100)", "insert into sr_account values (2, 100)",
                "create table sr_other (id int primary key, label varchar(20))",
                "insert into sr_other values (1, 'one')");
    }

    static int balance(Connection c, int id) throws Exception {
        try (PreparedStatement ps = c.prepareStatement(BALANCE)) {
            ps.setInt(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                return rs.getInt(1);
            }
        }
    }

    /** What the database itself says, through a text the cache has never seen (a miss or a bypass). */
    static int databaseBalance(Connection c, int id) throws Exception {
        return Integer.parseInt(rows(c, "select balance, id from sr_account where id = " + id
                + " and balance = balance").get(0).get(0));
    }

    /** Reads the balance until the connection's JVM serves it from the cache (the store landed). */
    static int warm(Connection c, int id) throws Exception {
        for (int i = 0; i < 100; i++) {
            long hits = stats(c).hits();
            int value = balance(c, id);
            if (stats(c).hits() > hits) {
                return value;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("never a hit for account " + id);
    }

    static void transfer(Connection writer, int amount) throws Exception {
        writer.setAutoCommit(false);
        try (PreparedStatement ps = writer.prepareStatement(
                "update sr_account set balance = balance + ? where id = ?")) {
            ps.setInt(1, -amount);
            ps.setInt(2, 1);
            ps.executeUpdate();
            ps.setInt(1, amount);
            ps.setInt(2, 2);
            ps.executeUpdate();
        }
        writer.commit();
        writer.setAutoCommit(true);
    }

    static void beginRepeatableRead(Connection c) throws Exception {
        c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        c.setReadOnly(true);
        c.setAutoCommit(false);
    }

    static void end(Connection c) throws Exception {
        c.commit();
        c.setAutoCommit(true);
        c.setReadOnly(false);
    }

    /**
     * pgjdbc's Connection.getSchema() runs "select current_schema()" on the real connection, inside the open
     * transaction: that statement takes the REPEATABLE READ snapshot, and the proxy never hears of it. The first
     * proxied read then pins a later sequence value and is served an entry newer than the snapshot.
     */
    @Test
    void postgresGetSchemaTakesTheSnapshotUnseenAndAHitIsNewerThanIt() throws Exception {
        TestDatabase db = TestDatabase.POSTGRES;
        try (Connection direct = db.direct(); Connection reader = db.cached(settings());
             Connection writer = db.cached(settings()); Connection other = db.cached(settings())) {
            schema(direct);
            warm(other, 1);
            beginRepeatableRead(reader);
            reader.getSchema(); // BEGIN; select current_schema(): the snapshot is taken here (100 / 100)
            transfer(writer, 30); // 70 / 130, committed and ended
            warm(other, 1); // the cache now holds 70 for account 1
            int first = balance(reader, 1); // first read: a hit, pins the current sequence; SELECT 1 is a no-op
            int second = databaseBalance(reader, 2); // the database, as of the snapshot: 100
            end(reader);
            assertEquals(200, first + second, "one moment's total (first=" + first + ", second=" + second + ")");
        }
    }

    /**
     * The same with a DatabaseMetaData method that returns no ResultSet (ProxyDatabaseMetaData only hears of
     * those that do): pgjdbc's getDefaultTransactionIsolation() runs "SELECT setting FROM pg_settings ..." inside
     * the transaction.
     */
    @Test
    void postgresScalarMetadataTakesTheSnapshotUnseen() throws Exception {
        TestDatabase db = TestDatabase.POSTGRES;
        try (Connection direct = db.direct(); Connection reader = db.cached(settings());
             Connection writer = db.cached(settings()); Connection other = db.cached(settings())) {
            schema(direct);
            warm(other, 1);
            beginRepeatableRead(reader);
            reader.getMetaData().getDefaultTransactionIsolation();
            transfer(writer, 30);
            warm(other, 1);
            int first = balance(reader, 1);
            int second = databaseBalance(reader, 2);
            end(reader);
            assertEquals(200, first + second, "one moment's total (first=" + first + ", second=" + second + ")");
        }
    }

    /**
     * The same unseen snapshot, when the first proxied read is a miss: the database answers as of the old
     * snapshot, and the result is stored under the tokens read after the transfer ended. Every later reader, in
     * any mode, is served the old balance.
     */
    @Test
    void postgresGetSchemaThenAFirstMissStoresAStaleEntryForEveryone() throws Exception {
        TestDatabase db = TestDatabase.POSTGRES;
        try (Connection direct = db.direct(); Connection reader = db.cached(settings());
             Connection writer = db.cached(settings()); Connection other = db.cached(settings())) {
            schema(direct);
            warm(other, 2); // table facts learned by another connection, so the reader inspects nothing
            beginRepeatableRead(reader);
            reader.getSchema(); // snapshot: 100 / 100
            transfer(writer, 30); // 70 / 130
            assertEquals(100, balance(reader, 1), "the snapshot's value (a miss, stored)");
            end(reader);
            Thread.sleep(300); // let the store land
            assertEquals(70, databaseBalance(direct, 1), "the database");
            assertEquals(70, balance(other, 1), "an auto-commit read after everything committed");
        }
    }

    /**
     * MariaDB: a savepoint set before the first read is sent by Connector/J as SAVEPOINT on the real connection.
     * The proxy then sends START TRANSACTION WITH CONSISTENT SNAPSHOT, which implicitly commits the transaction
     * and with it drops the savepoint: rolling back to it fails, where the real driver succeeds.
     */
    @Test
    void mariadbSavepointSetBeforeTheFirstReadStillExists() throws Exception {
        TestDatabase db = TestDatabase.MARIADB;
        try (Connection direct = db.direct(); Connection c = db.cached(settings())) {
            schema(direct);
            balance(c, 1);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            c.setAutoCommit(false);
            Savepoint savepoint = c.setSavepoint("before_reads");
            assertEquals(100, balance(c, 1));
            try {
                c.rollback(savepoint); // the real driver: fine
            } catch (SQLException e) {
                throw new AssertionError("rollback to a savepoint the application set failed: " + e.getMessage(), e);
            } finally {
                c.rollback();
                c.setAutoCommit(true);
            }
        }
    }

    /**
     * MariaDB: table locks taken in auto-commit mode and kept into a transaction (LOCK TABLES, then
     * setAutoCommit(false)) are released by START TRANSACTION. The proxy's injected START TRANSACTION WITH
     * CONSISTENT SNAPSHOT releases them at the transaction's first read; the real driver keeps them.
     */
    @Test
    void mariadbTableLocksSurviveTheFirstReadOfATransaction() throws Exception {
        TestDatabase db = TestDatabase.MARIADB;
        try (Connection direct = db.direct(); Connection c = db.cached(settings());
             Connection other = db.cached(settings())) {
            schema(direct);
            warm(other, 1);
            exec(c, "lock tables sr_account write");
            c.setAutoCommit(false);
            assertEquals(100, balance(c, 1));
            boolean blocked;
            try {
                exec(direct, "set session lock_wait_timeout = 1",
                        "update sr_account set balance = balance where id = 2");
                blocked = false;
            } catch (SQLException e) {
                blocked = true; // Lock wait timeout: the WRITE lock is still held, as with the real driver
            } finally {
                c.commit();
                c.setAutoCommit(true);
                exec(c, "unlock tables");
            }
            assertTrue(blocked, "another session could write a table this session holds a WRITE lock on");
        }
    }

    /** Control: the real driver keeps the lock over the same calls. */
    @Test
    void controlMariadbTableLocksWithTheRealDriver() throws Exception {
        TestDatabase db = TestDatabase.MARIADB;
        try (Connection direct = db.direct(); Connection c = db.direct()) {
            schema(direct);
            exec(c, "lock tables sr_account write");
            c.setAutoCommit(false);
            assertEquals(100, balance(c, 1));
            boolean blocked;
            try {
                exec(direct, "set session lock_wait_timeout = 1",
                        "update sr_account set balance = balance where id = 2");
                blocked = false;
            } catch (SQLException e) {
                blocked = true;
            } finally {
                c.commit();
                c.setAutoCommit(true);
                exec(c, "unlock tables");
            }
            assertTrue(blocked, "the real driver keeps the WRITE lock");
        }
    }

    /**
     * MariaDB: CREATE TEMPORARY TABLE does not commit implicitly, but the proxy treats every DDL outside PostgreSQL
     * as a commit (SessionCache.afterWrite: transaction.ended()). The transaction's next read therefore looks like
     * the first of a new transaction, and the proxy sends START TRANSACTION WITH CONSISTENT SNAPSHOT: that commits
     * the application's earlier UPDATE. The application's rollback() no longer undoes it.
     */
    @Test
    void mariadbRollbackAfterATemporaryTableStillUndoesTheWrite() throws Exception {
        TestDatabase db = TestDatabase.MARIADB;
        try (Connection direct = db.direct(); Connection c = db.cached(settings());
             Connection other = db.cached(settings())) {
            schema(direct);
            balance(c, 2);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            c.setAutoCommit(false);
            exec(c, "update sr_account set balance = 0 where id = 1");
            exec(c, "create temporary table sr_scratch (x int)");
            balance(other, 2); // the DDL dropped the table facts: relearn them elsewhere, as any busy JVM would
            balance(c, 2); // proxied read: START TRANSACTION WITH CONSISTENT SNAPSHOT is injected first
            c.rollback();
            c.setAutoCommit(true);
            assertEquals(100, databaseBalance(direct, 1), "the update was rolled back");
        }
    }

    /**
     * The same with DDL that fails to parse: MariaDB commits nothing, the proxy (afterWrite runs in a finally)
     * still calls it a commit, ends the leases and later injects START TRANSACTION, committing the UPDATE.
     */
    @Test
    void mariadbRollbackAfterAFailedDdlStillUndoesTheWrite() throws Exception {
        TestDatabase db = TestDatabase.MARIADB;
        try (Connection direct = db.direct(); Connection c = db.cached(settings());
             Connection other = db.cached(settings())) {
            schema(direct);
            balance(c, 2);
            c.setAutoCommit(false);
            exec(c, "update sr_account set balance = 0 where id = 1");
            try {
                exec(c, "create table sr_never (x int,,)");
            } catch (SQLException expected) {
                // a syntax error: no implicit commit
            }
            balance(other, 2);
            balance(c, 2);
            c.rollback();
            c.setAutoCommit(true);
            assertEquals(100, databaseBalance(direct, 1), "the update was rolled back");
        }
    }

    /**
     * MariaDB, and before this commit too: the same CREATE TEMPORARY TABLE ends the transaction's leases while its
     * UPDATE is still uncommitted. Another connection stores the old committed balance under the fresh tokens;
     * the commit then bumps nothing, and the old balance is served to everyone afterwards.
     */
    @Test
    void mariadbTemporaryTableDoesNotEndTheLeasesOfUncommittedWrites() throws Exception {
        TestDatabase db = TestDatabase.MARIADB;
        try (Connection direct = db.direct(); Connection c = db.cached(settings());
             Connection other = db.cached(settings())) {
            schema(direct);
            c.setAutoCommit(false);
            exec(c, "update sr_account set balance = 0 where id = 1");
            exec(c, "create temporary table sr_scratch (x int)");
            assertEquals(100, balance(other, 1), "the committed value, read while the update is in flight");
            assertEquals(100, balance(other, 1), "and again: it must not have been stored under tokens the end "
                    + "will not change");
            c.commit();
            c.setAutoCommit(true);
            assertEquals(0, databaseBalance(direct, 1));
            assertEquals(0, balance(other, 1), "an auto-commit read after the commit returned");
        }
    }

    /**
     * MariaDB Connector/J's setTransactionIsolation sends SET SESSION TRANSACTION ISOLATION LEVEL, which applies
     * from the next transaction: the open one keeps its REPEATABLE READ snapshot. The proxy switches to READ
     * COMMITTED rules at once: it serves current entries inside the snapshot transaction, and stores the
     * snapshot's (old) answers under current tokens.
     */
    @Test
    void mariadbIsolationChangedInsideASnapshotTransaction() throws Exception {
        TestDatabase db = TestDatabase.MARIADB;
        try (Connection direct = db.direct(); Connection reader = db.cached(settings());
             Connection writer = db.cached(settings()); Connection other = db.cached(settings())) {
            schema(direct);
            warm(other, 2);
            beginRepeatableRead(reader);
            int first = balance(reader, 1); // snapshot 100 / 100
            reader.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED); // next transaction only
            transfer(writer, 30); // 70 / 130
            warm(other, 2); // 130 cached
            int second = balance(reader, 2); // READ COMMITTED rules: a hit, 130
            int again = databaseBalance(reader, 1); // the database: the open snapshot, 100
            end(reader);
            reader.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            assertEquals(200, first + second, "one transaction's total (first=" + first + ", second=" + second + ")");
            assertEquals(first, again, "repeatable");
        }
    }

    /** The stale store of the previous case on its own. */
    @Test
    void mariadbIsolationChangedInsideASnapshotTransactionStoresItsSnapshot() throws Exception {
        TestDatabase db = TestDatabase.MARIADB;
        try (Connection direct = db.direct(); Connection reader = db.cached(settings());
             Connection writer = db.cached(settings()); Connection other = db.cached(settings())) {
            schema(direct);
            warm(other, 2);
            beginRepeatableRead(reader);
            assertEquals(100, balance(reader, 2)); // snapshot 100 / 100
            reader.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            transfer(writer, 30); // 70 / 130
            assertEquals(100, balance(reader, 1), "the database's snapshot answer, stored as READ COMMITTED's");
            end(reader);
            reader.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            Thread.sleep(300);
            assertEquals(70, databaseBalance(direct, 1));
            assertEquals(70, balance(other, 1), "an auto-commit read after everything committed");
        }
    }

    /** Control for the next case: with the default lease the same interleaving keeps the total. */
    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"POSTGRES", "MARIADB"})
    void controlAWriteWhoseLeaseIsAliveIsNotHalfSeen(TestDatabase db) throws Exception {
        try (Connection direct = db.direct(); Connection reader = db.cached(settings());
             Connection writer = db.cached(settings()); Connection other = db.cached(settings())) {
            schema(direct);
            warm(other, 1);
            warm(other, 2);
            writer.setAutoCommit(false);
            exec(writer, "update sr_account set balance = balance - 30 where id = 1",
                    "update sr_account set balance = balance + 30 where id = 2");
            Thread.sleep(600);
            beginRepeatableRead(reader);
            int first = balance(reader, 1);
            writer.unwrap(SqlCacheConnection.class).realConnection().commit();
            balance(other, 2);
            balance(other, 2);
            Thread.sleep(100);
            int second = balance(reader, 2);
            writer.commit();
            writer.setAutoCommit(true);
            end(reader);
            assertEquals(200, first + second, "one moment's total (first=" + first + ", second=" + second + ")");
        }
    }

    /**
     * A writing transaction that outlives sqlcache.writeLease: its leases have expired, so between its database
     * commit and its end the tables could be read and stored, and a snapshot reader pinned before the commit
     * could be served the committed rows (found by committing on the real connection first, which widens that
     * gap: 230 instead of 200). The proxy's commit places the leases again before it commits.
     */
    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"POSTGRES", "MARIADB"})
    void aLateCommitLeasesItsTablesAgainBeforeItCommits(TestDatabase db) throws Exception {
        // A lease that expired leaves the tables readable and storable between the database commit and the end:
        // an entry of the committed rows would then be served to a snapshot reader pinned before the commit. The
        // commit places the leases again first, which advances the write sequence once more than the end alone.
        java.util.Properties shortLease = settings("sqlcache.writeLease", "300ms");
        try (Connection direct = db.direct(); Connection writer = db.cached(shortLease);
             redis.clients.jedis.Jedis jedis = new redis.clients.jedis.Jedis(redis.host(), redis.port())) {
            schema(direct);
            writer.setAutoCommit(false);
            exec(writer, "update sr_account set balance = balance - 30 where id = 1",
                    "update sr_account set balance = balance + 30 where id = 2");
            Thread.sleep(600); // the leases expire; the transaction is still open
            String key = jedis.keys("sql:_database:seq:*").iterator().next();
            long before = counter(jedis.get(key));
            writer.commit();
            writer.setAutoCommit(true);
            assertEquals(before + 2, counter(jedis.get(key)), "leased again before the commit, then ended");
        }
    }

    /** The ways a transaction commits besides {@link Connection#commit}, each of which must lease again first. */
    enum CommitWay {
        SQL_COMMIT, SQL_COMMIT_AND_CHAIN, AUTO_COMMIT_ON, IMPLICIT_COMMIT_DDL, WRITE_AND_COMMIT_IN_ONE_STRING
    }

    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> commitWays() {
        java.util.List<org.junit.jupiter.params.provider.Arguments> ways = new java.util.ArrayList<>();
        for (TestDatabase db : new TestDatabase[] {TestDatabase.POSTGRES, TestDatabase.MARIADB}) {
            for (CommitWay way : CommitWay.values()) {
                // PostgreSQL's DDL joins the transaction: it commits nothing.
                // A multi-statement string needs allowMultiQueries on MariaDB: PostgreSQL's is enough.
                if ((way != CommitWay.IMPLICIT_COMMIT_DDL || db == TestDatabase.MARIADB)
                        && (way != CommitWay.WRITE_AND_COMMIT_IN_ONE_STRING || db == TestDatabase.POSTGRES)) {
                    ways.add(org.junit.jupiter.params.provider.Arguments.of(db, way));
                }
            }
        }
        return ways.stream();
    }

    /**
     * {@link #aLateCommitLeasesItsTablesAgainBeforeItCommits} for the commits that do not go through
     * {@link Connection#commit}: SQL COMMIT and COMMIT AND CHAIN, {@code setAutoCommit(true)}, and DDL that commits
     * implicitly (MariaDB). Before, only {@link Connection#commit} placed the expired leases again: the others
     * committed with the transaction's tables unleased (the sequence moved once, by the end alone).
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("commitWays")
    void everyWayOfCommittingLeasesItsTablesAgainFirst(TestDatabase db, CommitWay way) throws Exception {
        java.util.Properties shortLease = settings("sqlcache.writeLease", "300ms");
        try (Connection direct = db.direct(); Connection writer = db.cached(shortLease);
             redis.clients.jedis.Jedis jedis = new redis.clients.jedis.Jedis(redis.host(), redis.port())) {
            schema(direct);
            exec(direct, "drop table if exists sr_ddl");
            writer.setAutoCommit(false);
            exec(writer, "update sr_account set balance = balance - 30 where id = 1",
                    "update sr_account set balance = balance + 30 where id = 2");
            Thread.sleep(600); // the leases expire; the transaction is still open
            String key = jedis.keys("sql:_database:seq:*").iterator().next();
            long before = counter(jedis.get(key));
            // A write in the committing statement (the DDL too) leases what it changes: one more step.
            long ownLease = 0;
            long ended = 1;
            switch (way) {
                case SQL_COMMIT -> exec(writer, "commit");
                case SQL_COMMIT_AND_CHAIN -> {
                    exec(writer, "commit and chain");
                    writer.rollback();
                }
                case AUTO_COMMIT_ON -> writer.setAutoCommit(true);
                case IMPLICIT_COMMIT_DDL -> {
                    exec(writer, "create table sr_ddl (id int)");
                    ownLease = 1;
                }
                case WRITE_AND_COMMIT_IN_ONE_STRING -> {
                    // Not understood as a commit: its leases (the whole database's) stay until the next end.
                    exec(writer, "update sr_other set label = 'two' where id = 1; commit");
                    ownLease = 1;
                    ended = 0;
                }
            }
            long after = counter(jedis.get(key));
            writer.setAutoCommit(true);
            exec(direct, "drop table if exists sr_ddl");
            assertEquals(before + 1 + ownLease + ended, after, "leased again before the commit (then ended)");
            assertEquals(70, databaseBalance(direct, 1), "committed");
        }
    }

    private static long counter(String sequence) {
        return Long.parseLong(sequence.substring(sequence.lastIndexOf(':') + 1));
    }
}
