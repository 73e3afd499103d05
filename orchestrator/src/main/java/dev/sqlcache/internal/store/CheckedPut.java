package dev.sqlcache.internal.store;

import static dev.sqlcache.internal.store.RedisCommands.bytes;

import java.util.Arrays;
import java.util.List;

/**
 * {@link CacheStore#putIfVersions} on a Redis Cluster, where the entry's slot is not the tokens' one and no script can
 * name both: the tokens are read on the control node ({@code MGET}), and only when every one still holds what the
 * lookup read is the entry written ({@code SET}) on its own node. Two round trips, off the caller's thread.
 *
 * <p>Not atomic, and need not be: the check runs after the query did, so the tokens the entry records were current
 * from before its query until the check, and the entry is the right answer whenever they are current; a write that
 * replaces one between the check and the {@code SET} leaves an entry that records a token which never comes back, so
 * it is never served (docs/consistency.md, "When Redis is a Cluster", points 1 to 3). The check is also what lets a
 * lookup read the entry and its tokens on two nodes at once.
 */
final class CheckedPut {

    private final RedisCommands redis;

    CheckedPut(RedisCommands redis) {
        this.redis = redis;
    }

    boolean put(String entryKey, byte[] value, long ttlSeconds, String[] versionKeys, String[] expectedTokens) {
        if (versionKeys.length > 0) {
            byte[][] keys = new byte[versionKeys.length][];
            for (int i = 0; i < keys.length; i++) {
                keys[i] = redis.key(bytes(versionKeys[i]));
            }
            List<byte[]> current = redis.execute("putIfVersions", () -> redis.client().mget(keys));
            for (int i = 0; i < keys.length; i++) {
                if (!Arrays.equals(current.get(i), bytes(expectedTokens[i]))) {
                    return false;
                }
            }
        }
        byte[] stored = redis.entryKey(bytes(entryKey));
        byte[] ttl = bytes(Long.toString(ttlSeconds));
        // false, not a failure, when the entry's node is down: only that node's entries miss meanwhile.
        return redis.execute("putIfVersions", () -> redis.setEntry(stored, value, ttl));
    }
}
