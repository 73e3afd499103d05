package dev.sqlcache.internal.guard;

import dev.sqlcache.internal.store.CacheStore;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Invalidations this JVM could not deliver: version keys owed a fresh token, each with the lease it must also end.
 * Until they are delivered this JVM neither reads nor fills the cache, and its membership lapses (it neither
 * renews nor joins), so no JVM serves what they should hide.
 */
public final class OwedInvalidations {

    /**
     * An owed key: the sequence number of its latest failure, the lease it must also end (null for none) and how
     * long its fresh token lives (0: no expiry). Compared by identity: a key owed again keeps its newer entry.
     */
    private static final class Owed {
        final long sequence;
        final String leaseToken;
        final long ttlMillis;

        Owed(long sequence, String leaseToken, long ttlMillis) {
            this.sequence = sequence;
            this.leaseToken = leaseToken;
            this.ttlMillis = ttlMillis;
        }
    }

    private final ConcurrentHashMap<String, Owed> owed = new ConcurrentHashMap<>();
    private final AtomicLong sequence = new AtomicLong();

    /** Records keys whose invalidation failed; a key owed again while being delivered keeps its newer failure. */
    public void owe(String[] versionKeys, String[] leaseTokens, long[] ttlMillis) {
        long number = sequence.incrementAndGet();
        for (int i = 0; i < versionKeys.length; i++) {
            owed.put(versionKeys[i], new Owed(number, leaseTokens == null ? null : leaseTokens[i],
                    ttlMillis == null ? 0 : ttlMillis[i]));
        }
    }

    public boolean isEmpty() {
        return owed.isEmpty();
    }

    /** How many version keys are owed now. */
    public int size() {
        return owed.size();
    }

    /**
     * Delivers everything owed in one call; throws what the store throws. Only what was sent is forgotten: a key
     * that failed again meanwhile (a newer sequence) stays owed.
     */
    void deliver(CacheStore store) {
        Map<String, Owed> sent = Map.copyOf(owed);
        if (sent.isEmpty()) {
            return;
        }
        String[] keys = sent.keySet().toArray(String[]::new);
        String[] leases = new String[keys.length];
        long[] ttls = new long[keys.length];
        for (int i = 0; i < keys.length; i++) {
            leases[i] = sent.get(keys[i]).leaseToken;
            ttls[i] = sent.get(keys[i]).ttlMillis;
        }
        store.endLeases(keys, leases, ttls);
        sent.forEach(owed::remove);
    }
}
