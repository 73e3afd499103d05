package dev.sqlcache.internal.near;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Policy;
import dev.sqlcache.internal.codec.CachedResult;
import dev.sqlcache.internal.key.NearKey;
import dev.sqlcache.internal.store.CacheStore;
import dev.sqlcache.internal.time.Clock;

import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * This JVM's copies of entries it has recently served (L1), bounded by bytes, answering with no network call.
 *
 * <p>Why a copy can be trusted: every change of a version token anywhere is published to the near caches
 * ({@link NearMember}) and bumps a local <em>generation</em> of that key here (keys share {@link #STRIPES} counters
 * by hash: a collision only drops more than needed). A copy records the generations of its version keys as they
 * were <em>before</em> the lookup that found (or missed) it in the store, and is served only while they are all
 * unchanged: so a copy read from the store just before a write and put here just after that write's notice was
 * processed is dead on arrival. Everything here is also void outside the near lease: {@link #servesUntil} is
 * extended only when this JVM's subscription has provably delivered every notice published up to a recent moment;
 * the writers wait for this JVM's acknowledgement or for that lease to lapse. Thread-safe.
 */
public final class NearCache {

    /** Generation counters: a power of two. */
    static final int STRIPES = 1 << 16;
    /** Per entry, what it costs besides its encoded bytes (the key, the arrays, Caffeine's node). */
    private static final int OVERHEAD_BYTES = 256;
    /**
     * One served hit in this many (a power of two, drawn at random per thread) is told to Caffeine's eviction
     * policy; the others read the map quietly. A recorded read costs a CAS in Caffeine's read buffer and, every
     * sixteenth, draining it (a lock, the frequency sketch, the LRU queues) on the caller's thread: about half a near
     * hit's CPU in session 30's profile. The policy weighs relative frequency and recency, which a sample keeps.
     */
    static final int POLICY_SAMPLE = 16;

    private final AtomicLongArray generations = new AtomicLongArray(STRIPES);
    /** Bumped when everything goes: a lost subscription, a new fence. */
    private final AtomicLong epoch = new AtomicLong();
    /** By {@link NearKey} (compared in place, no hashing), or by entry key for executions it cannot compare. */
    private final Cache<Object, Copy> copies;
    /** {@link #copies}' policy view, for reads that do not touch its eviction order ({@link #POLICY_SAMPLE}). */
    private final Policy<Object, Copy> quiet;
    private final Clock clock;
    /** Until when ({@link Clock#nanoTime()}) copies may be served; moved only by {@link #servesUntil}. */
    private volatile long validUntilNanos;
    private volatile boolean serving;

    /**
     * What a read knew before it asked the store: the epoch and the generation of each of its version keys.
     */
    public static final class Tag {
        final long epoch;
        final String[] versionKeys;
        final int[] stripes;
        final long[] generations;
        /** What the copy is kept under: a {@link NearKey}, or null for its entry key. */
        final NearKey nearKey;

        private Tag(long epoch, String[] versionKeys, int[] stripes, long[] generations, NearKey nearKey) {
            this.epoch = epoch;
            this.versionKeys = versionKeys;
            this.stripes = stripes;
            this.generations = generations;
            this.nearKey = nearKey;
        }
    }

    /**
     * A copy: the result, its entry key, and the version keys it was read under, which a hit checks as they were
     * stored (a near key fixes them: the same layout and values give the same keys).
     */
    public static final class Copy {
        private final Object key;
        private final String entryKey;
        private final CachedResult result;
        private final Tag tag;
        private final long expiresAtNanos;
        /** What it counts against the byte bound. */
        private final int weight;
        /**
         * What the engine hands out for this copy (its immutable hit outcome), made by the first hit and shared by
         * the next ones, so that a near hit allocates nothing of its own. Typed {@code Object}: this package knows
         * nothing of the engine. Racy on purpose: two threads may each make one; the object is immutable (final
         * fields), so whichever is seen is complete.
         */
        private Object outcome;

        private Copy(Object key, String entryKey, CachedResult result, Tag tag, long expiresAtNanos, int weight) {
            this.key = key;
            this.entryKey = entryKey;
            this.result = result;
            this.tag = tag;
            this.expiresAtNanos = expiresAtNanos;
            this.weight = weight;
        }

        public CachedResult result() {
            return result;
        }

        /** The entry key in the store the copy was read from or stored under. */
        public String entryKey() {
            return entryKey;
        }

        /** The version keys it depends on (not to be modified). */
        public String[] versionKeys() {
            return tag.versionKeys;
        }

        /** The outcome an earlier hit made for this copy, or {@code null}. */
        public Object outcome() {
            return outcome;
        }

        /** Keeps the (immutable) outcome made for this copy for the hits after this one. */
        public void outcome(Object outcome) {
            this.outcome = outcome;
        }
    }

    public NearCache(long maxBytes, Clock clock) {
        this.clock = clock;
        // Maintenance on the caller's thread: no pool thread of the JVM's runs sqlcache's work (or pins its loader).
        this.copies = Caffeine.newBuilder().executor(Runnable::run).maximumWeight(maxBytes)
                .weigher((Object key, Copy copy) -> copy.weight).build();
        this.quiet = copies.policy();
    }

    /** Taken before the store is asked: see the class comment. */
    public Tag tag(String[] versionKeys) {
        return tag(versionKeys, null);
    }

    /**
     * {@link #tag(String[])} for a copy to be kept under {@code nearKey} (the execution's {@link NearKey}, or null
     * to keep it under its entry key).
     */
    public Tag tag(String[] versionKeys, NearKey nearKey) {
        int[] stripes = new int[versionKeys.length];
        long[] seen = new long[versionKeys.length];
        long at = epoch.get();
        for (int i = 0; i < versionKeys.length; i++) {
            stripes[i] = stripe(versionKeys[i]);
            seen[i] = generations.get(stripes[i]);
        }
        return new Tag(at, versionKeys, stripes, seen, nearKey);
    }

    /**
     * The copy of an entry, if this JVM may serve it now: inside the near lease, same epoch, the same version keys
     * with unchanged generations, not expired. {@code null} otherwise.
     */
    public CachedResult get(String key, String[] versionKeys) {
        Copy copy = copy(key, null);
        return copy != null && Arrays.equals(copy.tag.versionKeys, versionKeys) ? copy.result : null;
    }

    /**
     * The copy kept under a near key ({@link NearKey.Probe} bound to the execution), if this JVM may serve it now:
     * as {@link #get}, its version keys being those it was stored with. Allocates nothing. On a copy found, the
     * probe keeps the clock reading its lease and expiry were checked at ({@link NearKey.Probe#checkedAt()}): the
     * caller's statistics and policy take their time from it rather than reading the clock again.
     */
    public Copy get(NearKey.Probe key) {
        return copy(key, key);
    }

    /** @param checked told the clock reading of the checks when a copy is served, or null */
    private Copy copy(Object key, NearKey.Probe checked) {
        if (!serving) {
            return null;
        }
        Copy copy = quiet.getIfPresentQuietly(key);
        if (copy == null) {
            return null;
        }
        // Read after the copy was found and before its generations are: as strong as ever (docs/consistency.md).
        long now = clock.nanoTime();
        if (now - validUntilNanos >= 0) {
            return null;
        }
        Tag tag = copy.tag;
        if (now - copy.expiresAtNanos >= 0 || tag.epoch != epoch.get()) {
            drop(copy);
            return null;
        }
        for (int i = 0; i < tag.stripes.length; i++) {
            if (generations.get(tag.stripes[i]) != tag.generations[i]) {
                drop(copy);
                return null;
            }
        }
        if (checked != null) {
            checked.checkedAt(now);
        }
        if ((ThreadLocalRandom.current().nextInt() & (POLICY_SAMPLE - 1)) == 0) {
            // Under the copy's own key: compared by identity, the probe is not hashed again.
            copies.getIfPresent(copy.key);
        }
        return copy;
    }

    /**
     * Keeps a result read or computed under {@code tag} for at most {@code ttlMillis}; it is dead at once if any of
     * its version keys changed since the tag was taken. Kept under the tag's near key when it has one.
     *
     * @param bytes its encoded size, for the byte bound
     */
    public void put(String key, Tag tag, CachedResult result, int bytes, long ttlMillis) {
        if (ttlMillis <= 0 || tag.epoch != epoch.get()) {
            return;
        }
        for (int i = 0; i < tag.stripes.length; i++) {
            if (generations.get(tag.stripes[i]) != tag.generations[i]) {
                return;
            }
        }
        Object under = tag.nearKey != null ? tag.nearKey : key;
        long weight = (long) bytes + 2L * key.length() + 16L * tag.versionKeys.length + OVERHEAD_BYTES
                + (tag.nearKey != null ? tag.nearKey.weight() : 0);
        copies.put(under, new Copy(under, key, result, tag, clock.nanoTime() + ttlMillis * 1_000_000L,
                (int) Math.min(Integer.MAX_VALUE, weight)));
    }

    /** Drops the copy a result read under {@code tag} would be kept under, if any (one that must not be kept). */
    public void forget(String key, Tag tag) {
        copies.invalidate(tag.nearKey != null ? tag.nearKey : key);
    }

    /**
     * Drops every copy of the entry {@code entryKey}, whatever near key each is kept under: readers copy a result
     * under their own tag, which the one dropping it does not know (a miss that took none, a snapshot read). A walk
     * over the copies, for a rare event only (a result refused as too large once encoded), never a read's path.
     */
    public void forgetEntry(String entryKey) {
        copies.asMap().values().removeIf(copy -> copy.entryKey.equals(entryKey));
    }

    private void drop(Copy copy) {
        copies.asMap().remove(copy.key, copy);
    }

    /** The key of a notice that drops every copy (a flush, or keys a notice cannot carry). */
    public static final String EVERYTHING = "*";

    /** Version keys changed: copies that depend on them die; {@link #EVERYTHING} among them drops every copy. */
    public void invalidate(Iterable<String> versionKeys) {
        for (String key : versionKeys) {
            if (key.equals(EVERYTHING)) {
                clear();
                return;
            }
        }
        for (String key : versionKeys) {
            if (!CacheStore.isSequence(key)) {
                generations.incrementAndGet(stripe(key));
            }
        }
    }

    /** {@link #invalidate(Iterable)} for an array. */
    public void invalidate(String[] versionKeys) {
        invalidate(Arrays.asList(versionKeys));
    }

    /** Every copy dies (the subscription was lost, the fence changed). */
    public void clear() {
        epoch.incrementAndGet();
        copies.invalidateAll();
    }

    /** Copies may be served until then ({@link Clock#nanoTime()}), no longer. */
    void servesUntil(long nanos) {
        validUntilNanos = nanos;
        serving = true;
    }

    /** No copy is served until the next {@link #servesUntil}. */
    void stopServing() {
        serving = false;
        validUntilNanos = clock.nanoTime();
    }

    /** Whether copies may be served right now (for health and tests). */
    public boolean serving() {
        return serving && clock.nanoTime() - validUntilNanos < 0;
    }

    /** How many copies are held (approximate). */
    public long size() {
        return copies.estimatedSize();
    }

    /** The key of the copy the byte bound would evict first (for tests of what the policy is told). */
    Object coldest() {
        copies.cleanUp();
        return quiet.eviction().orElseThrow().coldest(1).keySet().stream().findFirst().orElse(null);
    }

    static int stripe(String key) {
        int h = key.hashCode() * 0x9E3779B9;
        return (h ^ (h >>> 16)) & (STRIPES - 1);
    }
}
