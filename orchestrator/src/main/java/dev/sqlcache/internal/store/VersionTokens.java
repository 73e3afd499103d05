package dev.sqlcache.internal.store;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Fresh version tokens: 128 random bits as 32 hex digits. Never counters: a version key that was evicted or lost
 * and then recreated must not be able to take a value that an old entry was tagged with.
 */
public final class VersionTokens {

    private VersionTokens() {
    }

    /** A new token, unique with overwhelming probability. */
    public static String fresh() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return hex16(random.nextLong()) + hex16(random.nextLong());
    }

    /** A new lease token: a fresh token marked as a write in progress. */
    public static String freshLease() {
        return CacheStore.LEASE_PREFIX + fresh();
    }

    /**
     * A new lease token for a lease of {@code millis}, which it carries ({@code @<millis>}): the lease scripts
     * overwrite a key before they know what it held ({@code SET ... GET}), and a script that finds it there bounds
     * the lease's remaining life by that length (the lease script never lets it live longer). See
     * docs/consistency.md, "Overwriting first".
     */
    public static String freshLease(long millis) {
        return withLength(CacheStore.LEASE_PREFIX + fresh(), millis);
    }

    /** {@code token} carrying the length of its lease ({@code @<millis>}, at least 1 ms). */
    public static String withLength(String token, long millis) {
        return token + "@" + Math.max(1, millis);
    }

    private static String hex16(long value) {
        String hex = Long.toHexString(value);
        return "0".repeat(16 - hex.length()) + hex;
    }
}
