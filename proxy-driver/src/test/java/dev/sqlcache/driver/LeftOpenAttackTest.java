package dev.sqlcache.driver;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.SQLException;

import static dev.sqlcache.driver.SnapshotHiddenStatementsAttackTest.balance;
import static dev.sqlcache.driver.SnapshotHiddenStatementsAttackTest.databaseBalance;
import static dev.sqlcache.driver.SnapshotHiddenStatementsAttackTest.schema;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Reviewer rD's attacks on SessionCache.leftOpen (one answer to "did this execution leave a transaction open"):
 * executions that fail after opening a transaction and writing in it, where the driver's view of the server's
 * status is what the last OK packet said, before the transaction began.
 */
class LeftOpenAttackTest extends RedisBackedTest {

    /**
     * Reads the committed balance through {@code other} until one read is a hit (a stale entry stored while the
     * write was open would be one) or a bounded number of reads found none (the write's lease stood).
     */
    static void readWhileOpen(Connection other) throws Exception {
        for (int i = 0; i < 60; i++) {
            long hits = stats(other).hits();
            assertEquals(100, balance(other, 1), "the committed value while the update is open");
            if (stats(other).hits() > hits) {
                return;
            }
            Thread.sleep(20);
        }
    }

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
            exec(direct, "drop procedure if exists rd_open_fail",
                    "create procedure rd_open_fail() begin start transaction; "
                            + "update sr_account set balance = balance - 30 where id = 1; "
                            + "signal sqlstate '45000' set message_text = 'rd'; end");
            try (CallableStatement call = writer.prepareCall("{call rd_open_fail()}")) {
                assertThrows(SQLException.class, call::execute);
            }
            try {
                readWhileOpen(other);
            } finally {
                exec(writer, "commit");
            }
            assertEquals(70, databaseBalance(direct, 1), "committed");
            assertEquals(70, balance(other, 1), "after the commit");
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
            try {
                readWhileOpen(other);
            } finally {
                exec(writer, "commit");
            }
            assertEquals(70, databaseBalance(direct, 1), "committed");
            assertEquals(70, balance(other, 1), "after the commit");
        }
    }
}
