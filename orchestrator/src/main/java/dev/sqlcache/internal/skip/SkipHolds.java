package dev.sqlcache.internal.skip;

/**
 * The skipping writes of one connection still in flight: an auto-commit statement's until it returns, a
 * transaction's until its commit or rollback returns. Reused for the connection's life (no allocation per write).
 * Not thread-safe, like a connection.
 */
public final class SkipHolds {

    private TableSkip[] tables = new TableSkip[4];
    private SkipGeneration[] generations = new SkipGeneration[4];
    private int count;

    boolean holds(TableSkip table) {
        for (int i = 0; i < count; i++) {
            if (tables[i] == table) {
                return true;
            }
        }
        return false;
    }

    void add(TableSkip table, SkipGeneration generation) {
        if (count == tables.length) {
            tables = java.util.Arrays.copyOf(tables, count * 2);
            generations = java.util.Arrays.copyOf(generations, count * 2);
        }
        tables[count] = table;
        generations[count] = generation;
        count++;
    }

    int size() {
        return count;
    }

    TableSkip table(int i) {
        return tables[i];
    }

    SkipGeneration generation(int i) {
        return generations[i];
    }

    /** Removes hold {@code i} (the last one takes its place), leaving its in-flight count to the caller. */
    void remove(int i) {
        count--;
        tables[i] = tables[count];
        generations[i] = generations[count];
        tables[count] = null;
        generations[count] = null;
    }

    /** Drops the holds from {@code from} on, leaving their in-flight counts to the caller. */
    void truncate(int from) {
        for (int i = from; i < count; i++) {
            tables[i] = null;
            generations[i] = null;
        }
        count = from;
    }

    /** Whether any write of this connection is skipping its invalidation now. */
    public boolean isEmpty() {
        return count == 0;
    }
}
