package dev.sqlcache.internal.analysis;

/** The transaction-control statement a SQL text is, when it is one. */
public enum TransactionControl {
    BEGIN,
    /** BEGIN / START TRANSACTION that sets its own isolation level (or a consistent snapshot). */
    BEGIN_WITH_ISOLATION,
    COMMIT,
    /** COMMIT AND CHAIN: commits and starts a new transaction with the same characteristics. */
    COMMIT_AND_CHAIN,
    ROLLBACK,
    /** ROLLBACK AND CHAIN: rolls back and starts a new transaction with the same characteristics. */
    ROLLBACK_AND_CHAIN,
    SAVEPOINT,
    ROLLBACK_TO_SAVEPOINT,
    RELEASE_SAVEPOINT,
    /** SET TRANSACTION / SET SESSION CHARACTERISTICS: changes isolation or access mode. */
    SET_TRANSACTION
}
