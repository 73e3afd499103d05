package dev.sqlcache.internal.skip;

import static dev.sqlcache.internal.store.RedisCommands.bytes;

import dev.sqlcache.internal.store.RedisCommands;
import dev.sqlcache.internal.store.RedisScript;
import java.util.ArrayList;
import java.util.List;

/** The skip protocol's sets on Redis. */
public final class RedisSkipStore implements SkipStore {

    private static final RedisScript ASK = RedisScript.load(RedisSkipStore.class, RedisScript.SERVER_CLOCK,
            "evictable.lua", "skip_ask.lua");
    private static final RedisScript CACHE = RedisScript.load(RedisSkipStore.class, RedisScript.SERVER_CLOCK,
            "skip_cache.lua");
    private static final RedisScript RENEW = RedisScript.load(RedisSkipStore.class, RedisScript.SERVER_CLOCK,
            "evictable.lua", "skip_renew.lua");
    /** Where the lease scripts keep a key's other lease holders (see {@code lease_helpers.lua}). */
    private static final String HOLDERS_SUFFIX = ":leases";

    private final RedisCommands redis;

    public RedisSkipStore(RedisCommands redis) {
        this.redis = redis;
    }

    @Override
    public long liveCachers(String cachersKey) {
        return (Long) redis.script("skipAsk", ASK, List.of(bytes(cachersKey)), List.of());
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
