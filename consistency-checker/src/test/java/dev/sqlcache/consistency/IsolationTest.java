package dev.sqlcache.consistency;

import org.junit.jupiter.api.Test;

import java.sql.Connection;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * READ COMMITTED readers must see every commit that returned before their statement; REPEATABLE READ readers
 * keep their snapshot, and a result read from an old snapshot must never be stored for others. The isolation level
 * is set through JDBC and, on PostgreSQL, through SQL the driver has to recognise.
 */
class IsolationTest extends Fixtures {

    @Test
    void h2ReadCommittedAndRepeatableRead() throws Exception {
        jdbcLevels(h2Target());
    }

    @Test
    void postgresqlReadCommittedAndRepeatableRead() throws Exception {
        jdbcLevels(Target.postgres());
    }

    @Test
    void mariadbReadCommittedAndRepeatableRead() throws Exception {
        jdbcLevels(Target.mariadb());
    }

    private static void jdbcLevels(Target target) throws Exception {
        reset(target);
        try (Connection rc = cached(target); Connection rr = cached(target); Connection writer = cached(target);
             Connection later = cached(target)) {
            rc.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            rc.setAutoCommit(false);
            rr.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            rr.setAutoCommit(false);
            assertEquals(0, counter(later, 2));
            assertEquals(0, counter(later, 2)); // cached
            assertEquals(0, counter(rc, 2));
            assertEquals(0, counter(rr, 2)); // the snapshot starts here
            assertEquals(1, execute(writer, "UPDATE cc_counter SET val = 7 WHERE id = 2"));
            assertEquals(7, counter(rc, 2), "READ COMMITTED sees the commit that returned before the statement");
            assertEquals(0, counter(rr, 2), "REPEATABLE READ keeps its snapshot");
            assertEquals(0, counter(rr, 2), "REPEATABLE READ keeps its snapshot, twice");
            rr.commit();
            rc.commit();
            assertEquals(7, counter(later, 2), "an old snapshot's result must not have been stored");
            assertEquals(7, counter(rr, 2), "a new REPEATABLE READ transaction sees the commit");
            rr.commit();
        }
    }

    /** {@code BEGIN ISOLATION LEVEL REPEATABLE READ} sent as SQL on an auto-commit connection. */
    @Test
    void postgresqlBeginRepeatableReadAsSql() throws Exception {
        sqlSnapshot(Target.postgres(), "BEGIN ISOLATION LEVEL REPEATABLE READ", null);
    }

    /** {@code START TRANSACTION ISOLATION LEVEL REPEATABLE READ} sent as SQL. */
    @Test
    void postgresqlStartTransactionRepeatableReadAsSql() throws Exception {
        sqlSnapshot(Target.postgres(), "START TRANSACTION ISOLATION LEVEL REPEATABLE READ", null);
    }

    /** The session default changed by SQL, the transaction then opened through JDBC. */
    @Test
    void postgresqlSessionDefaultRepeatableRead() throws Exception {
        sqlSnapshot(Target.postgres(), null, "SET default_transaction_isolation = 'repeatable read'");
    }

    /** The recognised spelling, for contrast. */
    @Test
    void postgresqlSessionCharacteristicsRepeatableRead() throws Exception {
        sqlSnapshot(Target.postgres(), null,
                "SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL REPEATABLE READ");
    }

    /**
     * A snapshot transaction reads a counter, another connection commits a new value, the snapshot transaction
     * reads it again (its old value, correctly for it) and commits. Afterwards everyone must see the new value.
     */
    private static void sqlSnapshot(Target target, String begin, String sessionSetting) throws Exception {
        reset(target);
        try (Connection snapshot = cached(target); Connection writer = cached(target); Connection later = cached(target)) {
            if (sessionSetting != null) {
                execute(snapshot, sessionSetting);
                snapshot.setAutoCommit(false);
            } else {
                snapshot.setAutoCommit(true);
                execute(snapshot, begin);
            }
            assertEquals(0, counter(snapshot, 4));
            assertEquals(1, execute(writer, "UPDATE cc_counter SET val = 9 WHERE id = 4"));
            assertEquals(0, counter(snapshot, 4), "the snapshot transaction keeps its snapshot");
            if (sessionSetting != null) {
                snapshot.commit();
            } else {
                execute(snapshot, "COMMIT");
            }
            assertEquals(9, counter(later, 4), "after the write's commit returned, another connection reads");
            assertEquals(9, counter(later, 4), "and again");
            assertEquals(9, counter(snapshot, 4), "the snapshot connection itself, in its next transaction");
        }
    }
}
