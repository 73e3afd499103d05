package dev.sqlcache.internal.engine;

/**
 * A write in progress: the version keys it leased before it ran, until its leases end.
 *
 * @param keys          every version key the write may change
 * @param leaseTokens   the leases taken for an auto-commit write ({@code null} inside a transaction, which keeps
 *                      its leases itself, or when the store could not be reached)
 * @param inTransaction whether the write runs inside a transaction, whose commit ends the leases
 * @param ddl           whether it is DDL, which commits implicitly outside PostgreSQL
 * @param leaseNanos    what placing its leases took on the caller's thread (0 when it placed none)
 * @param acknowledged  whether its lease script ran and every near cache acknowledged it before the write ran
 *                      (auto-commit only: then its end need tell nobody while its leases stood, CacheWrites.endWrite)
 * @param runs          with {@code acknowledged}: per key, the held run its lease answered (or null)
 * @param ownLeased     the keys registered in the engine's {@link OwnLeases} before the lease was sent (auto-commit
 *                      only; the write sequence, which every read names and no write leases, left out), undone when
 *                      the write's end has returned; {@code null} when none were
 */
record WriteTicket(String[] keys, String[] leaseTokens, boolean inTransaction, boolean ddl, long leaseNanos,
                   boolean acknowledged, String[] runs, String[] ownLeased) {

    WriteTicket(String[] keys, String[] leaseTokens, boolean inTransaction, boolean ddl, long leaseNanos) {
        this(keys, leaseTokens, inTransaction, ddl, leaseNanos, false, null, null);
    }
}
