package dev.sqlcache.driver;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Savepoint;
import java.util.List;
import java.util.concurrent.Executors;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Savepoints, batches in transactions, and connections that end with a transaction open. */
class TransactionEdgesTest extends RedisBackedTest {

    private static final String READ = "select n from edges where id = 1";

    private static void prepare(Connection direct) throws Exception {
        exec(direct, "drop table if exists edges", "create table edges (id integer primary key, n integer)",
                "insert into edges values (1, 0)", "insert into edges values (2, 0)");
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"H2", "POSTGRES", "MARIADB"})
    void rollingBackToASavepointKeepsTheTransactionsEarlierWritesPending(TestDatabase db) throws Exception {
        try (Connection direct = db.direct(); Connection tx = db.cached(settings());
             Connection other = db.cached(settings())) {
            prepare(direct);
            assertEquals(List.of(List.of("0")), rows(other, READ));
            tx.setAutoCommit(false);
            exec(tx, "update edges set n = 1 where id = 1");
            Savepoint savepoint = tx.setSavepoint();
            exec(tx, "update edges set n = 2 where id = 1");
            tx.rollback(savepoint);
            assertEquals(List.of(List.of("1")), rows(tx, READ), "the write before the savepoint stays");
            assertEquals(List.of(List.of("0")), rows(other, READ), "still uncommitted");
            tx.commit();
            assertEquals(List.of(List.of("1")), rows(other, READ), "the commit invalidated it");
        }
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"H2", "POSTGRES", "MARIADB"})
    void aBatchInsideATransactionIsInvalidatedAtCommit(TestDatabase db) throws Exception {
        try (Connection direct = db.direct(); Connection tx = db.cached(settings());
             Connection other = db.cached(settings())) {
            prepare(direct);
            assertEquals(List.of(List.of("0")), rows(other, READ));
            tx.setAutoCommit(false);
            try (PreparedStatement ps = tx.prepareStatement("update edges set n = ? where id = ?")) {
                ps.setInt(1, 5);
                ps.setInt(2, 1);
                ps.addBatch();
                ps.setInt(1, 6);
                ps.setInt(2, 2);
                ps.addBatch();
                ps.executeBatch();
            }
            assertEquals(List.of(List.of("0")), rows(other, READ));
            assertEquals(List.of(List.of("5")), rows(tx, READ));
            tx.commit();
            assertEquals(List.of(List.of("5")), rows(other, READ));
        }
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"H2", "POSTGRES", "MARIADB"})
    void aConnectionClosedOrAbortedWithATransactionOpenLeavesNothingStale(TestDatabase db) throws Exception {
        try (Connection direct = db.direct(); Connection other = db.cached(settings())) {
            prepare(direct);
            assertEquals(List.of(List.of("0")), rows(other, READ));
            Connection closing = db.cached(settings());
            closing.setAutoCommit(false);
            exec(closing, "update edges set n = 7 where id = 1");
            closing.close();
            // Whatever the driver did with the open transaction, the answer matches the database.
            assertEquals(rows(direct, READ), rows(other, READ));

            Connection aborting = db.cached(settings());
            aborting.setAutoCommit(false);
            exec(aborting, "update edges set n = 8 where id = 2");
            var executor = Executors.newSingleThreadExecutor();
            try {
                aborting.abort(executor);
            } finally {
                executor.shutdown();
            }
            String second = "select n from edges where id = 2";
            assertEquals(rows(direct, second), rows(other, second));
            assertEquals(rows(direct, second), rows(other, second));
        }
    }
}
