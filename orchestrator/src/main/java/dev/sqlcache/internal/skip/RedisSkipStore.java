package dev.sqlcache.internal.skip;

import static dev.sqlcache.internal.store.RedisCommands.bytes;

import dev.sqlcache.internal.store.RedisCommands;
import dev.sqlcache.internal.store.RedisScript;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/** The skip protocol's sets on Redis. */
public final class RedisSkipStore implements SkipStore {

    private static final RedisScript ASK = RedisScript.load(RedisSkipStore.class, RedisScript.SERVER_CLOCK,
            "evictable.lua", "skip_ask.lua");
    private static final RedisScript CACHE = RedisScript.load(RedisSkipStore.class, RedisScript.SERVER_CLOCK,
            "skip_cache.lua");
    private static final RedisScript RENEW = RedisScript.load(RedisSkipStore.class, RedisScript.SERVER_CLOCK,
            "evictable.lua", "skip_intact.lua", "skip_renew.lua");
    private static final RedisScript STANDS = RedisScript.load(RedisSkipStore.class, RedisScript.SERVER_CLOCK,
            "skip_intact.lua", "skip_stands.lua");
    /** Where the lease scripts keep a key's other lease holders (see {@code lease_helpers.lua}). */
    private static final String HOLDERS_SUFFIX = ":leases";

    private final RedisCommands redis;
    /** What {@link #stands} sends per table (its first key), encoded once. */
    private final ConcurrentHashMap<String, List<byte[]>> standsKeys = new ConcurrentHashMap<>();

    /** The last token {@link #stands} sent, with its arguments encoded (Jedis copies them: never written to). */
    private volatile EncodedToken lastToken;

    private record EncodedToken(String token, List<byte[]> args) {
    }

    public RedisSkipStore(RedisCommands redis) {
        this.redis = redis;
    }

    @Override
    public long liveCachers(String cachersKey, String[] tokenKeys) {
        List<byte[]> keys = new ArrayList<>(1 + tokenKeys.length);
        keys.add(bytes(cachersKey));
        for (String key : tokenKeys) {
            keys.add(bytes(key));
        }
        // Untrusted: anything but a number counts as a reason not to ask (a permit is only ever an optimisation).
        return redis.script("skipAsk", ASK, keys, List.of()) instanceof Long answer ? answer : SkipStore.LEASED;
    }

    @Override
    public void cache(String[] cachersKeys, String member, long millis) {
        List<byte[]> keys = new ArrayList<>(cachersKeys.length);
        for (String key : cachersKeys) {
            keys.add(bytes(key));
        }
        redis.script("skipCache", CACHE, keys, List.of(bytes(member), bytes(Long.toString(millis))));
    }

    @Override
    public boolean stands(String[] leasedKeys, String leaseToken) {
        // Asked once per skipping write: the keys are encoded once per table, not at every write.
        List<byte[]> keys = standsKeys.get(leasedKeys[0]);
        if (keys == null) {
            List<byte[]> encoded = new ArrayList<>(2 * leasedKeys.length);
            for (String key : leasedKeys) {
                encoded.add(bytes(key));
            }
            for (String key : leasedKeys) {
                encoded.add(bytes(key + HOLDERS_SUFFIX));
            }
            keys = List.copyOf(encoded);
            standsKeys.putIfAbsent(leasedKeys[0], keys);
        }
        // A permit's token is the same for every write under it: encoded once, not at each write.
        EncodedToken token = lastToken;
        if (token == null || !token.token().equals(leaseToken)) {
            token = new EncodedToken(leaseToken, List.of(bytes(leaseToken)));
            lastToken = token;
        }
        // Untrusted: anything but the integer 1 is a lost permit (the write then invalidates, which is always safe).
        return Long.valueOf(1L).equals(redis.script("skipStands", STANDS, keys, token.args()));
    }

    @Override
    public Renewal renew(String cachersKey, String[] leasedKeys, String leaseToken, long millis) {
        List<byte[]> keys = new ArrayList<>(1 + 2 * leasedKeys.length);
        keys.add(bytes(cachersKey));
        for (String key : leasedKeys) {
            keys.add(bytes(key));
        }
        for (String key : leasedKeys) {
            keys.add(bytes(key + HOLDERS_SUFFIX));
        }
        List<?> reply = (List<?>) redis.script("skipRenew", RENEW, keys,
                List.of(bytes(leaseToken), bytes(Long.toString(millis))));
        return new Renewal((Long) reply.get(0) == 1L, (Long) reply.get(1));
    }
}
