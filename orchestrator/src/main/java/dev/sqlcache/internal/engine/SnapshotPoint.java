package dev.sqlcache.internal.engine;

/**
 * A value of a database's write sequence ({@code <epoch>:<n>}, see
 * {@link dev.sqlcache.internal.store.CacheStore#SEQUENCE_PREFIX}), read from Redis: untrusted, so anything that does
 * not parse orders before nothing and after nothing.
 */
final class SnapshotPoint {

    private SnapshotPoint() {
    }

    /**
     * Whether {@code recorded} (what an entry's lookup read) is of the same epoch as {@code pinned} (what a
     * transaction read before its snapshot was taken) and not after it: then the entry's lookup came before that
     * read, or no write began or ended in between.
     */
    static boolean notAfter(String recorded, String pinned) {
        if (recorded == null || pinned == null) {
            return false;
        }
        if (recorded.equals(pinned)) {
            return true;
        }
        int a = recorded.lastIndexOf(':');
        int b = pinned.lastIndexOf(':');
        if (a <= 0 || a != b || !recorded.regionMatches(0, pinned, 0, a)) {
            return false;
        }
        long n = counter(recorded, a);
        long m = counter(pinned, b);
        return n >= 0 && m >= 0 && n <= m;
    }

    private static long counter(String value, int colon) {
        int length = value.length() - colon - 1;
        if (length < 1 || length > 18) {
            return -1;
        }
        long n = 0;
        for (int i = colon + 1; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }
}
