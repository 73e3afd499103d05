package dev.sqlcache.internal.store;

/**
 * The shared store behind the cache: Redis in production, an in-process map for a single JVM.
 *
 * <p>Entries are opaque bytes. Consistency rests on <em>version tokens</em>: one small key per database table
 * (and one per database) whose value changes on every write. A reader fetches the entry and the current tokens in
 * one round trip; an entry is only valid when the tokens stored inside it equal the current ones. Tokens are
 * random, never counters, so a token that was evicted or lost and then recreated can never match an old entry.
 *
 * <p>Every method may throw {@link CacheStoreException}; callers treat that as "cache unavailable" and go to the
 * database. Implementations are thread-safe.
 */
public interface CacheStore extends AutoCloseable {

    /**
     * Reads an entry and the current value of each version key in one round trip.
     *
     * @return the entry (or {@code null}) and one token per version key ({@code null} where the key is missing)
     */
    Lookup lookup(String entryKey, String[] versionKeys);

    /**
     * Gives every missing version key a fresh token (set-if-absent) and returns the current token of each key.
     */
    String[] initVersions(String[] versionKeys);

    /**
     * Stores an entry with a time to live, but only if every version key still holds the expected token; a
     * result computed before a write must not overwrite anything after that write.
     *
     * @return whether the entry was stored
     */
    boolean putIfVersions(String entryKey, byte[] value, long ttlSeconds, String[] versionKeys, String[] expectedTokens);

    /** Replaces the token of every key with a fresh one, making every entry tagged with the old tokens invalid. */
    void bumpVersions(String[] versionKeys);

    /**
     * Marks tables as being written, before the write runs: each key gets a fresh <em>lease</em> token (see
     * {@link #isLease}) that expires after {@code leaseMillis}. While a key holds a lease, readers in every JVM
     * neither serve nor store entries of that table, so a lost confirmation after the commit can never let an old
     * answer back; at worst the table is not cached until the lease expires.
     *
     * @param leaseTokens the lease token for each key, made by the caller ({@link VersionTokens#freshLease}) so that
     *                    it can end a lease that landed even when the answer to this call was lost
     */
    void leaseVersions(String[] versionKeys, String[] leaseTokens, long leaseMillis);

    /** {@link #leaseVersions(String[], String[], long)} with fresh tokens, which it returns. */
    default String[] leaseVersions(String[] versionKeys, long leaseMillis) {
        String[] tokens = new String[versionKeys.length];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = VersionTokens.freshLease();
        }
        leaseVersions(versionKeys, tokens, leaseMillis);
        return tokens;
    }

    /**
     * Ends the leases of a write that has committed or rolled back: each key gets a fresh ordinary token, except a
     * key that meanwhile holds another write's lease (that write will end it).
     *
     * @param leaseTokens the tokens {@link #leaseVersions} returned, one per key
     */
    void endLeases(String[] versionKeys, String[] leaseTokens);

    /** Prefix of lease tokens. */
    String LEASE_PREFIX = "lease:";

    /** Whether a version token is a write's lease rather than an ordinary version. */
    static boolean isLease(String token) {
        return token != null && token.startsWith(LEASE_PREFIX);
    }

    /**
     * The version key every cached entry also depends on. It exists only while every JVM that joined the store
     * keeps renewing its membership: when one stops (it crashed, or it is cut off from the store and so cannot
     * invalidate what it writes), the key disappears, readers in every JVM stop using the cache, and when it comes
     * back it has a fresh token, so nothing stored before can match again. Readers never create it.
     */
    String FENCE_KEY = "sql:_members:fence";

    /** The sorted set of members, each scored by the store-clock time its membership lapses. */
    String MEMBERS_KEY = "sql:_members";

    /** Prefix of the short-lived keys that admit one join each ({@link #joinTicket}). */
    String TICKET_PREFIX = "sql:_members:ticket:";

    /**
     * Issues a ticket that admits one join within {@code ticketMillis} (store clock). A join sent without one, or
     * delivered late (after a freeze), is refused: so a JVM whose join went unanswered knows the latest moment it
     * may have become a member, and can bound its membership as it bounds a renewal.
     */
    void joinTicket(String ticket, long ticketMillis);

    /**
     * Renews (or, with {@code joinTicket}, starts) a JVM's membership for {@code memberMillis} from now, store clock.
     * Members lapsed for longer than {@code fenceMillis} are dropped (their writes can no longer be told apart from
     * anyone's, so the fence comes back with a fresh token). Keeps {@link #FENCE_KEY} alive exactly until the
     * earliest membership lapses, or deletes it while a lapsed member remains. Renewing never revives a lapsed
     * membership, so a renewal delivered late cannot prolong it. Also reports what the member must remember to
     * survive the store losing its data: the set's epoch and every member with its lapse time.
     *
     * @param joinTicket      null to renew; a ticket from {@link #joinTicket} to join (consumed)
     * @param notAfter        for a renewal, the store-clock time (ms) the membership may not outlast, as the member
     *                        derived it from a renewal that was answered ({@link #NO_CAP} for none): however many
     *                        unanswered renewals land late, each one while the membership is still alive, none
     *                        takes it past that moment
     * @param rememberedEpoch the epoch of the last renewal this member saw answered, or "" for none: when the set
     *                        has another epoch (or none), the store lost the set, nothing is changed and the answer
     *                        is {@link Renewal#RESTORE}; the member then puts back what it remembers
     *                        ({@link #restoreMembers}) so that a member cut off during the loss is not forgotten
     */
    Renewal renew(String member, String joinTicket, long memberMillis, long fenceMillis, long notAfter,
                  String rememberedEpoch);

    /**
     * Puts remembered members back with their lapse times (never over a newer entry) after the store lost the
     * set, and takes the fence down (what it guarded may be lost with the data; it comes back fresh).
     *
     * @return the set's epoch from now on
     */
    String restoreMembers(String epoch, java.util.Map<String, Long> members);

    /**
     * How many times the store found its idle connections dead and reconnected. The server may have restarted and
     * lost, or restored from an older snapshot, writes it had acknowledged; answers are trusted again only after a
     * membership renewal has run since.
     */
    default long reconnects() {
        return 0;
    }

    /**
     * What a renewal answered.
     *
     * @param at      the store-clock time (ms) it ran, when the member is alive afterwards; {@link #LAPSED} when
     *                the membership had lapsed or was dropped, or the ticket had expired (the member must deliver
     *                what it owes and join again); {@link #RESTORE} when the set must be put back first
     * @param epoch   the set's epoch (remember it)
     * @param members every member and its lapse time (remember them)
     */
    record Renewal(long at, String epoch, java.util.Map<String, Long> members) {
        /** The membership had lapsed or was dropped, or the join ticket had expired: join again. */
        public static final long LAPSED = -1;
        /** The store lost the set since the member's last renewal: restore it, then renew. */
        public static final long RESTORE = -2;

        public boolean alive() {
            return at >= 0;
        }
    }

    /** No cap on a renewal ({@link #renew}). */
    long NO_CAP = 0;

    /** Ends a membership on a clean shutdown, so that leaving does not fence the others. */
    void leaveMembership(String member);

    /** Deletes every key matching a glob pattern (administration only: it scans). Returns how many were deleted. */
    long deleteMatching(String pattern);

    /** Whether the store answers right now. Never throws. */
    boolean ping();

    /** A description for logs: kind and address, never a password. */
    String describe();

    @Override
    void close();

    /** The result of {@link #lookup}. */
    record Lookup(byte[] entry, String[] versions) {
    }
}
