package dev.sqlcache.driver;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.sql.Connection;
import java.sql.SQLException;

import static dev.sqlcache.driver.OpenTransactionChecks.commitBackToAutoCommit;
import static dev.sqlcache.driver.OpenTransactionChecks.failLeavingATransactionOpen;
import static dev.sqlcache.driver.OpenTransactionChecks.keepsTheLeaseAcrossReadsUntil;
import static dev.sqlcache.driver.OpenTransactionChecks.leavesNoTransactionOpen;
import static dev.sqlcache.driver.OpenTransactionChecks.oneMomentAround;
import static dev.sqlcache.driver.SnapshotHiddenStatementsAttackTest.balance;
import static dev.sqlcache.driver.SnapshotHiddenStatementsAttackTest.databaseBalance;
import static dev.sqlcache.driver.SnapshotHiddenStatementsAttackTest.schema;
import static dev.sqlcache.driver.SnapshotHiddenStatementsAttackTest.warm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Reviewer rD's attacks on SessionCache.leftOpen (one answer to "did this execution leave a transaction open"):
 * executions that fail after opening a transaction and writing in it, where the driver's view of the server's
 * status is what the last OK packet said, before the transaction began.
 */
class LeftOpenAttackTest extends RedisBackedTest {

    /**
     * MariaDB: a procedure begins a transaction, writes, then fails (SIGNAL). The transaction stays open on the
     * server with the write in it, but the error reply carries no server status: Connector/J still says "not in a
     * transaction" from the reply before the CALL. Taken as told, the write's leases end now, another connection
     * stores the old value, and the later SQL COMMIT (outside any transaction the proxy knows) invalidates nothing.
     */
    @Test
    void aProcedureThatFailsAfterBeginningAndWritingKeepsItsLeases() throws Exception {
        TestDatabase db = TestDatabase.MARIADB;
        try (Connection direct = db.direct(); Connection writer = db.cached(settings());
             Connection other = db.cached(settings())) {
            schema(direct);
            failLeavingATransactionOpen(direct, writer, "procedure");
            keepsTheLeaseAcrossReadsUntil(direct, other, () -> exec(writer, "commit"));
        }
    }

    /**
     * The same with a compound statement (one statement the analysis does not understand, leased as a transaction's
     * from the start: openedOrNot) and with a multi-statement string whose last statement fails.
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "begin not atomic start transaction; update sr_account set balance = balance - 30 where id = 1; "
                    + "signal sqlstate '45000' set message_text = 'rd'; end",
            "start transaction; update sr_account set balance = balance - 30 where id = 1; select * from rd_none"})
    void aStatementThatFailsAfterBeginningAndWritingKeepsItsLeases(String sql) throws Exception {
        TestDatabase db = TestDatabase.MARIADB;
        try (Connection direct = db.direct(); Connection writer = db.cached(settings("allowMultiQueries", "true"));
             Connection other = db.cached(settings())) {
            schema(direct);
            assertThrows(SQLException.class, () -> exec(writer, sql));
            keepsTheLeaseAcrossReadsUntil(direct, other, () -> exec(writer, "commit"));
        }
    }

    /**
     * MariaDB's {@code SET STATEMENT var = value FOR <statement>} runs the statement: the analysis took it for a
     * session statement (its first word is SET) that writes nothing, so an UPDATE run this way leased and ended
     * nothing, and the entry another connection stored before it was served after it.
     */
    @Test
    void aWriteRunUnderSetStatementInvalidates() throws Exception {
        TestDatabase db = TestDatabase.MARIADB;
        try (Connection direct = db.direct(); Connection writer = db.cached(settings());
             Connection other = db.cached(settings())) {
            schema(direct);
            warm(other, 1);
            exec(writer, "set statement max_statement_time = 10 for "
                    + "update sr_account set balance = balance - 30 where id = 1");
            assertEquals(70, databaseBalance(direct, 1), "committed");
            assertEquals(70, balance(other, 1), "after the write");
        }
    }

    /**
     * The same with a statement that commits first: {@code SET STATEMENT ... FOR ANALYZE TABLE} ends the snapshot
     * transaction, and the database takes a new snapshot at the next statement; the pin taken before must go.
     */
    @Test
    void aStatementThatCommitsFirstUnderSetStatementEndsTheSnapshot() throws Exception {
        TestDatabase db = TestDatabase.MARIADB;
        try (Connection direct = db.direct(); Connection reader = db.cached(settings());
             Connection writer = db.cached(settings()); Connection other = db.cached(settings())) {
            schema(direct);
            oneMomentAround(reader, writer, other,
                    () -> exec(reader, "set statement max_statement_time = 10 for analyze table sr_other"));
        }
    }

    /**
     * A SET whose value calls a stored function that writes: the function runs, its write commits (auto-commit),
     * and an entry stored before it must not be served after it.
     */
    @Test
    void aWriteDoneByAFunctionInASetInvalidates() throws Exception {
        TestDatabase db = TestDatabase.MARIADB;
        try (Connection direct = db.direct(); Connection writer = db.cached(settings());
             Connection other = db.cached(settings())) {
            schema(direct);
            exec(direct, "drop function if exists rd_take",
                    "create function rd_take(n int) returns int modifies sql data begin "
                            + "update sr_account set balance = balance - n where id = 1; return n; end");
            warm(other, 1);
            exec(writer, "set @rd_taken = rd_take(30)");
            assertEquals(70, databaseBalance(direct, 1), "committed");
            assertEquals(70, balance(other, 1), "after the write");
        }
    }

    /**
     * MariaDB: a batch in auto-commit mode that begins a transaction and then runs a statement that commits it
     * implicitly (DDL, ANALYZE TABLE, TRUNCATE): the server is left with no transaction open. Taken as open (its
     * last transaction statement begins one), later writes of this connection, committed at once by the server,
     * were taken for more of that transaction's: leased once, never ended, so once the lease expired the value
     * another connection stored before a write was served after it.
     */
    @ParameterizedTest
    @ValueSource(strings = {"begin|update sr_account set balance = 100 where id = 1|create table rd_ddl (x int)",
            "update sr_account set balance = 100 where id = 1|begin|analyze table sr_other",
            "begin|update sr_account set balance = 100 where id = 1|truncate table sr_other"})
    void aBatchThatBeginsThenCommitsImplicitlyLeavesNoTransactionOpen(String statements) throws Exception {
        TestDatabase db = TestDatabase.MARIADB;
        try (Connection direct = db.direct(); Connection writer = db.cached(settings("sqlcache.writeLease", "300ms"));
             Connection reader = db.cached(settings())) {
            schema(direct);
            exec(direct, "drop table if exists rd_ddl");
            try (java.sql.Statement batch = writer.createStatement()) {
                for (String sql : statements.split("\\|")) {
                    batch.addBatch(sql);
                }
                batch.executeBatch();
            }
            exec(writer, "update sr_account set balance = 70 where id = 1");
            leavesNoTransactionOpen(direct, writer, reader);
            exec(direct, "drop table if exists rd_ddl");
        }
    }

    /**
     * MariaDB commits nothing at DROP TEMPORARY TABLE (unlike other DDL, and like CREATE TEMPORARY TABLE), but the
     * analysis took it for committing DDL: the transaction's leases ended while its update was still open, another
     * connection stored the old value, and the real commit, finding no lease left, invalidated nothing.
     */
    @ParameterizedTest
    @ValueSource(strings = {"drop temporary table rd_tt", "drop temporary table if exists rd_tt"})
    void droppingATemporaryTableKeepsTheTransactionsLeases(String drop) throws Exception {
        TestDatabase db = TestDatabase.MARIADB;
        try (Connection direct = db.direct(); Connection writer = db.cached(settings());
             Connection other = db.cached(settings())) {
            schema(direct);
            writer.setAutoCommit(false);
            exec(writer, "create temporary table rd_tt (x int)",
                    "update sr_account set balance = balance - 30 where id = 1", drop);
            keepsTheLeaseAcrossReadsUntil(direct, other, commitBackToAutoCommit(writer));
        }
    }

    /** The same with a batch that writes and creates a temporary table: its DDL commits nothing either. */
    @Test
    void aBatchCreatingATemporaryTableKeepsTheTransactionsLeases() throws Exception {
        TestDatabase db = TestDatabase.MARIADB;
        try (Connection direct = db.direct(); Connection writer = db.cached(settings());
             Connection other = db.cached(settings())) {
            schema(direct);
            writer.setAutoCommit(false);
            try (java.sql.Statement batch = writer.createStatement()) {
                batch.addBatch("update sr_account set balance = balance - 30 where id = 1");
                batch.addBatch("create temporary table rd_tt (x int)");
                batch.executeBatch();
            }
            keepsTheLeaseAcrossReadsUntil(direct, other, commitBackToAutoCommit(writer));
        }
    }

    /**
     * A transaction begun with SQL in auto-commit mode, committed by a statement the analysis does not understand
     * (here a compound statement holding COMMIT; FLUSH and the like commit implicitly too): the server has nothing
     * open, but the proxy kept the transaction, so once its leases expired a later write, committed at once, was
     * taken for one more of its writes: not leased again, not ended, and the value stored before it was served.
     */
    @Test
    void aStatementNotUnderstoodThatCommitsEndsTheSqlTransaction() throws Exception {
        TestDatabase db = TestDatabase.MARIADB;
        try (Connection direct = db.direct(); Connection writer = db.cached(settings("sqlcache.writeLease", "300ms"));
             Connection reader = db.cached(settings())) {
            schema(direct);
            exec(writer, "begin");
            exec(writer, "update sr_account set balance = 70 where id = 1");
            exec(writer, "begin not atomic commit; end");
            assertEquals(70, databaseBalance(direct, 1), "the COMMIT ran");
            leavesNoTransactionOpen(direct, writer, reader);
        }
    }
}
