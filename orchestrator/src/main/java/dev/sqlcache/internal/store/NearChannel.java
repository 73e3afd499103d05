package dev.sqlcache.internal.store;

/**
 * What near caches need from the shared store besides the lease scripts' notices: a subscription to those notices,
 * a renewable near lease whose renewal is confirmed through the same subscription, and acknowledgements a writer
 * can wait for. Every method but {@link #listen} and {@link #stopListening} may throw {@link CacheStoreException}.
 */
public interface NearChannel {

    /** Receives the notice channel's messages, in the order the store published them. */
    interface Listener {
        /** The subscription is live: from now on every message published is delivered. */
        void subscribed();

        void message(String channel, String message);
    }

    /**
     * Subscribes to the channels on a connection of its own and delivers their messages on the calling thread until
     * the connection fails or {@link #stopListening} is called; then returns (or throws).
     */
    void listen(Listener listener, String... channels);

    /** Ends a {@link #listen} in progress, from any thread. */
    void stopListening();

    /**
     * Renews a member's near lease for {@code leaseMillis} from now (store clock) and publishes its marker
     * ({@code "R\n<member>\n<nonce>\n<fence>"}) on the notice channel, after every notice published before it.
     */
    void renew(String member, long leaseMillis, String nonce);

    /**
     * Tells the writer of a notice that this member has dropped what it made stale: a message
     * {@code "<notice id>\n<member>"} on the writer's acknowledgement channel ({@link #acknowledgements}).
     */
    void acknowledge(String writer, String noticeId, String member);

    /** The channel a writer's acknowledgements arrive on. */
    static String acknowledgements(String writer) {
        return ACK_CHANNEL_PREFIX + writer;
    }

    /** The channel of notices and renewal markers. */
    String NOTICE_CHANNEL = "sql:_near:notices";

    /** Prefix of the writers' acknowledgement channels. */
    String ACK_CHANNEL_PREFIX = "sql:_near:acks:";

    /** The sorted set of near members, scored by when their near lease lapses (store clock). */
    String MEMBERS_KEY = "sql:_near:members";

    /** Whether any near member but this one holds a lease that has not lapsed. */
    boolean othersLive(String member);

    /** Ends a member's near lease at once (a clean shutdown): writers stop waiting for it. */
    void leave(String member);

    /**
     * Tells the near caches that these version keys changed outside the lease scripts (deleted because Redis was
     * full, or bumped by the admin tool).
     */
    CacheStore.Recipients notify(String[] versionKeys, CacheStore.Notice notice);
}
