package dev.sqlcache.stats;

/**
 * Why a statement went straight to the database without the cache. Every pass-through is counted under one
 * of these, so an operator can see what keeps the hit ratio down.
 */
public enum BypassReason {
    /** The statement is not a read (a write, DDL, transaction control, session statement). */
    NOT_A_READ,
    /** jOOQ's parser could not read the statement, so what it touches is unknown. */
    UNPARSEABLE,
    /** More than one statement in one string. */
    MULTIPLE_STATEMENTS,
    /** SELECT ... FOR UPDATE / FOR SHARE and similar: the read takes locks. */
    LOCKING_READ,
    /** A function whose result can change between two executions (now(), random(), nextval(), ...). */
    NON_DETERMINISTIC,
    /**
     * A function nothing is known about (user-defined, or a built-in with side effects such as {@code set_config}):
     * the read is not cached, and since the call may have written anything or changed the session, it invalidates
     * the database and gives the connection a private key space from then on.
     */
    UNKNOWN_FUNCTION,
    /** The query reads no table, so no write could ever invalidate it. */
    NO_TABLE,
    /** The query reads a system catalog (information_schema, pg_catalog, ...). */
    SYSTEM_CATALOG,
    /**
     * The query reads a view, a temporary table, or a relation the database's metadata does not show as a plain
     * table: writes to what lies beneath would not invalidate it.
     */
    NOT_A_PLAIN_TABLE,
    /** CallableStatement and CALL: the driver cannot see what a procedure reads. */
    CALLABLE,
    /** A result column type or value the codec cannot round-trip exactly (LOBs, arrays, ...). */
    UNSUPPORTED_TYPE,
    /** A bound parameter the key cannot represent exactly (streams, LOBs, unknown objects). */
    UNSUPPORTED_PARAMETER,
    /** The result exceeded the configured row or byte limit; it streamed through uncached. */
    TOO_LARGE,
    /** The transaction state forbids it: an isolation level above READ COMMITTED, a table written by this transaction, or state the driver does not model. */
    TRANSACTION_STATE,
    /** An updatable or otherwise special result set was requested. */
    RESULT_SET_MODE,
    /** Another write, in this or another JVM, holds a lease on a table the query reads: its commit is pending. */
    WRITE_IN_PROGRESS,
    /** Redis is unreachable, failing, or has invalidations still to catch up on. */
    CACHE_UNAVAILABLE,
    /**
     * A JVM sharing the store stopped renewing its membership without leaving (it crashed, or it is cut off from
     * Redis and cannot invalidate its writes): no JVM uses the cache until it joins again or
     * {@code sqlcache.fenceTimeout} has passed.
     */
    FENCED,
    /**
     * The database's change feed ({@code sqlcache.changeFeed}) has not applied its commits up to
     * {@code sqlcache.changeFeed.maxLag} ago (it is behind, stopped, or not started yet): writes made outside the
     * driver might not be invalidated yet, so nothing of that database is served or stored.
     */
    CHANGE_FEED_BEHIND,
    /**
     * The real driver runs with a setting under which its answers depend on more than the query: pgjdbc with
     * {@code binaryTransfer} on answers some getters differently once a statement has run prepareThreshold times.
     */
    DRIVER_SETTING,
    /** Caching is switched off by configuration. */
    DISABLED,
    /** The query reads a table pinned off by {@code sqlcache.tablePolicy}. */
    TABLE_POLICY,
    /**
     * The query reads a table listed in {@code sqlcache.exclude}: data that must never leave the database, so its
     * reads are never looked up or stored.
     */
    EXCLUDED_TABLE,
    /**
     * Measured not to pay: the statement is cheaper to run than to look up (a key lookup on a local database can
     * cost less than a Redis round trip), or its table's entries are rarely hit before a write invalidates them. It
     * goes to the database with no Redis round trip, and is tried again later.
     */
    NOT_WORTH_CACHING,
    /**
     * A missed result was not stored: the queue of results waiting for the store's writer thread was full (by
     * entries or by bytes), as when misses come faster than Redis takes their stores. Counted as rejected only.
     */
    STORE_QUEUE_FULL,
    /**
     * A query the cache could answer, called through a JDBC method it never answers: a prepared statement's
     * {@code executeQuery(String)}, {@code execute(String)} or {@code executeUpdate(String)} (JDBC forbids them, and
     * the driver's own answer, usually a failure, is what the application must get), {@code executeUpdate} of a
     * query, or a query asking for generated keys.
     */
    JDBC_METHOD,
    /**
     * A statement the cache answers, sent to the database now and then so that what the database takes for it is
     * measured again: one read in 64 or fewer (fewer the more a hit saves), never one of a table pinned on by
     * {@code sqlcache.tablePolicy}. A statement whose reads all hit would otherwise never be timed on the database
     * again, and an estimate taken in a cold JVM or a moment of load would keep it cached where it no longer pays.
     */
    MEASURING_DATABASE
}
