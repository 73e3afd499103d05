package dev.sqlcache.driver;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import static dev.sqlcache.driver.SnapshotHiddenStatementsAttackTest.balance;
import static dev.sqlcache.driver.SnapshotHiddenStatementsAttackTest.databaseBalance;
import static dev.sqlcache.driver.SnapshotHiddenStatementsAttackTest.schema;
import static dev.sqlcache.driver.SnapshotHiddenStatementsAttackTest.warm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Not specific to the snapshot change: a write made through an updatable result set (ResultSet.updateRow) reaches
 * the database through the real driver, with no lease and no end: entries of the row stay current for everyone.
 */
class SnapshotUpdatableResultSetAttackTest extends RedisBackedTest {

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"POSTGRES", "MARIADB"})
    void aRowUpdatedThroughAnUpdatableResultSetIsNotServedStale(TestDatabase db) throws Exception {
        try (Connection direct = db.direct(); Connection c = db.cached(settings());
             Connection other = db.cached(settings())) {
            schema(direct);
            assertEquals(100, warm(other, 1));
            try (Statement s = c.createStatement(ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_UPDATABLE);
                 ResultSet rs = s.executeQuery("select id, balance from sr_account where id = 1")) {
                assertTrue(rs.next());
                rs.updateInt("balance", 5);
                rs.updateRow();
            }
            assertEquals(5, databaseBalance(direct, 1), "the database");
            assertEquals(5, balance(other, 1), "a cached auto-commit read after the write returned");
        }
    }

    /**
     * In auto-commit the query's lease ends when executeQuery returns, before the application changes a row through
     * the result set: a read in another connection between the two stores the row's old value under the fresh tokens,
     * and updateRow then commits with no lease and no end, so that entry stays current after the write returned.
     */
    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"POSTGRES", "MARIADB"})
    void aRowCachedBetweenTheQueryAndItsUpdateRowIsNotServedStale(TestDatabase db) throws Exception {
        try (Connection direct = db.direct(); Connection c = db.cached(settings());
             Connection other = db.cached(settings())) {
            schema(direct);
            assertEquals(100, warm(other, 1));
            try (Statement s = c.createStatement(ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_UPDATABLE);
                 ResultSet rs = s.executeQuery("select id, balance from sr_account where id = 1")) {
                assertTrue(rs.next());
                // Another connection reads the row meanwhile, and caches it (the old value: nothing is changed yet).
                assertEquals(100, warm(other, 1));
                rs.updateInt("balance", 5);
                rs.updateRow();
            }
            assertEquals(5, databaseBalance(direct, 1), "the database");
            assertEquals(5, balance(other, 1), "a cached auto-commit read after updateRow returned");
        }
    }

    /**
     * The same write inside a snapshot reader's own transaction is no write to the tracker either: later reads of
     * the transaction are still served from the cache, without its own change.
     */
    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"POSTGRES", "MARIADB"})
    void aTransactionSeesItsOwnUpdatableResultSetWrite(TestDatabase db) throws Exception {
        try (Connection direct = db.direct(); Connection c = db.cached(settings());
             Connection other = db.cached(settings())) {
            schema(direct);
            warm(other, 1);
            warm(other, 2);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            c.setAutoCommit(false);
            assertEquals(100, balance(c, 2));
            try (Statement s = c.createStatement(ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_UPDATABLE);
                 ResultSet rs = s.executeQuery("select id, balance from sr_account where id = 1")) {
                assertTrue(rs.next());
                rs.updateInt("balance", 5);
                rs.updateRow();
            }
            int own = balance(c, 1);
            c.rollback();
            c.setAutoCommit(true);
            assertEquals(5, own, "the transaction's own write");
        }
    }
}
