package dev.sqlcache.internal.store;

/** The cache store failed: unreachable, timed out, out of memory, or answered something unexpected. */
public class CacheStoreException extends RuntimeException {

    private final transient Misconfiguration misconfiguration;

    public CacheStoreException(String message, Throwable cause) {
        this(message, cause, null);
    }

    public CacheStoreException(String message) {
        this(message, null, null);
    }

    /** A failure that will repeat until a setting changes ({@code misconfiguration} non-null). */
    public CacheStoreException(String message, Throwable cause, Misconfiguration misconfiguration) {
        super(message, cause);
        this.misconfiguration = misconfiguration;
    }

    /** What is misconfigured, when this failure says so; {@code null} for a failure that may pass. */
    public Misconfiguration misconfiguration() {
        return misconfiguration;
    }
}
