package dev.sqlcache.internal.feed;

/**
 * What a change feed keeps in the store next to the version keys: the lease that elects one consumer per database
 * among the JVMs sharing the store, and the feed key that entries of covered tables depend on. Every method may throw
 * {@link dev.sqlcache.internal.store.CacheStoreException}.
 */
public interface FeedStore {

    /** Prefix of the consumer leases, one per slot: {@code sql:_feed:lease:<slot>}. */
    String LEASE_PREFIX = "sql:_feed:lease:";

    /** Prefix of the feed keys, one per database: {@code sql:_feed:<database hash>}. */
    String FEED_KEY_PREFIX = "sql:_feed:";

    /**
     * Takes the lease when nobody holds it, or renews it when {@code candidate} does.
     *
     * @return whether {@code candidate} holds it for {@code millis} from now (the store's clock)
     */
    boolean holdLease(String leaseKey, String candidate, long millis);

    /** Gives the lease up if {@code holder} still has it, so another JVM takes over at once. */
    void releaseLease(String leaseKey, String holder);

    /** Who holds the lease now, or null. */
    String leaseHolder(String leaseKey);

    /**
     * Lets the feed key live {@code millis} from now: its token is kept while it lives, and a key that expired comes
     * back with a fresh token.
     *
     * @return whether the key was alive (false: entries stored before are now invalid)
     */
    boolean refreshFeedKey(String feedKey, long millis);
}
