package dev.sqlcache.internal.codec;

/**
 * A cache entry that is corrupt, truncated, foreign or written by another format version. The engine treats it
 * as a miss; the codec never returns data from such an entry.
 */
public class CorruptEntryException extends RuntimeException {
    public CorruptEntryException(String message) {
        super(message);
    }

    public CorruptEntryException(String message, Throwable cause) {
        super(message, cause);
    }
}
