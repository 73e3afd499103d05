package dev.sqlcache.internal.engine;

/**
 * A value of a database's write sequence (see {@link dev.sqlcache.internal.store.CacheStore#SEQUENCE_PREFIX}), read
 * from Redis: untrusted, so anything that does not parse orders before nothing and after nothing. Two formats: the
 * Redis store's number of exactly 19 digits, {@code <T><n>} (T, 13 digits drawn at random when its history began;
 * n, 6 digits, the steps since; advanced by INCR), and {@code <epoch>:<n>} (the in-process store's, and that of
 * versions before issue #10's cut). Values of two formats are of two epochs: never ordered.
 */
final class SnapshotPoint {

    /** Digits of a numeric value, and of its step count (the rest is its epoch). */
    private static final int NUMERIC_DIGITS = 19;
    private static final int STEP_DIGITS = 6;

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
        if (numeric(recorded) && numeric(pinned)) {
            // Same epoch: the same 13 leading digits; then the steps, as fixed-width digits, compare as text.
            int epoch = NUMERIC_DIGITS - STEP_DIGITS;
            return recorded.regionMatches(0, pinned, 0, epoch) && recorded.compareTo(pinned) <= 0;
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

    /** Exactly 19 ASCII digits, the first not 0 (a value INCR made from a history's start; nothing shorter). */
    private static boolean numeric(String value) {
        if (value.length() != NUMERIC_DIGITS || value.charAt(0) == '0') {
            return false;
        }
        for (int i = 0; i < NUMERIC_DIGITS; i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
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
