package dev.sqlcache.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * A table of one row {@code (id 1, v)} for the failover tests: every read through the cache is checked against
 * the last committed value, and the helpers wait, within a generous bound, for the cache to answer again.
 */
final class OneRowTable implements AutoCloseable {

    /** How long a test waits for hits to come back after a fault: generous, a loaded machine stretches failovers. */
    static final long HITS_RESUME_BOUND_NANOS = 30_000_000_000L;

    private final TestDatabase db;
    final String name;

    private OneRowTable(TestDatabase db, String name) {
        this.db = db;
        this.name = name;
    }

    /** Creates {@code prefix_<random>} with the row {@code (1, v)}. */
    static OneRowTable create(TestDatabase db, String prefix, int v) throws SQLException {
        OneRowTable table = new OneRowTable(db, prefix + "_" + UUID.randomUUID().toString().substring(0, 8));
        try (Connection direct = db.direct(); Statement s = direct.createStatement()) {
            s.execute("create table " + table.name + " (id int primary key, v int)");
            s.execute("insert into " + table.name + " values (1, " + v + ")");
        }
        return table;
    }

    int value(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select v from " + name + " where id = 1")) {
            assertTrue(rs.next());
            return rs.getInt(1);
        }
    }

    void update(Connection c, int v) throws SQLException {
        try (Statement s = c.createStatement()) {
            assertEquals(1, s.executeUpdate("update " + name + " set v = " + v + " where id = 1"));
        }
    }

    /**
     * Reads until a read is a hit, each read checked against {@code expected} (the committed value); returns when
     * the first hit came ({@link System#nanoTime()}). Fails after {@link #HITS_RESUME_BOUND_NANOS}.
     */
    long awaitHit(Connection c, int expected, String when) throws SQLException, InterruptedException {
        long start = System.nanoTime();
        while (System.nanoTime() - start < HITS_RESUME_BOUND_NANOS) {
            long hits = hits(c);
            assertEquals(expected, value(c), when);
            if (hits(c) > hits) {
                return System.nanoTime();
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no hit on " + name + " within 30 s " + when);
    }

    /** Reads until the near cache answers (its lease needs a renewal's marker back through the subscription). */
    void awaitNearHit(Connection c, int expected) throws Exception {
        long start = System.nanoTime();
        while (System.nanoTime() - start < HITS_RESUME_BOUND_NANOS) {
            long before = nearHits(c);
            assertEquals(expected, value(c), "while waiting for a near hit");
            if (nearHits(c) > before) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no near hit on " + name + " within 30 s");
    }

    static long hits(Connection c) throws SQLException {
        return c.unwrap(SqlCacheConnection.class).statistics().hits();
    }

    static long nearHits(Connection c) throws SQLException {
        return c.unwrap(SqlCacheConnection.class).statistics().nearHits();
    }

    @Override
    public void close() throws SQLException {
        try (Connection direct = db.direct(); Statement s = direct.createStatement()) {
            s.execute("drop table " + name);
        }
    }
}
