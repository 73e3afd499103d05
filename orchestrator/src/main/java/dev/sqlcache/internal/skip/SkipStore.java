package dev.sqlcache.internal.skip;

/**
 * What the skip protocol keeps in the store, besides the lease a permit places on a table's version keys (which
 * goes through the ordinary lease and end scripts). Every operation is one script judged by the store's clock.
 */
public interface SkipStore {

    /**
     * How many JVMs have a live registration as cachers of the table whose cachers set this is, or
     * {@link #EVICTABLE} when the store may evict a permit's lease (a maxmemory with an evicting policy), or
     * {@link #LEASED} when one of the table's {@code tokenKeys} holds a lease already: no permit is asked for then.
     */
    long liveCachers(String cachersKey, String[] tokenKeys);

    /** What {@link #liveCachers} answers for a store that may evict keys with a time to live. */
    long EVICTABLE = -1;

    /**
     * What {@link #liveCachers} answers when the table's keys hold a lease already: a permit granted into it would
     * never be intact (its held run began over another token), so asking would only cost a lease and its end.
     */
    long LEASED = -2;

    /**
     * Registers this JVM as a cacher of each table whose cachers set is given, for {@code millis}.
     */
    void cache(String[] cachersKeys, String member, long millis);

    /**
     * Extends a permit's lease on the keys to {@code millis} from now if every key still holds it.
     *
     * @return whether the lease was intact (then it was extended), and how many cachers are live (one more when
     *         the store may now evict the lease: the permit is then given up)
     */
    Renewal renew(String cachersKey, String[] leasedKeys, String leaseToken, long millis);

    /**
     * Whether a permit's lease still holds every key ({@code renew}'s "intact", read only): asked by a skipping write
     * after its commit returned, before it returns to the application.
     *
     * @return false when the lease is gone from any key, and for any reply that is not a clear yes
     */
    boolean stands(String[] leasedKeys, String leaseToken);

    /** What a renewal found. */
    record Renewal(boolean intact, long liveCachers) {
    }
}
