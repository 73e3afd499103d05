package dev.sqlcache.internal.skip;

/**
 * The skipping writes of one connection still in flight: an auto-commit statement's until it returns, a
 * transaction's until its commit or rollback returns. Reused for the connection's life (no allocation per write).
 * Not thread-safe, like a connection.
 */
public final class SkipHolds {

    private TableSkip[] tables = new TableSkip[4];
    private int[] generations = new int[4];
    /** The lease token of the permit each hold started under: the write's end asks the store whether it stands. */
    private String[] tokens = new String[4];
    private int count;

    boolean holds(TableSkip table) {
        for (int i = 0; i < count; i++) {
            if (tables[i] == table) {
                return true;
            }
        }
        return false;
    }

    void add(TableSkip table, int generation, String token) {
        if (count == tables.length) {
            tables = java.util.Arrays.copyOf(tables, count * 2);
            generations = java.util.Arrays.copyOf(generations, count * 2);
            tokens = java.util.Arrays.copyOf(tokens, count * 2);
        }
        tables[count] = table;
        generations[count] = generation;
        tokens[count] = token;
        count++;
    }

    int size() {
        return count;
    }

    TableSkip table(int i) {
        return tables[i];
    }

    int generation(int i) {
        return generations[i];
    }

    String token(int i) {
        return tokens[i];
    }

    /** Drops the holds from {@code from} on, leaving their in-flight counts to the caller. */
    void truncate(int from) {
        for (int i = from; i < count; i++) {
            tables[i] = null;
            tokens[i] = null;
        }
        count = from;
    }

    /** Whether any write of this connection is skipping its invalidation now. */
    public boolean isEmpty() {
        return count == 0;
    }
}
