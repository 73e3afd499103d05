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

    private static String hex16(long value) {
        String hex = Long.toHexString(value);
        return "0".repeat(16 - hex.length()) + hex;
    }
}
