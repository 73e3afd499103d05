package dev.sqlcache.driver;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.sql.Connection;
import java.sql.Statement;

import static dev.sqlcache.driver.OpenTransactionChecks.leavesNoTransactionOpen;
import static dev.sqlcache.driver.SnapshotHiddenStatementsAttackTest.balance;
import static dev.sqlcache.driver.SnapshotHiddenStatementsAttackTest.schema;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Adversarial review of session 29 (every commit path): a batch that ends the transaction in its middle. On MariaDB
 * with auto-commit off, a write after the batch's COMMIT, ROLLBACK or implicitly committing DDL runs in a new
 * transaction, still open when the batch returns. The batch's end was modelled as the end of everything it wrote:
 * the leases ended, another connection stored the value from before that open write, and the write's own commit
 * had nothing left to end or invalidate, so the stored value was served after the commit returned.
 */
class BatchTransactionEndAttackTest extends RedisBackedTest {

    /** What ends the transaction in the middle of the batch. */
    enum EndInBatch {
        SQL_COMMIT("commit"), SQL_ROLLBACK("rollback"), IMPLICIT_COMMIT_DDL("create table sr_ddl (id int)");

        final String sql;

        EndInBatch(String sql) {
            this.sql = sql;
        }
    }

    @ParameterizedTest
    @EnumSource(EndInBatch.class)
    void aWriteAfterAnEndInTheSameBatchStaysLeasedUntilItsOwnCommit(EndInBatch end) throws Exception {
        TestDatabase db = TestDatabase.MARIADB;
        try (Connection direct = db.direct(); Connection writer = db.cached(settings());
             Connection reader = db.cached(settings())) {
            schema(direct);
            exec(direct, "drop table if exists sr_ddl");
            try {
                writer.setAutoCommit(false);
                exec(writer, "update sr_other set label = 'two' where id = 1");
                try (Statement batch = writer.createStatement()) {
                    batch.addBatch(end.sql);
                    batch.addBatch("update sr_account set balance = 70 where id = 1");
                    batch.executeBatch();
                }
                // The batch's last write is not committed: the reader sees 100, and may store it only while no
                // lease stands (repeated, so that a store has every chance to land).
                for (int i = 0; i < 10; i++) {
                    assertEquals(100, balance(reader, 1));
                    Thread.sleep(20);
                }
                writer.commit();
                assertEquals(70, balance(reader, 1), "read after the commit returned");
            } finally {
                writer.setAutoCommit(true);
                exec(direct, "drop table if exists sr_ddl");
            }
        }
    }

    /**
     * The same with auto-commit on: a batch that begins a transaction with SQL (after ending one, or not) and writes
     * in it. The batch's write was taken as an auto-commit write (the transaction was not open when it leased) and
     * its lease ended when the batch returned, while the write was still open.
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"begin", "commit;begin", "rollback;start transaction", "set autocommit = 0"})
    void aWriteAfterASqlBeginInTheSameBatchStaysLeasedUntilItsCommit(String opening) throws Exception {
        TestDatabase db = TestDatabase.MARIADB;
        try (Connection direct = db.direct(); Connection writer = db.cached(settings());
             Connection reader = db.cached(settings())) {
            schema(direct);
            try {
                try (Statement batch = writer.createStatement()) {
                    for (String sql : opening.split(";")) {
                        batch.addBatch(sql);
                    }
                    batch.addBatch("update sr_account set balance = 70 where id = 1");
                    batch.executeBatch();
                }
                for (int i = 0; i < 10; i++) {
                    assertEquals(100, balance(reader, 1));
                    Thread.sleep(20);
                }
                exec(writer, "commit");
                assertEquals(70, balance(reader, 1), "read after the commit returned");
            } finally {
                exec(writer, "rollback");
            }
        }
    }

    /**
     * A session statement that leaves auto-commit on opens nothing: the batch's write committed as it ran, its lease
     * ends as the batch returns (the transaction taken as open for the batch is not kept), and the table is cached
     * again at once.
     */
    @org.junit.jupiter.api.Test
    void aSessionStatementThatLeavesAutoCommitOnOpensNoTransaction() throws Exception {
        TestDatabase db = TestDatabase.MARIADB;
        try (Connection direct = db.direct(); Connection writer = db.cached(settings());
             Connection reader = db.cached(settings())) {
            schema(direct);
            try (Statement batch = writer.createStatement()) {
                batch.addBatch("set @sr_unused = 1");
                batch.addBatch("update sr_account set balance = 70 where id = 1");
                batch.executeBatch();
            }
            assertEquals(70, SnapshotHiddenStatementsAttackTest.warm(reader, 1), "cached again: no lease left");
            assertEquals(70, SnapshotHiddenStatementsAttackTest.warm(writer, 1), "and no transaction left open");
        }
    }

    /**
     * A transaction begun with SQL in auto-commit mode, ended by a batch whose COMMIT ran and whose later statement
     * failed. Session 29 took the failed batch as a failed commit: the transaction stayed open for the proxy, its
     * leases were kept as the transaction's, and once they expired a later write to the same table, committed at
     * once by the server, was taken for one more write of that transaction: not leased again, not ended, so the
     * value another connection stored before it was served after it.
     */
    @org.junit.jupiter.api.Test
    void aBatchWhoseCommitRanBeforeItFailedLeavesNoTransactionOpen() throws Exception {
        TestDatabase db = TestDatabase.MARIADB;
        try (Connection direct = db.direct(); Connection writer = db.cached(settings("sqlcache.writeLease", "300ms"));
             Connection reader = db.cached(settings())) {
            schema(direct);
            exec(writer, "begin");
            exec(writer, "update sr_account set balance = 70 where id = 1");
            try (Statement batch = writer.createStatement()) {
                batch.addBatch("commit");
                batch.addBatch("update sr_no_such_table set balance = 0");
                org.junit.jupiter.api.Assertions.assertThrows(java.sql.SQLException.class, batch::executeBatch);
            }
            assertEquals(70, SnapshotHiddenStatementsAttackTest.databaseBalance(direct, 1), "the COMMIT ran");
            leavesNoTransactionOpen(direct, writer, reader);
        }
    }
}
