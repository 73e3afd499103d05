package dev.sqlcache.driver;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.sql.Connection;

import static dev.sqlcache.driver.OpenTransactionChecks.failLeavingATransactionOpen;
import static dev.sqlcache.driver.OpenTransactionChecks.keepsTheLeaseUntil;
import static dev.sqlcache.driver.OpenTransactionChecks.oneMomentAround;
import static dev.sqlcache.driver.SnapshotHiddenStatementsAttackTest.schema;

/** Reviewer rG's attacks on the implicit commits of MariaDB that the proxy may still miss. */
class ImplicitCommitAttackTest extends RedisBackedTest {

    /**
     * A leading comment before a statement that commits first: the analyzer drops comments (it works on tokens), but
     * the table-maintenance and LOCK TABLES checks read the raw text's first words, so the commit is missed and the
     * pin taken before it is kept while the database takes a new snapshot.
     */
    @ParameterizedTest
    @ValueSource(strings = {"/* c */ analyze table sr_other", "-- c\nanalyze local table sr_other",
            "# c\nanalyze table sr_other",
            "/* c */ lock tables sr_account read, sr_other read|unlock tables"})
    void aCommentedStatementThatCommitsFirstEndsTheSnapshot(String statements) throws Exception {
        TestDatabase db = TestDatabase.MARIADB;
        try (Connection direct = db.direct(); Connection reader = db.cached(settings());
             Connection writer = db.cached(settings()); Connection other = db.cached(settings())) {
            schema(direct);
            oneMomentAround(reader, writer, other, () -> exec(reader, statements.split("\\|")));
        }
    }

    /**
     * XA START opens a transaction on the server while the connection stays in auto-commit: the proxy takes the
     * write for an auto-commit write and ends its lease at once, while it is still uncommitted.
     */
    @Test
    void anXaTransactionKeepsItsLeasesUntilItCommits() throws Exception {
        TestDatabase db = TestDatabase.MARIADB;
        try (Connection direct = db.direct(); Connection writer = db.cached(settings());
             Connection other = db.cached(settings())) {
            schema(direct);
            exec(writer, "xa start 'rg1'", "update sr_account set balance = balance - 30 where id = 1");
            keepsTheLeaseUntil(direct, other, () -> exec(writer, "xa end 'rg1'", "xa commit 'rg1' one phase"));
        }
    }

    /** A procedure that starts a transaction and leaves it open, in auto-commit mode, then SQL COMMIT. */
    @Test
    void aProcedureThatLeavesATransactionOpenKeepsItsLeases() throws Exception {
        TestDatabase db = TestDatabase.MARIADB;
        try (Connection direct = db.direct(); Connection writer = db.cached(settings());
             Connection other = db.cached(settings())) {
            schema(direct);
            exec(direct, "drop procedure if exists rg_open",
                    "create procedure rg_open() begin start transaction; "
                            + "update sr_account set balance = balance - 30 where id = 1; end");
            try (java.sql.CallableStatement call = writer.prepareCall("{call rg_open()}")) {
                call.execute();
            }
            keepsTheLeaseUntil(direct, other, () -> exec(writer, "commit"));
        }
    }

    /**
     * A call that starts a transaction, writes, then fails, in auto-commit mode (a procedure that SIGNALs, a batch or
     * a multi-statement string whose last statement fails): the update stays open on the server. Passes: MariaDB
     * Connector/J sets the in-transaction bit on every error reply (its ErrorPacket), so the probe asks
     * {@code @@in_transaction}; with the driver's closed taken as told after a failure, or leftOpen's guess used,
     * it served 100 after the commit of 70.
     */
    @ParameterizedTest
    @ValueSource(strings = {"procedure", "batch", "string"})
    void aCallThatFailsWithATransactionOpenKeepsItsLeases(String way) throws Exception {
        TestDatabase db = TestDatabase.MARIADB;
        try (Connection direct = db.direct(); Connection writer = db.cached(settings("allowMultiQueries", "true"));
             Connection other = db.cached(settings())) {
            schema(direct);
            failLeavingATransactionOpen(direct, writer, way);
            keepsTheLeaseUntil(direct, other, () -> exec(writer, "commit"));
        }
    }

    /**
     * A procedure whose body commits (COMMIT, or any statement that commits implicitly), called inside a snapshot
     * transaction: the database takes a new snapshot at its next statement, so the pin taken before must go.
     */
    @ParameterizedTest
    @ValueSource(strings = {"commit", "start transaction", "analyze table sr_other"})
    void aProcedureThatCommitsEndsTheSnapshot(String body) throws Exception {
        TestDatabase db = TestDatabase.MARIADB;
        try (Connection direct = db.direct(); Connection reader = db.cached(settings());
             Connection writer = db.cached(settings()); Connection other = db.cached(settings())) {
            schema(direct);
            exec(direct, "drop procedure if exists rg_commit", "create procedure rg_commit() begin " + body + "; end");
            oneMomentAround(reader, writer, other, () -> {
                try (java.sql.CallableStatement call = reader.prepareCall("{call rg_commit()}")) {
                    call.execute();
                }
            });
        }
    }

    /**
     * A batch in auto-commit mode that begins a transaction and then writes: the write is the transaction's, not
     * committed when the batch returns, and must keep its lease until the transaction's real commit.
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(value = TestDatabase.class, names = {"MARIADB", "POSTGRES"})
    void aBatchThatBeginsATransactionKeepsItsWritesLeases(TestDatabase db) throws Exception {
        try (Connection direct = db.direct(); Connection writer = db.cached(settings());
             Connection other = db.cached(settings())) {
            schema(direct);
            try (java.sql.Statement batch = writer.createStatement()) {
                batch.addBatch("start transaction");
                batch.addBatch("update sr_account set balance = balance - 30 where id = 1");
                batch.executeBatch();
            }
            keepsTheLeaseUntil(direct, other, () -> exec(writer, "commit"));
        }
    }

    /** The same with a multi-statement string (PostgreSQL runs one without allowMultiQueries). */
    @Test
    void aStringThatBeginsATransactionKeepsItsWritesLeases() throws Exception {
        TestDatabase db = TestDatabase.POSTGRES;
        try (Connection direct = db.direct(); Connection writer = db.cached(settings());
             Connection other = db.cached(settings())) {
            schema(direct);
            exec(writer, "begin; update sr_account set balance = balance - 30 where id = 1");
            keepsTheLeaseUntil(direct, other, () -> exec(writer, "commit"));
        }
    }

    /** Auto-commit switched off by SQL text, through a prepared statement or a compound statement, then a write. */
    @ParameterizedTest
    @ValueSource(strings = {"set autocommit = 0", "set @@autocommit = 0", "set session autocommit = off",
            "begin not atomic start transaction; update sr_account set balance = balance - 30 where id = 1; end",
            "begin not atomic start transaction; end", "begin not atomic start transaction; select 1; end"})
    void autoCommitSwitchedOffBySqlKeepsTheWritesLeases(String sql) throws Exception {
        TestDatabase db = TestDatabase.MARIADB;
        try (Connection direct = db.direct(); Connection writer = db.cached(settings());
             Connection other = db.cached(settings())) {
            schema(direct);
            try (java.sql.PreparedStatement off = writer.prepareStatement(sql)) {
                off.execute();
            }
            if (!sql.contains("update")) {
                exec(writer, "update sr_account set balance = balance - 30 where id = 1");
            }
            keepsTheLeaseUntil(direct, other, () -> {
                exec(writer, "commit");
                exec(writer, "set autocommit = 1");
            });
        }
    }

    /**
     * A multi-statement string inside a transaction that starts with a statement committing first, then writes:
     * the write belongs to the new transaction, uncommitted when the string returns, and must keep its lease.
     */
    @ParameterizedTest
    @ValueSource(strings = {"analyze table sr_other", "check table sr_other"})
    void aStringThatCommitsFirstThenWritesKeepsTheWritesLease(String first) throws Exception {
        TestDatabase db = TestDatabase.MARIADB;
        try (Connection direct = db.direct();
             Connection writer = db.cached(settings("allowMultiQueries", "true"));
             Connection other = db.cached(settings())) {
            schema(direct);
            writer.setAutoCommit(false);
            exec(writer, "update sr_other set label = 'two' where id = 1");
            exec(writer, first + "; update sr_account set balance = balance - 30 where id = 1");
            keepsTheLeaseUntil(direct, other, () -> {
                writer.commit();
                exec(writer, "unlock tables");
                writer.setAutoCommit(true);
            });
        }
    }
}
