package dev.sqlcache.internal.store;

/** The argument checks every {@link CacheStore#putIfVersions} implementation shares. */
final class PutArguments {

    private PutArguments() {
    }

    static void check(byte[] value, long ttlSeconds, String[] versionKeys, String[] expectedTokens) {
        if (value == null) {
            throw new IllegalArgumentException("value must not be null");
        }
        if (ttlSeconds <= 0) {
            throw new IllegalArgumentException("ttlSeconds must be positive, was " + ttlSeconds);
        }
        if (versionKeys.length != expectedTokens.length) {
            throw new IllegalArgumentException(versionKeys.length + " version keys but " + expectedTokens.length
                    + " expected tokens");
        }
        for (String token : expectedTokens) {
            if (token == null) {
                // A null token would mean "missing key"; an entry must never be tagged with that.
                throw new IllegalArgumentException("expected tokens must not be null");
            }
        }
    }
}
