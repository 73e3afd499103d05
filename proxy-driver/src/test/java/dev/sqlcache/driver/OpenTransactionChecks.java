package dev.sqlcache.driver;

import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import static dev.sqlcache.driver.RedisBackedTest.exec;
import static dev.sqlcache.driver.RedisBackedTest.stats;
import static dev.sqlcache.driver.SnapshotHiddenStatementsAttackTest.balance;
import static dev.sqlcache.driver.SnapshotHiddenStatementsAttackTest.beginRepeatableRead;
import static dev.sqlcache.driver.SnapshotHiddenStatementsAttackTest.databaseBalance;
import static dev.sqlcache.driver.SnapshotHiddenStatementsAttackTest.end;
import static dev.sqlcache.driver.SnapshotHiddenStatementsAttackTest.transfer;
import static dev.sqlcache.driver.SnapshotHiddenStatementsAttackTest.warm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The checks the attacks on transaction boundaries (implicit commits, calls that leave a transaction open, one
 * connector or the other) share, on SnapshotHiddenStatementsAttackTest's schema: accounts 1 and 2 at 100 each. Each
 * case sets its own scene; what must hold afterwards is one of these.
 */
final class OpenTransactionChecks {

    /** The update every open-write case leaves uncommitted: 30 off account 1. */
    static final String UPDATE = "update sr_account set balance = balance - 30 where id = 1";

    private OpenTransactionChecks() {
    }

    /** What a case does between its setup and its checks; JDBC throws checked exceptions. */
    @FunctionalInterface
    interface Step {
        void run() throws Exception;
    }

    /**
     * The check of every case whose write stays open: while the writer's update ({@link #UPDATE}) is uncommitted,
     * another connection is served the committed balance, twice (the second would be a hit); once {@code commit} ran,
     * the database and the cache both show the new one.
     */
    static void keepsTheLeaseUntil(Connection direct, Connection other, Step commit) throws Exception {
        try {
            assertEquals(100, balance(other, 1), "the committed value while the update is open");
            assertEquals(100, balance(other, 1),
                    "again: it must not have been stored under tokens the commit keeps");
        } finally {
            commit.run();
        }
        assertEquals(70, databaseBalance(direct, 1), "committed");
        assertEquals(70, balance(other, 1), "after the commit");
    }

    /**
     * The same check for a write the proxy might take for ended, read harder: while the writer's update is
     * uncommitted, another connection reads until one read is a hit (a stale entry stored while the write was open
     * would be one) or a bounded number of reads found none, each served the committed balance; once {@code commit}
     * ran, the database and the cache both show the new one.
     */
    static void keepsTheLeaseAcrossReadsUntil(Connection direct, Connection other, Step commit) throws Exception {
        try {
            readWhileOpen(other);
        } finally {
            commit.run();
        }
        assertEquals(70, databaseBalance(direct, 1), "committed");
        assertEquals(70, balance(other, 1), "after the commit");
    }

    /** Reads account 1 through {@code other} until a read is a hit, at most 60 times (20 ms apart). */
    private static void readWhileOpen(Connection other) throws Exception {
        for (int i = 0; i < 60; i++) {
            long hits = stats(other).hits();
            assertEquals(100, balance(other, 1), "the committed value while the update is open");
            if (stats(other).hits() > hits) {
                return;
            }
            Thread.sleep(20);
        }
    }

    /** The commit step of the cases that turned auto-commit off: commit, then auto-commit back on. */
    static Step commitBackToAutoCommit(Connection writer) {
        return () -> {
            writer.commit();
            writer.setAutoCommit(true);
        };
    }

    /**
     * The check of every case that must leave no transaction open, on a writer whose write lease is 300 ms and whose
     * last write (account 1 at 70) has returned: once any lease still held as an open transaction's has expired,
     * another connection caches 70, and the writer's next auto-commit write (50) must end that entry. Taken for one
     * more write of a transaction still open, it would be leased never again and ended never, and 70 served after it.
     */
    static void leavesNoTransactionOpen(Connection direct, Connection writer, Connection reader) throws Exception {
        Thread.sleep(600); // the leases, if still held as an open transaction's, expire
        assertEquals(70, warm(reader, 1), "cached once no lease was left");
        exec(writer, "update sr_account set balance = 50 where id = 1");
        assertEquals(50, databaseBalance(direct, 1), "committed at once");
        assertEquals(50, balance(reader, 1), "read after the write returned");
    }

    /**
     * The check of every case that must end a snapshot: a REPEATABLE READ reader pins its snapshot with a cached
     * read, runs {@code commitsFirst} (which commits on the server), and reads again around a transfer of 30 from
     * account 1 to 2: the two balances must be one moment's (a total of 200), which a pin kept past the commit breaks.
     */
    static void oneMomentAround(Connection reader, Connection writer, Connection other, Step commitsFirst)
            throws Exception {
        warm(other, 1);
        beginRepeatableRead(reader);
        assertEquals(100, balance(reader, 1), "the first read pins the snapshot");
        commitsFirst.run();
        int first = balance(reader, 1);
        transfer(writer, 30);
        int second = databaseBalance(reader, 2);
        end(reader);
        assertEquals(200, first + second, "one moment's total (first=" + first + ", second=" + second + ")");
    }

    /**
     * Runs, on {@code writer} in auto-commit mode, a call that starts a transaction, runs {@link #UPDATE}, then fails,
     * and checks that it failed: {@code way} is "procedure" (one that SIGNALs, created through {@code direct}),
     * "batch" (whose last statement fails) or "string" (a multi-statement string whose last statement fails; the
     * writer needs allowMultiQueries). The update stays open on the server.
     */
    static void failLeavingATransactionOpen(Connection direct, Connection writer, String way) throws Exception {
        String failing = "update hi_no_such_table set x = 1";
        exec(direct, "drop procedure if exists hi_open_fail", "create procedure hi_open_fail() begin "
                + "start transaction; " + UPDATE + "; signal sqlstate '45000' set message_text = 'refused'; end");
        assertThrows(SQLException.class, () -> {
            switch (way) {
                case "procedure" -> {
                    try (CallableStatement call = writer.prepareCall("{call hi_open_fail()}")) {
                        call.execute();
                    }
                }
                case "batch" -> {
                    try (Statement batch = writer.createStatement()) {
                        batch.addBatch("start transaction");
                        batch.addBatch(UPDATE);
                        batch.addBatch(failing);
                        batch.executeBatch();
                    }
                }
                case "string" -> exec(writer, "start transaction; " + UPDATE + "; " + failing);
                default -> throw new IllegalArgumentException("no such way: " + way);
            }
        });
    }
}
