package dev.sqlcache.driver;

import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import java.sql.Connection;

import static dev.sqlcache.driver.SnapshotHiddenStatementsAttackTest.databaseBalance;
import static dev.sqlcache.driver.SnapshotHiddenStatementsAttackTest.schema;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Adversarial review of session 29 (every commit path leases again first): a stored procedure commits the open
 * transaction on MariaDB and MySQL ({@code COMMIT} in its body, or DDL). A CALL was not among the ways of
 * committing: with the transaction's leases older than half their life (here expired), the procedure committed with
 * its tables unleased, the window that
 * {@code SnapshotHiddenStatementsAttackTest.everyWayOfCommittingLeasesItsTablesAgainFirst} closes for SQL COMMIT. The CALL's own lease does not help when the transaction leased the whole database before.
 */
class ProcedureCommitAttackTest extends RedisBackedTest {

    @Test
    void aProcedureThatCommitsLeasesTheTransactionsTablesAgainFirst() throws Exception {
        TestDatabase db = TestDatabase.MARIADB;
        try (Connection direct = db.direct(); Connection writer = db.cached(settings("sqlcache.writeLease", "300ms"));
             Jedis jedis = new Jedis(redis.host(), redis.port())) {
            schema(direct);
            exec(direct, "drop procedure if exists sr_nothing", "drop procedure if exists sr_commit",
                    "create procedure sr_nothing() begin end",
                    "create procedure sr_commit() begin commit; end");
            try {
                writer.setAutoCommit(false);
                // A procedure nothing is known about leases the whole database, once per transaction.
                exec(writer, "call sr_nothing()");
                exec(writer, "update sr_account set balance = balance - 30 where id = 1",
                        "update sr_account set balance = balance + 30 where id = 2");
                Thread.sleep(600); // the leases expire; the transaction is still open
                String key = jedis.keys("sql:_database:seq:*").iterator().next();
                long before = counter(jedis.get(key));
                exec(writer, "call sr_commit()");
                long after = counter(jedis.get(key));
                assertEquals(70, databaseBalance(direct, 1), "the procedure committed");
                // Its commit is not modelled (the leases stay until the next end), but they must stand at it.
                assertEquals(before + 1, after, "leased again before the procedure committed");
            } finally {
                writer.setAutoCommit(true);
                exec(direct, "drop procedure if exists sr_nothing", "drop procedure if exists sr_commit");
            }
        }
    }

    private static long counter(String sequence) {
        return Long.parseLong(sequence.substring(sequence.lastIndexOf(':') + 1));
    }
}
