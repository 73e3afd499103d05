package dev.sqlcache.internal.analysis;

/** What a SQL statement does, as far as caching is concerned. */
public enum StatementKind {
    /** A query: SELECT, WITH ... SELECT, VALUES, TABLE. */
    SELECT,
    /** INSERT, including INSERT ... SELECT, upserts and INSERT ... RETURNING. */
    INSERT,
    UPDATE,
    DELETE,
    /** MERGE and its dialect variants. */
    MERGE,
    TRUNCATE,
    /** CREATE, ALTER, DROP, COMMENT, GRANT, REFRESH MATERIALIZED VIEW ... */
    DDL,
    /** CALL / EXECUTE of a procedure: what it reads and writes is unknown. */
    CALL,
    /** BEGIN, START TRANSACTION, COMMIT, ROLLBACK, SAVEPOINT, SET TRANSACTION ... */
    TRANSACTION_CONTROL,
    /** SET, USE, RESET, SET search_path, SET ROLE ...: changes session state. */
    SESSION,
    /** A statement known not to change data nor session state (EXPLAIN, SHOW, ...), never cached. */
    OTHER,
    /** Unparseable: nothing is known about it. */
    UNKNOWN;

    /** Whether statements of this kind change table data. */
    public boolean isWrite() {
        return switch (this) {
            case INSERT, UPDATE, DELETE, MERGE, TRUNCATE, DDL, CALL -> true;
            default -> false;
        };
    }
}
