package dev.sqlcache.internal.store;

import dev.sqlcache.internal.membership.MembershipStore;
import java.nio.charset.StandardCharsets;

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
     * Reads an entry and the current value of each version key in one round trip, creating missing version keys
     * as it goes (except those marked {@link #NEVER_CREATE}), so that the caller holds a token for every key before
     * its query runs.
     *
     * <p>An entry longer than {@code maxEntryBytes} is not transferred at all (the check runs where the value is,
     * in the same round trip): whatever sits under an entry key may be hostile, and a client that received a
     * 100 MB value would have allocated it before anything could refuse it.
     *
     * @param creation      per version key: {@link #NEVER_CREATE}, {@link #NO_EXPIRY}, or the milliseconds a
     *                      created token lives
     * @param maxEntryBytes the longest entry the caller reads
     * @return the entry (or {@code null}, with {@link Lookup#oversized()} set when it was too long) and one token per
     *         version key ({@code null} where missing and not created)
     */
    Lookup lookup(String entryKey, String[] versionKeys, long[] creation, int maxEntryBytes);

    /**
     * {@link #lookup(String, String[], long[], int)} for a caller that says whether it may keep a copy of what it
     * reads in process. The times to live a lookup reports only bound such a copy; a caller that keeps none spares
     * the store the commands that read them, and is told {@code 0} for both (no copy), so that a copy made by
     * mistake cannot live.
     *
     * @param keepsCopy whether a near cache may keep a copy of the entry (or of the result its miss will read)
     */
    default Lookup lookup(String entryKey, String[] versionKeys, long[] creation, int maxEntryBytes,
                          boolean keepsCopy) {
        return lookup(entryKey, versionKeys, creation, maxEntryBytes);
    }

    /**
     * {@link #lookup(String, String[], long[], int, boolean)} with the version keys' UTF-8 where the caller keeps it
     * ({@code encodedVersionKeys[i]} the bytes of {@code versionKeys[i]}, or {@code null} where it has none), so
     * that a store sending keys as bytes does not encode a statement's unchanging keys again on every lookup.
     */
    default Lookup lookup(String entryKey, String[] versionKeys, byte[][] encodedVersionKeys, long[] creation,
                          int maxEntryBytes, boolean keepsCopy) {
        return lookup(entryKey, versionKeys, creation, maxEntryBytes, keepsCopy);
    }

    /**
     * {@link #lookup(String, String[], byte[][], long[], int, boolean)} with the caller's guess of whether an entry
     * is there (its statement's last lookups found one). Only what the store sends may change with the guess, never
     * what it answers: a store that must ask apart whether a key is missing or holds an empty value may then read
     * first and ask only when the read came back empty.
     *
     * @param entryLikely whether the caller's recent lookups found an entry under their keys
     */
    default Lookup lookup(String entryKey, String[] versionKeys, byte[][] encodedVersionKeys, long[] creation,
                          int maxEntryBytes, boolean keepsCopy, boolean entryLikely) {
        return lookup(entryKey, versionKeys, encodedVersionKeys, creation, maxEntryBytes, keepsCopy);
    }

    /**
     * {@link #lookup(String, String[], byte[][], long[], int, boolean, boolean)} with the caller's guess of whether
     * a token it depends on is missing (its statement's last lookup had to create one, {@link Lookup#created()}). Only
     * what the store sends may change with the guess, never what it answers: a store that otherwise reads first and
     * creates in a second round trip may then create and read in one.
     *
     * @param tokenMissingLikely whether the caller's last lookup created a token
     */
    default Lookup lookup(String entryKey, String[] versionKeys, byte[][] encodedVersionKeys, long[] creation,
                          int maxEntryBytes, boolean keepsCopy, boolean entryLikely, boolean tokenMissingLikely) {
        return lookup(entryKey, versionKeys, encodedVersionKeys, creation, maxEntryBytes, keepsCopy, entryLikely);
    }

    /** {@link #lookup(String, String[], long[], int)} with no limit on the entry's length: for tests and tools. */
    default Lookup lookup(String entryKey, String[] versionKeys, long[] creation) {
        return lookup(entryKey, versionKeys, creation, Integer.MAX_VALUE);
    }

    /** {@link #lookup(String, String[], long[])} creating nothing. */
    default Lookup lookup(String entryKey, String[] versionKeys) {
        long[] creation = new long[versionKeys.length];
        java.util.Arrays.fill(creation, NEVER_CREATE);
        return lookup(entryKey, versionKeys, creation);
    }

    /** A version key a lookup must leave missing: the fence, which only membership renewals create. */
    long NEVER_CREATE = -1;

    /** A version key a lookup creates without expiry (a table's). */
    long NO_EXPIRY = 0;

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

    /**
     * Replaces the token of every key with a fresh one, making every entry tagged with the old tokens invalid; a key
     * under another write's lease stays leased (that write's end makes it fresh).
     */
    default void bumpVersions(String[] versionKeys) {
        endLeases(versionKeys, null, null);
    }

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
            tokens[i] = VersionTokens.freshLease(leaseMillis);
        }
        leaseVersions(versionKeys, tokens, leaseMillis);
        return tokens;
    }

    /**
     * Ends the leases of a write that has committed or rolled back: each key gets a fresh ordinary token, except a
     * key that meanwhile holds another write's lease (that write will end it).
     *
     * @param leaseTokens the tokens {@link #leaseVersions} returned, one per key ({@code null} entries, or a null
     *                    array, for keys this call ends no lease of: a bump)
     * @param ttlMillis   per key, how long its fresh token lives ({@link #NO_EXPIRY} or null for none)
     */
    void endLeases(String[] versionKeys, String[] leaseTokens, long[] ttlMillis);

    /** {@link #endLeases(String[], String[], long[])} with fresh tokens that do not expire. */
    default void endLeases(String[] versionKeys, String[] leaseTokens) {
        endLeases(versionKeys, leaseTokens, null);
    }

    /**
     * Prefix of a database's write sequence key, whose value is {@code <epoch>:<n>}. Passed among a write's version
     * keys, it is never leased: every lease and every end adds one to {@code n} (also the lease scripts' rule); a
     * missing key comes back under a new epoch. So two values of one epoch are ordered as the writes that made
     * them, and a reader that finds the same value twice knows that no write of that database began or ended in
     * between.
     */
    String SEQUENCE_PREFIX = "sql:_database:seq:";

    /** Whether a version key is a write sequence ({@link #SEQUENCE_PREFIX}). */
    static boolean isSequence(String versionKey) {
        return versionKey.startsWith(SEQUENCE_PREFIX);
    }

    /** Prefix of lease tokens. */
    String LEASE_PREFIX = "lease:";

    /** Whether a version token is a write's lease rather than an ordinary version. */
    static boolean isLease(String token) {
        return token != null && token.startsWith(LEASE_PREFIX);
    }

    /**
     * The membership of the JVMs sharing this store, kept in the same keyspace: its fence is a version key every
     * entry depends on.
     */
    MembershipStore membership();

    /** The change feed's lease and feed keys, in the same keyspace: entries of covered tables depend on the latter. */
    dev.sqlcache.internal.feed.FeedStore feed();

    /**
     * How many times the store found its idle connections dead and reconnected. The server may have restarted and
     * lost, or restored from an older snapshot, writes it had acknowledged; answers are trusted again only after a
     * membership renewal has run since.
     */
    default long reconnects() {
        return 0;
    }

    /** Deletes every key matching a glob pattern (administration only: it scans). Returns how many were deleted. */
    long deleteMatching(String pattern);

    /** Whether the store answers right now. Never throws. */
    boolean ping();

    /** A description for logs: kind and address, never a password. */
    String describe();

    @Override
    void close();

    /**
     * The result of {@link #lookup}: the entry, one token per version key, and how long a copy may live.
     *
     * <p>A store that reads the tokens as bytes may hand them over as they are ({@link #encodedVersions}): a hit
     * compares them with the entry's recorded tokens byte for byte and never needs them as text; {@link #versions()}
     * decodes them when first asked (a miss, a snapshot read), once. Not for sharing between threads.
     */
    final class Lookup {

        /** {@link #LEASE_PREFIX}'s UTF-8: what {@link #isLease} compares encoded tokens with. */
        private static final byte[] LEASE_PREFIX_BYTES = LEASE_PREFIX.getBytes(StandardCharsets.UTF_8);

        private final byte[] entry;
        private String[] versions;
        private final byte[][] encoded;
        private final long oversized;
        private final long entryTtlMillis;
        private final long versionsTtlMillis;
        /** Whether this lookup created one of its tokens: set by the store that made it, before handing it over. */
        private boolean created;

        /** @param oversized the length of an entry that was over the caller's limit and not transferred, else 0 */
        public Lookup(byte[] entry, String[] versions, long oversized, long entryTtlMillis, long versionsTtlMillis) {
            this(entry, versions, null, oversized, entryTtlMillis, versionsTtlMillis);
        }

        public Lookup(byte[] entry, String[] versions) {
            this(entry, versions, 0, UNKNOWN_TTL, UNKNOWN_TTL);
        }

        public Lookup(byte[] entry, String[] versions, long oversized) {
            this(entry, versions, oversized, UNKNOWN_TTL, UNKNOWN_TTL);
        }

        private Lookup(byte[] entry, String[] versions, byte[][] encoded, long oversized, long entryTtlMillis,
                       long versionsTtlMillis) {
            this.entry = entry;
            this.versions = versions;
            this.encoded = encoded;
            this.oversized = oversized;
            this.entryTtlMillis = entryTtlMillis;
            this.versionsTtlMillis = versionsTtlMillis;
        }

        /**
         * A lookup whose tokens are the UTF-8 bytes the store read ({@code null} where missing), decoded only if
         * {@link #versions()} is asked. The arrays are the lookup's from then on: nobody writes to them.
         */
        public static Lookup ofEncoded(byte[] entry, byte[][] encoded, long oversized, long entryTtlMillis,
                                       long versionsTtlMillis) {
            return new Lookup(entry, null, encoded, oversized, entryTtlMillis, versionsTtlMillis);
        }

        /** The entry's bytes, or {@code null} when there is none (or it was over the limit). */
        public byte[] entry() {
            return entry;
        }

        /** The tokens, one per version key, {@code null} where missing. Decoded on the first call if need be. */
        public String[] versions() {
            String[] known = versions;
            if (known == null) {
                known = new String[encoded.length];
                for (int i = 0; i < known.length; i++) {
                    known[i] = encoded[i] == null ? null : new String(encoded[i], StandardCharsets.UTF_8);
                }
                versions = known;
            }
            return known;
        }

        /**
         * The tokens as the store read them, UTF-8, {@code null} where missing; {@code null} when the store gave
         * them as text only ({@link #versions()}). Read them, never change them.
         */
        public byte[][] encodedVersions() {
            return encoded;
        }

        /** How many tokens: one per version key looked up. */
        public int tokenCount() {
            return encoded != null ? encoded.length : versions.length;
        }

        /** Whether the token at {@code index} is missing, without decoding any. */
        public boolean missing(int index) {
            return encoded != null ? encoded[index] == null : versions[index] == null;
        }

        /** {@link CacheStore#isLease} of the token at {@code index}, without decoding any. */
        public boolean isLease(int index) {
            if (encoded == null) {
                return CacheStore.isLease(versions[index]);
            }
            byte[] token = encoded[index];
            // The prefix is ASCII: its bytes start the token's UTF-8 exactly when its text starts the token's text.
            return token != null && token.length >= LEASE_PREFIX_BYTES.length
                    && java.util.Arrays.equals(token, 0, LEASE_PREFIX_BYTES.length, LEASE_PREFIX_BYTES, 0,
                            LEASE_PREFIX_BYTES.length);
        }

        /**
         * Whether the lookup had to create one of its tokens (a key read for the first time since it was lost or
         * made): such a lookup is never a hit, and its caller's next lookup likely creates one too (a statement
         * reading rows nobody read yet). A store that does not say answers {@code false}.
         */
        public boolean created() {
            return created;
        }

        /** This lookup, saying whether it created a token ({@link #created()}). */
        Lookup withCreated(boolean created) {
            this.created = created;
            return this;
        }

        /** The length of an entry that was over the caller's limit and not transferred, else 0. */
        public long oversized() {
            return oversized;
        }

        /** How long the entry has left in milliseconds, or {@link #UNKNOWN_TTL}. */
        public long entryTtlMillis() {
            return entryTtlMillis;
        }

        /** How long the version keys that expire unannounced have left, or {@link #UNKNOWN_TTL}. */
        public long versionsTtlMillis() {
            return versionsTtlMillis;
        }

        /**
         * How long a copy of what this lookup read may be kept: no longer than the entry, nor than any version key
         * but the fence has left (the change feed's key expires without notice); {@code fallback} when the store
         * does not say.
         */
        public long copyTtlMillis(long fallback) {
            long ttl = fallback;
            if (entryTtlMillis >= 0) {
                ttl = Math.min(ttl, entryTtlMillis);
            }
            if (versionsTtlMillis >= 0) {
                ttl = Math.min(ttl, versionsTtlMillis);
            }
            return ttl;
        }

        @Override
        public String toString() {
            return "Lookup[entry=" + (entry == null ? "none" : entry.length + " bytes") + ", versions="
                    + java.util.Arrays.toString(versions()) + ", oversized=" + oversized + ", entryTtlMillis="
                    + entryTtlMillis + ", versionsTtlMillis=" + versionsTtlMillis + "]";
        }
    }

    /** {@link Lookup#entryTtlMillis()} when the store does not say how long the entry (or a version key) has left. */
    long UNKNOWN_TTL = -1;

    // ---- near caches (see dev.sqlcache.internal.near): told of every token change, acknowledging what they saw

    /**
     * Who sends a change of tokens, so that near caches can acknowledge it to the writer waiting for them.
     *
     * @param writer the sending runtime's near member id ({@code ""} when nobody waits)
     * @param id     unique per change: names the list its acknowledgements go to
     * @param afterAcknowledgedLease the end of a write whose lease script ran and whose writer waited for every
     *               near cache it named before the write ran: the end tells nobody if each key still holds that
     *               write's own lease, or the held run its lease answered (end_leases.lua)
     * @param runs   with {@code afterAcknowledgedLease}: per key, the held run the lease answered
     *               ({@link Recipients#runs}), or null
     */
    record Notice(String writer, String id, boolean afterAcknowledgedLease, String[] runs) {
        public Notice(String writer, String id) {
            this(writer, id, false, null);
        }

        public Notice(String writer, String id, boolean afterAcknowledgedLease) {
            this(writer, id, afterAcknowledgedLease, null);
        }

        /** A change nobody waits for (a redelivered invalidation): near caches still drop what it makes stale. */
        public static Notice anonymous() {
            return new Notice("", VersionTokens.fresh());
        }
    }

    /**
     * The near caches that were live when a change of tokens ran: each must acknowledge its notice, or its near
     * lease must lapse, before the change counts as seen everywhere.
     *
     * @param storeMillis the store-clock time the change ran
     * @param members     the near members' ids
     * @param lapses      per member, the store-clock time its near lease lapses
     * @param runs        a lease's answer: per key, the held run the key is in after it ({@code ""}: none, the
     *                    key holds the write's own lease alone), which its end compares (lease.lua); else null
     */
    record Recipients(long storeMillis, String[] members, long[] lapses, String[] runs) {
        public Recipients(long storeMillis, String[] members, long[] lapses) {
            this(storeMillis, members, lapses, null);
        }

        /**
         * These recipients with a lease's held runs; none for {@link #UNKNOWN} and {@link #UNTOLD}, which are
         * compared by identity (their end then needs each key to hold its own lease, as before runs).
         */
        public Recipients withRuns(String[] runs) {
            return storeMillis < 0 ? this : new Recipients(storeMillis, members, lapses, runs);
        }

        public static final Recipients NONE = new Recipients(0, new String[0], new long[0]);
        /** The near members' set was missing (flushed, evicted): holders may exist that nobody knows of. */
        public static final Recipients UNKNOWN = new Recipients(-1, new String[0], new long[0]);
        /** Holders exist but could not be told (the notice could not be published): wait out their leases. */
        public static final Recipients UNTOLD = new Recipients(-2, new String[0], new long[0]);

        public boolean none() {
            return members.length == 0 && storeMillis >= 0;
        }
    }

    /**
     * {@link #leaseVersions(String[], String[], long)}, telling the near caches in the same round trip.
     *
     * @return the near caches that must acknowledge {@code notice}
     */
    default Recipients leaseVersions(String[] versionKeys, String[] leaseTokens, long leaseMillis, Notice notice) {
        leaseVersions(versionKeys, leaseTokens, leaseMillis);
        return Recipients.NONE;
    }

    /**
     * {@link #endLeases(String[], String[], long[])}, telling the near caches in the same round trip.
     *
     * @return the near caches that must acknowledge {@code notice}
     */
    default Recipients endLeases(String[] versionKeys, String[] leaseTokens, long[] ttlMillis, Notice notice) {
        endLeases(versionKeys, leaseTokens, ttlMillis);
        return Recipients.NONE;
    }

    /** The channel near caches listen on, or {@code null} when this store has none (the in-process store). */
    /** Where writes to tables nobody caches get their skip permits, or null when they cannot skip here. */
    default dev.sqlcache.internal.skip.SkipStore skips() {
        return null;
    }

    default NearChannel nearChannel() {
        return null;
    }
}
