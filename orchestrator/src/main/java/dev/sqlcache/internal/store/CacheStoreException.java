package dev.sqlcache.internal.store;

/** The cache store failed: unreachable, timed out, out of memory, or answered something unexpected. */
public class CacheStoreException extends RuntimeException {
    public CacheStoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public CacheStoreException(String message) {
        super(message);
    }
}
