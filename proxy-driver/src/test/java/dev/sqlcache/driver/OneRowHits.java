package dev.sqlcache.driver;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * The opening of the tests that compare what a hit reports with what the real driver's execution would: a table of
 * one row (id 1, v 100) on a real database, read through sqlcache with the in-process store and the table pinned on,
 * so that a read is a hit as soon as its result has landed, whatever the policy would measure.
 */
final class OneRowHits {

    private OneRowHits() {
    }

    /** Creates {@code table} afresh with its one row. */
    static void table(TestDatabase database, String table) throws SQLException {
        try (Connection c = database.direct(); Statement s = c.createStatement()) {
            s.execute("drop table if exists " + table);
            s.execute("create table " + table + "(id int primary key, v int)");
            s.execute("insert into " + table + " values (1, 100)");
        }
    }

    /** A connection through sqlcache, the in-process store, {@code table} always cached. */
    static Connection cached(TestDatabase database, String table) throws SQLException {
        Properties settings = new Properties();
        settings.setProperty("sqlcache.store", "memory");
        settings.setProperty("sqlcache.tablePolicy", table + "=on");
        return database.cached(settings);
    }

    static long hits(Connection cached) throws SQLException {
        return cached.unwrap(SqlCacheConnection.class).statistics().hits();
    }

    /** Reads {@code sql} on {@code s}, to the end (a miss is stored once its result was read to the end). */
    static void read(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                // Read to the end.
            }
        }
    }

    /**
     * Executes {@code sql} on {@code s}, as the real driver would on a plain connection; on one through sqlcache
     * ({@code hitExpected}) the read must be a hit. The caller closes the result.
     */
    static ResultSet query(Connection c, Statement s, String sql, boolean hitExpected) throws SQLException {
        long hits = hitExpected ? hits(c) : 0;
        ResultSet rs = s.executeQuery(sql);
        if (hitExpected && hits(c) != hits + 1) {
            rs.close();
            throw new AssertionError("the read is a hit: " + c.unwrap(SqlCacheConnection.class).statistics());
        }
        return rs;
    }

    /** Reads {@code sql} on {@code s} until it is a hit (the store lands on the writer thread). */
    static void untilHit(Connection cached, Statement s, String sql) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            long hits = hits(cached);
            read(s, sql);
            if (hits(cached) > hits) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no hit within 10 s: " + cached.unwrap(SqlCacheConnection.class).statistics());
    }
}
