package dev.sqlcache.internal.engine;

import dev.sqlcache.internal.codec.CachedResult;
import dev.sqlcache.internal.codec.ResultCodec;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Results on their way to the store. A missed result is stored off the caller's thread, so the next read of the
 * same query in this JVM may look up before the store has landed; it is then served from here, but only when the
 * tokens it just read are exactly those the result was computed under (no write's lease or bump since), which is
 * what a hit from the store requires too. Bounded by the writer's queue: each entry leaves when its store ends.
 */
final class PendingStores {

    /** Compared by identity: a newer result for the same key must not be dropped by an older one's end. */
    private static final class Pending {
        final String[] tokens;
        final CachedResult result;
        /** The capture's estimate of its encoded size: the weight of a near copy made from it. */
        final int estimatedBytes;
        /** Set when its encoding turned out over the limit: no near copy is made from it any more. */
        volatile boolean refused;

        Pending(String[] tokens, CachedResult result, int estimatedBytes) {
            this.tokens = tokens;
            this.result = result;
            this.estimatedBytes = estimatedBytes;
        }
    }

    private final ConcurrentHashMap<String, Pending> pending = new ConcurrentHashMap<>();

    /** Remembers a result until {@link #landed} (or dropped). */
    Object add(String key, String[] tokens, CachedResult result, long estimatedBytes) {
        Pending entry = new Pending(tokens, result, (int) Math.min(Integer.MAX_VALUE, estimatedBytes));
        pending.put(key, entry);
        return entry;
    }

    /** The store ended (stored, refused or dropped): forget it unless a newer one replaced it. */
    void landed(String key, Object entry) {
        pending.remove(key, entry);
    }

    /**
     * What is pending for a key, taken <em>before</em> the lookup: a store that lands between the lookup and a later
     * look here would leave neither the store's answer nor this one.
     */
    Object pending(String key) {
        return pending.get(key);
    }

    /**
     * A pending result taken by {@link #pending}, if computed under exactly the tokens the lookup just read, but
     * the one at {@code ignoredIndex}, which has to pass {@code recordedCheck} instead (anything, when null).
     */
    static CachedResult ifCurrent(Object taken, String[] currentTokens, int ignoredIndex,
                                  java.util.function.Predicate<String> recordedCheck) {
        return taken instanceof Pending entry && ResultCodec.sameTokens(entry.tokens, currentTokens, ignoredIndex)
                && (recordedCheck == null || recordedCheck.test(entry.tokens[ignoredIndex])) ? entry.result : null;
    }

    /**
     * The weight for a near copy of a pending result taken by {@link #pending} and found current, or -1 when no copy
     * may be made of it (its encoding was refused as too large).
     */
    static int copyBytes(Object taken) {
        return taken instanceof Pending entry && !entry.refused ? entry.estimatedBytes : -1;
    }

    /** Its encoding is over the limit: no near copy is made from it from now on. */
    static void refused(Object entry) {
        if (entry instanceof Pending pending) {
            pending.refused = true;
        }
    }
}
