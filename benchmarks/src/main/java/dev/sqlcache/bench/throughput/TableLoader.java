package dev.sqlcache.bench.throughput;

import org.apache.commons.rng.UniformRandomProvider;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/** Creates and fills a workload's tables through whatever connection it is given (direct, pgpool or sqlcache). */
final class TableLoader {
    private static final int BATCH = 1000;
    private static final char[] ALPHABET =
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".toCharArray();

    @FunctionalInterface
    interface RowBinder {
        void bind(PreparedStatement insert, int row) throws SQLException;
    }

    private TableLoader() {
    }

    /**
     * Drops {@code tables} (dependants first, so in reverse of their order) and runs {@code ddl}, under auto-commit:
     * some databases commit DDL implicitly anyway. Going through the target's own connection means a cache in
     * front of the database sees the drop and invalidates what it held for these tables.
     */
    static void recreate(Connection connection, List<String> tables, List<String> ddl) throws SQLException {
        connection.setAutoCommit(true);
        try (Statement s = connection.createStatement()) {
            for (int i = tables.size() - 1; i >= 0; i--) {
                s.execute("drop table if exists " + tables.get(i) + " cascade");
            }
            for (String statement : ddl) {
                s.execute(statement);
            }
        }
    }

    /** Inserts rows {@code 1..rows} in batches, in one transaction. */
    static void insert(Connection connection, String sql, int rows, RowBinder binder) throws SQLException {
        connection.setAutoCommit(false);
        try (PreparedStatement insert = connection.prepareStatement(sql)) {
            for (int row = 1; row <= rows; row++) {
                binder.bind(insert, row);
                insert.addBatch();
                if (row % BATCH == 0) {
                    insert.executeBatch();
                }
            }
            if (rows % BATCH != 0) {
                insert.executeBatch();
            }
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(true);
        }
    }

    /** A random alphanumeric string: deterministic for a seeded source. */
    static String text(UniformRandomProvider random, int length) {
        char[] chars = new char[length];
        for (int i = 0; i < length; i++) {
            chars[i] = ALPHABET[random.nextInt(ALPHABET.length)];
        }
        return new String(chars);
    }
}
