package dev.sqlcache.driver;

import org.junit.jupiter.api.Test;

import java.sql.Connection;

import static dev.sqlcache.driver.SnapshotHiddenStatementsAttackTest.balance;
import static dev.sqlcache.driver.SnapshotHiddenStatementsAttackTest.schema;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Adversarial review of the transaction boundaries: one string that opens a transaction and writes in it
 * (PostgreSQL runs a multi-statement string in the simple query protocol).
 */
class MultiStatementBeginAttackTest extends RedisBackedTest {

    @Test
    void aStringThatBeginsAndWritesStaysLeasedUntilItsCommit() throws Exception {
        TestDatabase db = TestDatabase.POSTGRES;
        try (Connection direct = db.direct(); Connection writer = db.cached(settings());
             Connection reader = db.cached(settings())) {
            schema(direct);
            try {
                exec(writer, "begin; update sr_account set balance = 70 where id = 1");
                for (int i = 0; i < 10; i++) {
                    assertEquals(100, balance(reader, 1));
                    Thread.sleep(20);
                }
                exec(writer, "commit");
                assertEquals(70, SnapshotHiddenStatementsAttackTest.databaseBalance(direct, 1), "committed");
                assertEquals(70, balance(reader, 1), "read after the commit returned");
            } finally {
                exec(writer, "rollback");
            }
        }
    }
}
