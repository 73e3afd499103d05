package dev.sqlcache.internal.store;

/**
 * A lookup whose entry's node (on a Redis Cluster, the master of the entry's slot, not the control slot's) failed or
 * is in its back-off ({@link NodeBackoff}). Not a failure of the store: nothing correct depends on an entry's node
 * (docs/consistency.md, "When Redis is a Cluster", point 7), so the statement goes to the database and the store
 * stays in use for every other entry; the caller must not count it as an outage.
 */
public final class EntryNodeUnavailable extends RuntimeException {

    EntryNodeUnavailable(String message, Throwable cause) {
        super(message, cause, false, false);
    }
}
