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
    /** Wall time of the operations that wrote and of those that only read, so a round's time splits by kind. */
    long writeNanos;
    long readNanos;
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

    /** Mean wall time of an operation that wrote, in µs; NaN without one. */
    double writeMicros() {
        return writeOperations == 0 ? Double.NaN : writeNanos / 1e3 / writeOperations;
    }

    /** Mean wall time of an operation that only read, in µs; NaN without one. */
    double readMicros() {
        long reads = operations - writeOperations;
        return reads == 0 ? Double.NaN : readNanos / 1e3 / reads;
    }

    void add(OpCounter other) {
        operations += other.operations;
        writeOperations += other.writeOperations;
        selects += other.selects;
        updates += other.updates;
        rows += other.rows;
        writeNanos += other.writeNanos;
        readNanos += other.readNanos;
        cpuNanos += other.cpuNanos;
        checksum += other.checksum;
    }
}
