package dev.sqlcache.internal.engine;

import java.sql.Connection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the driver knows about one connection's transaction, which decides whether the cache may be read or filled
 * and when writes are invalidated.
 *
 * <ul>
 *   <li>Outside a transaction every statement commits on its own, so writes are invalidated at once.</li>
 *   <li>Inside one, written tables are remembered and invalidated when the commit has completed; a rollback
 *       forgets them. Reads of a written table bypass the cache, and nothing is stored after the first write,
 *       since this transaction sees its own uncommitted rows.</li>
 *   <li>READ COMMITTED transactions use the cache as auto-commit statements do. READ UNCOMMITTED sees other
 *       transactions' dirty rows, and SERIALIZABLE must take its reads to the database (PostgreSQL's predicate
 *       locks, MySQL's locking reads): neither uses the cache.</li>
 *   <li>A REPEATABLE READ transaction on PostgreSQL or MariaDB reads the database as of one snapshot. It
 *       uses the cache only for entries that show that snapshot: the database's write sequence, read before the
 *       snapshot is taken, is pinned ({@code s}), and an entry is served only when its lookup read a value no
 *       later than {@code s} and its tables' tokens are still those it recorded, so nothing it reads changed
 *       from before the snapshot until now. Once the transaction writes, or runs a statement before it could
 *       pin, it reads the database only. docs/consistency.md has the argument.</li>
 * </ul>
 * Not thread-safe: a JDBC connection is used by one thread at a time.
 */
final class TransactionTracker {

    private boolean autoCommit;
    private int isolation;
    private boolean isolationKnown = true;
    /** The current transaction set its own isolation level through SQL; forgotten when it ends. */
    private boolean transactionIsolationUnknown;
    private boolean sqlTransaction;
    /** Version keys this transaction has written, with the lease taken on each (null when it failed). */
    private final Map<String, String> leases = new LinkedHashMap<>();
    /** Whether this transaction wrote tables under a skip permit (not in {@link #leases}). */
    private boolean unleasedWrites;
    private long epoch;
    /** Whether this database's REPEATABLE READ is a snapshot the cache can be tied to. */
    private final boolean snapshotCapable;
    /** The current transaction's snapshot point: the write sequence read before its snapshot, once fixed. */
    private String pinnedSequence;
    /** The fence token read with it: the sequence's values are only comparable while the fence stays. */
    private String pinnedFence;
    /** The current transaction ran a statement that was not tied to the write sequence, or wrote: no snapshot reads. */
    private boolean snapshotLost;
    /** Something ran in the current transaction: a session isolation change applies from the next one. */
    private boolean transactionStarted;
    /** An isolation level set while a transaction was running, for the next one; -1 for none. */
    private int nextIsolation = -1;
    /** LOCK TABLES is held (MySQL-like): starting a transaction explicitly would release it. */
    private boolean tablesLocked;
    /** When this transaction's first lease was placed (nanoTime), to renew them before a late commit. */
    private long leasedAtNanos;

    TransactionTracker(boolean autoCommit, int isolation, boolean snapshotCapable) {
        this.autoCommit = autoCommit;
        this.isolation = isolation;
        this.snapshotCapable = snapshotCapable;
        // Opened inside a transaction: the driver's own queries (user, schema) may have taken its snapshot.
        this.snapshotLost = !autoCommit;
        this.transactionStarted = !autoCommit;
    }

    /**
     * Whether reads now follow the snapshot rules: inside a REPEATABLE READ transaction begun through JDBC (one
     * begun with SQL may already hold a snapshot, {@code WITH CONSISTENT SNAPSHOT}), on a database whose
     * REPEATABLE READ is a snapshot.
     */
    boolean snapshotReads() {
        return snapshotCapable && !autoCommit && !sqlTransaction && !tablesLocked && isolationKnown
                && isolation == Connection.TRANSACTION_REPEATABLE_READ && !transactionIsolationUnknown;
    }

    /** The write sequence this transaction's snapshot is tied to, or null while nothing has run in it. */
    String pinnedSequence() {
        return pinnedSequence;
    }

    /** This transaction's snapshot is about to be taken, after the write sequence read {@code sequence}. */
    void pin(String sequence, String fence) {
        pinnedSequence = sequence;
        pinnedFence = fence;
        transactionStarted = true;
    }

    String pinnedFence() {
        return pinnedFence;
    }

    /** A statement is about to run on the database: unless the snapshot is tied already, it never will be. */
    void statementRuns() {
        if (pinnedSequence == null) {
            snapshotLost = true;
        }
        if (inTransaction()) {
            transactionStarted = true;
        }
    }

    /** LOCK TABLES (+1) or UNLOCK TABLES (-1) ran. */
    void tableLocks(int change) {
        if (change != 0) {
            tablesLocked = change > 0;
        }
    }

    /** Whether LOCK TABLES is held: other sessions' reads of those tables may wait for this one. */
    boolean tablesLocked() {
        return tablesLocked;
    }

    /** Whether the leases were placed longer ago than {@code nanos} (they may have expired). */
    boolean leasesOlderThan(long nanos, long now) {
        return !leases.isEmpty() && now - leasedAtNanos > nanos;
    }

    /** Snapshot reads are over for this transaction. */
    void loseSnapshot() {
        snapshotLost = true;
    }

    boolean autoCommit() {
        return autoCommit;
    }

    boolean inTransaction() {
        return !autoCommit || sqlTransaction;
    }

    /**
     * Whether reads may use the cache at all, told without their version keys: {@code null} when that depends on
     * them ({@link #mayRead}). A read the cache will not serve anyway then never builds its row keys.
     */
    Boolean mayReadAny() {
        if (!isolationKnown || isolation == Connection.TRANSACTION_READ_UNCOMMITTED
                || (transactionIsolationUnknown && inTransaction())) {
            return Boolean.FALSE;
        }
        if (!inTransaction()) {
            return Boolean.TRUE;
        }
        if (unleasedWrites) {
            return Boolean.FALSE;
        }
        if (snapshotReads()) {
            return !snapshotLost && leases.isEmpty();
        }
        if (isolation != Connection.TRANSACTION_READ_COMMITTED && isolation != Connection.TRANSACTION_NONE) {
            return Boolean.FALSE;
        }
        return leases.isEmpty() ? Boolean.TRUE : null;
    }

    /** Whether a read of tables with these version keys may use the cache at all. */
    boolean mayRead(String[] readVersionKeys) {
        Boolean any = mayReadAny();
        if (any != null) {
            return any;
        }
        for (int i = 0; i < readVersionKeys.length; i++) {
            // Every write advances the sequence; only a write to what this read depends on hides it.
            if (i != CacheEngine.SEQUENCE_INDEX && leases.containsKey(readVersionKeys[i])) {
                return false;
            }
        }
        return true;
    }

    /** Whether a read that started at {@code startEpoch} may store its result now. */
    boolean mayStore(long startEpoch) {
        return startEpoch == epoch && (!inTransaction() || (leases.isEmpty() && !unleasedWrites));
    }

    /**
     * A write of this transaction skipped its lease (its tables are cached by no JVM): like any write, it ends
     * the snapshot and every store; and since its tables are not remembered, every read of the transaction passes
     * through until it ends.
     */
    void wroteUnleased() {
        epoch++;
        snapshotLost = true;
        unleasedWrites = true;
    }

    long epoch() {
        return epoch;
    }

    /** The keys among these that this transaction has not leased yet. */
    String[] unleased(String[] keys) {
        int count = 0;
        String[] result = new String[keys.length];
        for (String key : keys) {
            if (!leases.containsKey(key)) {
                result[count++] = key;
            }
        }
        return count == keys.length ? keys : java.util.Arrays.copyOf(result, count);
    }

    /** Records a write inside a transaction: its keys stay leased until the transaction ends. */
    void leased(String[] keys, String[] tokens, long now) {
        epoch++;
        snapshotLost = true;
        if (leases.isEmpty()) {
            leasedAtNanos = now;
        }
        for (int i = 0; i < keys.length; i++) {
            leases.put(keys[i], tokens == null ? null : tokens[i]);
        }
    }

    /** The leases were placed again, with these tokens, at {@code now}. */
    void renewed(String[] keys, String[] tokens, long now) {
        for (int i = 0; i < keys.length; i++) {
            leases.put(keys[i], tokens == null ? null : tokens[i]);
        }
        leasedAtNanos = now;
    }

    /**
     * The leases this transaction holds, taken away: at commit, rollback or close. A key whose lease failed has a
     * null token.
     */
    Leases drainLeases() {
        epoch++;
        String[] keys = leases.keySet().toArray(String[]::new);
        String[] tokens = leases.values().toArray(String[]::new);
        leases.clear();
        return new Leases(keys, tokens);
    }

    /** Every key this transaction has written, its leases kept (a commit that failed may have left it open). */
    String[] leasedKeys() {
        return leases.keySet().toArray(String[]::new);
    }

    /** The lease tokens of {@link #leasedKeys()}, index by index (null where none was taken). */
    String[] leaseTokens() {
        return leases.values().toArray(String[]::new);
    }

    /** Keys and their lease tokens, index by index. */
    record Leases(String[] keys, String[] tokens) {
    }

    /** The transaction ended (commit, rollback, or DDL's implicit commit): an SQL-begun one is over. */
    void ended() {
        unleasedWrites = false;
        sqlTransaction = false;
        transactionIsolationUnknown = false;
        newSnapshot();
    }

    /** The next statement opens a new transaction, whose snapshot is not taken yet. */
    private void newSnapshot() {
        pinnedSequence = null;
        pinnedFence = null;
        snapshotLost = false;
        transactionStarted = false;
        if (nextIsolation >= 0) {
            isolation = nextIsolation;
            nextIsolation = -1;
        }
    }

    /** Whether the current transaction set its own isolation through SQL (a chained one inherits it). */
    boolean chainedIsolationUnknown() {
        return transactionIsolationUnknown;
    }

    /** BEGIN ISOLATION LEVEL ...: this transaction's snapshot rules are its own; stay out of the cache in it. */
    void transactionIsolationUnknown() {
        transactionIsolationUnknown = true;
    }

    void setAutoCommit(boolean autoCommit) {
        this.autoCommit = autoCommit;
        newSnapshot();
    }

    /**
     * The session's isolation level changed. Inside a running transaction (MySQL and MariaDB allow it) it applies
     * from the next one: the running one keeps its level and its snapshot.
     */
    void setIsolation(int isolation) {
        this.isolationKnown = true;
        if (!autoCommit && transactionStarted && isolation != this.isolation) {
            nextIsolation = isolation;
        } else {
            this.isolation = isolation;
            nextIsolation = -1;
        }
    }

    /** Isolation was changed by SQL text the driver does not model; stay out of the cache until it is set again. */
    void isolationUnknown() {
        this.isolationKnown = false;
    }

    /** A BEGIN / START TRANSACTION issued as SQL while in auto-commit mode. */
    void sqlBegin() {
        if (autoCommit) {
            sqlTransaction = true;
        }
    }
}
