package dev.sqlcache.bench.throughput;

/**
 * What one client thread did in one round. Plain fields: one thread writes them, the harness reads them after
 * joining the thread.
 */
final class OpCounter {
    long operations;
    long writeOperations;
    long selects;
    long updates;
    long rows;
    /** CPU time of the client thread over the round (its share of sqlcache's work included). */
    long cpuNanos;
    /** Folds in every value read, so no getter call can be optimised away. */
    long checksum;

    void select(long rowsRead, long valueHash) {
        selects++;
        rows += rowsRead;
        checksum += valueHash;
    }

    void update() {
        updates++;
    }

    void add(OpCounter other) {
        operations += other.operations;
        writeOperations += other.writeOperations;
        selects += other.selects;
        updates += other.updates;
        rows += other.rows;
        cpuNanos += other.cpuNanos;
        checksum += other.checksum;
    }
}
