package dev.sqlcache.internal.codec;

import dev.sqlcache.stats.EntryRejection;

/**
 * A cache entry that is corrupt, truncated, foreign, unsigned or written by another format version. The engine
 * treats it as a miss; the codec never returns data from such an entry.
 */
public class CorruptEntryException extends RuntimeException {
    private final transient EntryRejection rejection;

    public CorruptEntryException(String message) {
        this(EntryRejection.CORRUPT, message);
    }

    /** @param rejection why, or {@code null} for an entry of an older format (a plain miss, nothing hostile) */
    public CorruptEntryException(EntryRejection rejection, String message) {
        super(message, null, false, false);
        this.rejection = rejection;
    }

    public CorruptEntryException(EntryRejection rejection, String message, Throwable cause) {
        super(message, cause, false, false);
        this.rejection = rejection;
    }

    /** Why the entry was refused; {@code null} when it is only of an older format. */
    public EntryRejection rejection() {
        return rejection;
    }
}
