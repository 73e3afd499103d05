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
 *   <li>Only READ COMMITTED transactions use the cache: a REPEATABLE READ or SERIALIZABLE snapshot may be older
 *       than the current versions, and READ UNCOMMITTED sees other transactions' dirty rows.</li>
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
    private long epoch;

    TransactionTracker(boolean autoCommit, int isolation) {
        this.autoCommit = autoCommit;
        this.isolation = isolation;
    }

    boolean autoCommit() {
        return autoCommit;
    }

    boolean inTransaction() {
        return !autoCommit || sqlTransaction;
    }

    /** Whether a read of tables with these version keys may use the cache at all. */
    boolean mayRead(String[] readVersionKeys) {
        if (!isolationKnown || isolation == Connection.TRANSACTION_READ_UNCOMMITTED
                || (transactionIsolationUnknown && inTransaction())) {
            return false;
        }
        if (!inTransaction()) {
            return true;
        }
        if (isolation != Connection.TRANSACTION_READ_COMMITTED && isolation != Connection.TRANSACTION_NONE) {
            return false;
        }
        if (leases.isEmpty()) {
            return true;
        }
        for (String key : readVersionKeys) {
            if (leases.containsKey(key)) {
                return false;
            }
        }
        return true;
    }

    /** Whether a read that started at {@code startEpoch} may store its result now. */
    boolean mayStore(long startEpoch) {
        return startEpoch == epoch && (!inTransaction() || leases.isEmpty());
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
    void leased(String[] keys, String[] tokens) {
        epoch++;
        for (int i = 0; i < keys.length; i++) {
            leases.put(keys[i], tokens == null ? null : tokens[i]);
        }
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

    /** Keys and their lease tokens, index by index. */
    record Leases(String[] keys, String[] tokens) {
    }

    /** The transaction ended (commit, rollback, or DDL's implicit commit): an SQL-begun one is over. */
    void ended() {
        sqlTransaction = false;
        transactionIsolationUnknown = false;
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
    }

    void setIsolation(int isolation) {
        this.isolation = isolation;
        this.isolationKnown = true;
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
