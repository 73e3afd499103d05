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

        Pending(String[] tokens, CachedResult result) {
            this.tokens = tokens;
            this.result = result;
        }
    }

    private final ConcurrentHashMap<String, Pending> pending = new ConcurrentHashMap<>();

    /** Remembers a result until {@link #landed} (or dropped). */
    Object add(String key, String[] tokens, CachedResult result) {
        Pending entry = new Pending(tokens, result);
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
}
