package dev.sqlcache.driver;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.sql.Connection;

import static dev.sqlcache.driver.OpenTransactionChecks.commitBackToAutoCommit;
import static dev.sqlcache.driver.OpenTransactionChecks.keepsTheLeaseUntil;
import static dev.sqlcache.driver.OpenTransactionChecks.oneMomentAround;
import static dev.sqlcache.driver.SnapshotHiddenStatementsAttackTest.databaseBalance;
import static dev.sqlcache.driver.SnapshotHiddenStatementsAttackTest.schema;
import static dev.sqlcache.driver.SnapshotHiddenStatementsAttackTest.warm;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * MariaDB (and MySQL) commit the open transaction before BEGIN, START TRANSACTION, LOCK TABLES, and UNLOCK TABLES
 * while tables are locked ("Statements That Cause an Implicit Commit"). The proxy must see a commit there: the
 * transaction's leases end, and a REPEATABLE READ snapshot pinned before it is over (the database takes a new one).
 */
class ImplicitCommitStatementsTest extends RedisBackedTest {

    /**
     * A snapshot transaction pinned by its first read, then BEGIN (or ANALYZE TABLE, which MariaDB reads as OTHER
     * and commits before): the database's next snapshot is taken by the next
     * statement it runs. Before, the proxy kept the old pin and served the next read from the cache without the
     * database taking any snapshot; a transfer committed after it then showed in the next database read: one
     * moment's total was 230.
     */
    @ParameterizedTest
    @ValueSource(strings = {"begin", "start transaction", "begin work", "analyze table sr_other"})
    void aBeginInsideASnapshotTransactionEndsItsSnapshot(String begin) throws Exception {
        oneMomentAfter(begin);
    }

    /** The same with LOCK TABLES and UNLOCK TABLES, each of which commits: the old pin came back at the unlock. */
    @org.junit.jupiter.api.Test
    void lockAndUnlockTablesInsideASnapshotTransactionEndItsSnapshot() throws Exception {
        oneMomentAfter("lock tables sr_account read, sr_other read", "unlock tables");
    }

    private void oneMomentAfter(String... statements) throws Exception {
        TestDatabase db = TestDatabase.MARIADB;
        try (Connection direct = db.direct(); Connection reader = db.cached(settings());
             Connection writer = db.cached(settings()); Connection other = db.cached(settings())) {
            schema(direct);
            // the statements commit: a new transaction, whose snapshot is not taken yet
            oneMomentAround(reader, writer, other, () -> exec(reader, statements));
        }
    }

    /**
     * A write in a transaction, then a statement that commits it implicitly: its leases end there, and another
     * connection caches the committed value. Before, they stayed until the next commit (BEGIN, START TRANSACTION)
     * or, for LOCK TABLES and UNLOCK TABLES (not understood) and TRUNCATE (a write, not taken for DDL), until the
     * transaction's next end: never a hit.
     */
    @ParameterizedTest
    @ValueSource(strings = {"begin", "start transaction", "lock tables sr_other read", "unlock tables",
            "truncate table sr_other", "analyze table sr_other", "check table sr_other"})
    void theLeasesOfTheWritesBeforeEndThere(String statement) throws Exception {
        TestDatabase db = TestDatabase.MARIADB;
        try (Connection direct = db.direct(); Connection writer = db.cached(settings());
             Connection other = db.cached(settings())) {
            schema(direct);
            writer.setAutoCommit(false);
            if (statement.startsWith("unlock")) {
                exec(writer, "lock tables sr_account write"); // UNLOCK TABLES commits only while tables are locked
            }
            exec(writer, "update sr_account set balance = balance - 30 where id = 1");
            exec(writer, statement);
            try {
                assertEquals(70, databaseBalance(direct, 1), "committed by " + statement);
                assertEquals(70, warm(other, 1), "cached again once committed");
            } finally {
                writer.rollback();
                exec(writer, "unlock tables");
                writer.setAutoCommit(true);
            }
        }
    }

    /**
     * Control: PostgreSQL only warns on a BEGIN inside a transaction and commits nothing. The leases must stand until
     * the real commit, or another connection would store the committed value under tokens that commit never changes.
     */
    @org.junit.jupiter.api.Test
    void postgresBeginInsideATransactionCommitsNothing() throws Exception {
        TestDatabase db = TestDatabase.POSTGRES;
        try (Connection direct = db.direct(); Connection writer = db.cached(settings());
             Connection other = db.cached(settings())) {
            schema(direct);
            writer.setAutoCommit(false);
            exec(writer, "update sr_account set balance = balance - 30 where id = 1", "begin");
            keepsTheLeaseUntil(direct, other, commitBackToAutoCommit(writer));
        }
    }

    /**
     * A LOCK TABLES that failed holds no table locks (MariaDB releases the held ones first), nor does a session after
     * BEGIN (which releases them), so a later UNLOCK TABLES commits nothing: the writes between must keep their
     * leases until the real commit, or another connection would store the committed value under tokens that commit
     * never changes.
     */
    @ParameterizedTest
    @ValueSource(strings = {"lock tables sr_missing write", "lock tables sr_other write; begin"})
    void anUnlockWithNoTablesLockedCommitsNothing(String before) throws Exception {
        TestDatabase db = TestDatabase.MARIADB;
        try (Connection direct = db.direct(); Connection writer = db.cached(settings());
             Connection other = db.cached(settings())) {
            schema(direct);
            writer.setAutoCommit(false);
            for (String statement : before.split("; ")) {
                try {
                    exec(writer, statement);
                } catch (java.sql.SQLException expected) {
                    // no such table: nothing is locked
                }
            }
            exec(writer, "update sr_account set balance = balance - 30 where id = 1", "unlock tables");
            keepsTheLeaseUntil(direct, other, commitBackToAutoCommit(writer));
        }
    }
}
