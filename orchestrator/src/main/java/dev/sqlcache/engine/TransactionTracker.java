package dev.sqlcache.engine;

import java.sql.Connection;
import java.util.HashSet;
import java.util.Set;

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
    private final Set<String> pendingKeys = new HashSet<>();
    private long epoch;

    TransactionTracker(boolean autoCommit, int isolation) {
        this.autoCommit = autoCommit;
        this.isolation = isolation;
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
        if (pendingKeys.isEmpty()) {
            return true;
        }
        for (String key : readVersionKeys) {
            if (pendingKeys.contains(key)) {
                return false;
            }
        }
        return true;
    }

    /** Whether a read that started at {@code startEpoch} may store its result now. */
    boolean mayStore(long startEpoch) {
        return startEpoch == epoch && (!inTransaction() || pendingKeys.isEmpty());
    }

    long epoch() {
        return epoch;
    }

    /** Records a write inside a transaction; its keys are bumped when the transaction commits. */
    void deferred(String[] writeVersionKeys) {
        epoch++;
        for (String key : writeVersionKeys) {
            pendingKeys.add(key);
        }
    }

    /** Takes the keys owed to the store, at commit (or whenever the transaction's effects became visible). */
    String[] drainPending() {
        epoch++;
        String[] keys = pendingKeys.toArray(String[]::new);
        pendingKeys.clear();
        return keys;
    }

    /** A rollback: nothing the transaction wrote became visible to anyone. */
    void rolledBack() {
        epoch++;
        pendingKeys.clear();
        sqlTransaction = false;
        transactionIsolationUnknown = false;
    }

    void committed() {
        sqlTransaction = false;
        transactionIsolationUnknown = false;
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
