package dev.sqlcache.analysis;

/** The transaction-control statement a SQL text is, when it is one. */
public enum TransactionControl {
    BEGIN,
    /** BEGIN / START TRANSACTION that sets its own isolation level (or a consistent snapshot). */
    BEGIN_WITH_ISOLATION,
    COMMIT,
    ROLLBACK,
    SAVEPOINT,
    ROLLBACK_TO_SAVEPOINT,
    RELEASE_SAVEPOINT,
    /** SET TRANSACTION / SET SESSION CHARACTERISTICS: changes isolation or access mode. */
    SET_TRANSACTION
}
