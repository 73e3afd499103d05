package dev.sqlcache.internal.store;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.sqlcache.internal.membership.InMemoryMembershipStore;
import dev.sqlcache.internal.membership.MembershipStore;
import dev.sqlcache.internal.time.Clock;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A {@link CacheStore} inside this JVM: correct only when every write to the database goes through this JVM.
 * Entries live in a Caffeine cache bounded by their total size in bytes, each with its own time to live; version
 * tokens live in a map and are never evicted (one per table, so few).
 *
 * <p>Consistency: {@link #putIfVersions} and {@link #bumpVersions} run under one lock, so a put can never slip in
 * between a bump's check and write. {@link #lookup} reads the entry first and the tokens after, without the lock:
 * an entry is stored only together with the tokens current at that time, and a bump replaces them with fresh random
 * ones, so tokens read later that still equal the entry's prove no bump happened in between.
 */
public final class InMemoryCacheStore implements CacheStore {

    /** Bookkeeping per entry beyond its bytes, so that many tiny entries still count against the bound. */
    private static final int ENTRY_OVERHEAD_BYTES = 64;

    private final Cache<String, Entry> entries;
    private final ConcurrentHashMap<String, String> versions = new ConcurrentHashMap<>();
    private final Object writeLock = new Object();
    /**
     * Expiry (clock nanos) of the version keys that have one: a lease (the last live holder's) and the fence.
     */
    private final ConcurrentHashMap<String, Long> deadlines = new ConcurrentHashMap<>();
    /** Live lease tokens per version key with their expiry, so one write ending never uncovers another. */
    private final Map<String, Map<String, Long>> holders = new HashMap<>();
    private final Clock clock;
    /** The clock's reading when the store opened, and the wall time then: the store's clock runs from there. */
    private final long originNanos;
    private final long originMillis = System.currentTimeMillis();
    private final InMemoryMembershipStore membership;
    private final dev.sqlcache.internal.feed.InMemoryFeedStore feed;

    private record Entry(byte[] value, long ttlNanos) {
    }

    /** @param maxTotalBytes the bound on all entries together (keys and values) */
    public InMemoryCacheStore(long maxTotalBytes) {
        this(maxTotalBytes, Clock.SYSTEM);
    }

    /** With a clock a test controls: expiries, leases and memberships all follow it. */
    public InMemoryCacheStore(long maxTotalBytes, Clock clock) {
        if (maxTotalBytes <= 0) {
            throw new IllegalArgumentException("maxTotalBytes must be positive, was " + maxTotalBytes);
        }
        this.clock = clock;
        this.originNanos = clock.nanoTime();
        this.membership = new InMemoryMembershipStore(new Keyspace());
        this.feed = new dev.sqlcache.internal.feed.InMemoryFeedStore(new Keyspace());
        this.entries = Caffeine.newBuilder()
                .maximumWeight(maxTotalBytes)
                .weigher((String key, Entry entry) -> (int) Math.min(Integer.MAX_VALUE,
                        2L * key.length() + entry.value().length + ENTRY_OVERHEAD_BYTES))
                .expireAfter(new PerEntryTtl())
                .ticker(clock::nanoTime)
                // Maintenance (eviction) on the calling thread: cheap here, and the bound holds deterministically.
                .executor(Runnable::run)
                .build();
    }

    @Override
    public Lookup lookup(String entryKey, String[] versionKeys, long[] creation, int maxEntryBytes) {
        Entry entry = entries.getIfPresent(entryKey);
        String[] current = new String[versionKeys.length];
        for (int i = 0; i < versionKeys.length; i++) {
            current[i] = version(versionKeys[i]);
            if (current[i] == null && creation[i] != NEVER_CREATE) {
                current[i] = create(versionKeys[i], creation[i]);
            }
        }
        if (entry != null && entry.value().length > maxEntryBytes) {
            return new Lookup(null, current, entry.value().length);
        }
        return new Lookup(entry == null ? null : entry.value(), current);
    }

    /** Creates a missing token (or returns the one another thread created first). */
    private String create(String key, long ttlMillis) {
        synchronized (writeLock) {
            String existing = version(key);
            if (existing != null) {
                return existing;
            }
            // A write sequence starts ordered, as the lookup script makes it ('<epoch>:<n>').
            String token = CacheStore.isSequence(key) ? VersionTokens.fresh() + ":1" : VersionTokens.fresh();
            versions.put(key, token);
            expireAfter(key, ttlMillis);
            return token;
        }
    }

    /** Gives a key a time to live ({@link #NO_EXPIRY}: none). Caller holds the write lock. */
    private void expireAfter(String key, long ttlMillis) {
        if (ttlMillis > 0) {
            deadlines.put(key, clock.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ttlMillis));
        } else {
            deadlines.remove(key);
        }
    }

    @Override
    public String[] initVersions(String[] versionKeys) {
        String[] current = new String[versionKeys.length];
        for (int i = 0; i < versionKeys.length; i++) {
            version(versionKeys[i]);
            current[i] = versions.computeIfAbsent(versionKeys[i], key -> VersionTokens.fresh());
        }
        return current;
    }

    @Override
    public boolean putIfVersions(String entryKey, byte[] value, long ttlSeconds, String[] versionKeys,
                                 String[] expectedTokens) {
        PutArguments.check(value, ttlSeconds, versionKeys, expectedTokens);
        // Copied like Redis would: the caller may reuse its buffer.
        Entry entry = new Entry(Arrays.copyOf(value, value.length), TimeUnit.SECONDS.toNanos(ttlSeconds));
        synchronized (writeLock) {
            for (int i = 0; i < versionKeys.length; i++) {
                if (!expectedTokens[i].equals(version(versionKeys[i]))) {
                    return false;
                }
            }
            entries.put(entryKey, entry);
            return true;
        }
    }

    @Override
    public void leaseVersions(String[] versionKeys, String[] leases, long leaseMillis) {
        long now = clock.nanoTime();
        long deadline = now + TimeUnit.MILLISECONDS.toNanos(Math.max(1, leaseMillis));
        synchronized (writeLock) {
            for (int i = 0; i < versionKeys.length; i++) {
                if (CacheStore.isSequence(versionKeys[i])) {
                    advance(versionKeys[i]);
                    continue;
                }
                Map<String, Long> live = liveHolders(versionKeys[i], now);
                live.put(leases[i], deadline);
                versions.put(versionKeys[i], leases[i]);
                deadlines.put(versionKeys[i], Collections.max(live.values()));
            }
        }
    }

    @Override
    public void endLeases(String[] versionKeys, String[] leaseTokens, long[] ttlMillis) {
        long now = clock.nanoTime();
        synchronized (writeLock) {
            for (int i = 0; i < versionKeys.length; i++) {
                String key = versionKeys[i];
                if (CacheStore.isSequence(key)) {
                    advance(key);
                    continue;
                }
                Map<String, Long> live = liveHolders(key, now);
                if (leaseTokens != null && leaseTokens[i] != null) {
                    live.remove(leaseTokens[i]);
                }
                if (live.isEmpty()) {
                    holders.remove(key);
                    versions.put(key, VersionTokens.fresh());
                    expireAfter(key, ttlMillis == null ? NO_EXPIRY : ttlMillis[i]);
                } else {
                    // Another write is still in flight: a new lease value, until the last one expires.
                    versions.put(key, VersionTokens.freshLease());
                    deadlines.put(key, Collections.max(live.values()));
                }
            }
        }
    }

    /** A write sequence's next value, as the lease scripts make it (caller holds the write lock). */
    private void advance(String key) {
        String current = version(key);
        int colon = current == null ? -1 : current.lastIndexOf(':');
        long n = -1;
        if (colon > 0) {
            try {
                n = Long.parseLong(current.substring(colon + 1));
            } catch (NumberFormatException e) {
                n = -1;
            }
        }
        versions.put(key, n < 0 ? VersionTokens.fresh() + ":1" : current.substring(0, colon) + ":" + (n + 1));
    }

    /** The unexpired leases of a key (caller holds the write lock). */
    private Map<String, Long> liveHolders(String key, long now) {
        Map<String, Long> live = holders.computeIfAbsent(key, k -> new HashMap<>());
        live.values().removeIf(deadline -> now - deadline >= 0);
        return live;
    }

    /** The current token of a key; an expired one (a lease, the fence) counts as none, as in Redis. */
    private String version(String key) {
        String token = versions.get(key);
        Long deadline = deadlines.get(key);
        if (token != null && deadline != null && clock.nanoTime() - deadline >= 0) {
            synchronized (writeLock) {
                Long current = deadlines.get(key);
                if (current != null && clock.nanoTime() - current >= 0) {
                    versions.remove(key);
                    deadlines.remove(key);
                }
            }
            return versions.get(key);
        }
        return token;
    }

    @Override
    public MembershipStore membership() {
        return membership;
    }

    @Override
    public dev.sqlcache.internal.feed.FeedStore feed() {
        return feed;
    }

    /** For tests: the membership with the operations only an in-process store offers (losing the set). */
    public InMemoryMembershipStore inMemoryMembership() {
        return membership;
    }

    /** The fence lives among the version keys; the membership store reaches them through this. */
    private final class Keyspace implements InMemoryMembershipStore.Keyspace {
        @Override
        public String get(String key) {
            return version(key);
        }

        @Override
        public void set(String key, String value, long deadlineMillis) {
            versions.put(key, value);
            expire(key, deadlineMillis);
        }

        @Override
        public void expire(String key, long deadlineMillis) {
            if (deadlineMillis == 0) {
                deadlines.remove(key);
            } else if (versions.containsKey(key)) {
                deadlines.put(key, clock.nanoTime() + TimeUnit.MILLISECONDS.toNanos(deadlineMillis - nowMillis()));
            }
        }

        @Override
        public void delete(String key) {
            versions.remove(key);
            deadlines.remove(key);
        }

        @Override
        public long nowMillis() {
            return originMillis + TimeUnit.NANOSECONDS.toMillis(clock.nanoTime() - originNanos);
        }

        @Override
        public Object lock() {
            return writeLock;
        }
    }

    @Override
    public long deleteMatching(String pattern) {
        Pattern regex = GlobPattern.compile(pattern);
        long deleted = 0;
        synchronized (writeLock) {
            for (String key : entries.asMap().keySet()) {
                if (regex.matcher(key).matches() && entries.asMap().remove(key) != null) {
                    deleted++;
                }
            }
            for (String key : versions.keySet()) {
                if (regex.matcher(key).matches() && versions.remove(key) != null) {
                    deadlines.remove(key);
                    deleted++;
                }
            }
        }
        return deleted;
    }

    @Override
    public boolean ping() {
        return true;
    }

    @Override
    public String describe() {
        return "memory (this JVM only)";
    }

    @Override
    public void close() {
        entries.invalidateAll();
        synchronized (writeLock) {
            versions.clear();
            deadlines.clear();
            holders.clear();
        }
        membership.forget();
    }

    /** The time left before an entry expires, for tests; empty when absent. */
    OptionalLong expiresAfterSeconds(String entryKey) {
        return entries.policy().expireVariably().orElseThrow().getExpiresAfter(entryKey, TimeUnit.SECONDS);
    }

    /** Each entry lives for its own TTL from its last write; reads do not extend it, as in Redis. */
    private static final class PerEntryTtl implements Expiry<String, Entry> {
        @Override
        public long expireAfterCreate(String key, Entry entry, long currentTime) {
            return entry.ttlNanos();
        }

        @Override
        public long expireAfterUpdate(String key, Entry entry, long currentTime, long currentDuration) {
            return entry.ttlNanos();
        }

        @Override
        public long expireAfterRead(String key, Entry entry, long currentTime, long currentDuration) {
            return currentDuration;
        }
    }
}
