package dev.sqlcache.bench.throughput;

import org.apache.commons.rng.UniformRandomProvider;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * One workload of the throughput harness: the tables it creates in a target's schema and what one client thread
 * does in one operation. An operation is one transaction (or, with auto-commit, the statements of one
 * application-level request); the harness commits it and times it.
 */
interface Workload {

    /** The name used on the command line and in the report, e.g. {@code ycsb-90-10}. */
    String name();

    /** One line for the report: schema size, mix, key distribution. */
    String description();

    /** Percentage of operations that write; 0 for a read-only workload. */
    int writePercent();

    /**
     * Names the tables and rows {@link #load} creates: workloads with the same dataset (the mixes of one family)
     * share one load per run, so no table is dropped and recreated under a cache that has already seen it.
     */
    String dataset();

    /** Tables it creates, in dependency order (referenced tables first). */
    List<String> tables();

    /**
     * Drops and recreates the tables in the connection's current schema and fills them. The data depend only on
     * the workload, never on the target, so every target starts from identical rows.
     */
    void load(Connection connection) throws SQLException;

    /** A client for one thread: its prepared statements live as long as the connection. */
    Client client(Connection connection) throws SQLException;

    /**
     * A client that reads on {@code reads} and writes on {@code writes}, for targets whose writes come from another
     * member; only workloads whose operations either read or write (never both) can split them.
     *
     * @throws UnsupportedOperationException when this workload's operations cannot be split
     */
    default Client client(Connection reads, Connection writes) throws SQLException {
        if (reads == writes) {
            return client(reads);
        }
        throw new UnsupportedOperationException(name() + " cannot write on a connection of its own");
    }

    /** What one thread runs. Not thread-safe: one per connection. */
    interface Client extends AutoCloseable {

        /**
         * Binds the random source for the next round (every target gets the same seeds, so the same key
         * sequence per thread and round).
         */
        void use(UniformRandomProvider random);

        /**
         * Runs one operation, counting its statements and rows in {@code counter}.
         *
         * @return whether the operation wrote
         */
        boolean execute(OpCounter counter) throws SQLException;

        @Override
        void close() throws SQLException;
    }
}
