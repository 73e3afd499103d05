package dev.sqlcache.internal.feed;

import static dev.sqlcache.internal.store.RedisCommands.bytes;
import static dev.sqlcache.internal.store.RedisCommands.text;

import dev.sqlcache.internal.store.RedisCommands;
import dev.sqlcache.internal.store.RedisScript;
import dev.sqlcache.internal.store.VersionTokens;

import java.util.List;

/** The feed's keys on Redis: each operation one script, timed by the server's clock. */
public final class RedisFeedStore implements FeedStore {

    private static final RedisScript HOLD = RedisScript.load(RedisFeedStore.class, "hold_lease.lua");
    private static final RedisScript RELEASE = RedisScript.load(RedisFeedStore.class, "release_lease.lua");
    private static final RedisScript HOLDER = RedisScript.load(RedisFeedStore.class, "lease_holder.lua");
    private static final RedisScript REFRESH = RedisScript.load(RedisFeedStore.class, "refresh_feed_key.lua");

    private final RedisCommands redis;

    public RedisFeedStore(RedisCommands redis) {
        this.redis = redis;
    }

    @Override
    public boolean holdLease(String leaseKey, String candidate, long millis) {
        Object held = redis.script("holdFeedLease", HOLD, List.of(bytes(leaseKey)),
                List.of(bytes(candidate), bytes(Long.toString(Math.max(1, millis)))));
        return Long.valueOf(1).equals(held);
    }

    @Override
    public void releaseLease(String leaseKey, String holder) {
        redis.script("releaseFeedLease", RELEASE, List.of(bytes(leaseKey)), List.of(bytes(holder)));
    }

    @Override
    public String leaseHolder(String leaseKey) {
        Object holder = redis.script("feedLeaseHolder", HOLDER, List.of(bytes(leaseKey)), List.of());
        return holder instanceof byte[] name ? text(name) : null;
    }

    @Override
    public boolean refreshFeedKey(String feedKey, long millis) {
        // The token drawn for each attempt: a first attempt landing after its retry, once the key expired again,
        // must not bring back the token entries were stored under before the gap (RedisCommands.script).
        Object alive = redis.script("refreshFeedKey", REFRESH, List.of(bytes(feedKey)),
                () -> List.of(bytes(VersionTokens.fresh()), bytes(Long.toString(Math.max(1, millis)))));
        return Long.valueOf(1).equals(alive);
    }
}
