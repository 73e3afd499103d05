package dev.sqlcache.internal.store;

import static dev.sqlcache.internal.store.RedisCommands.bytes;

import dev.sqlcache.internal.config.RedisSettings;
import dev.sqlcache.internal.membership.MembershipStore;
import java.util.ArrayList;
import java.util.List;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.params.ZAddParams;

/**
 * The {@link NearChannel} of a Redis store: Redis pub/sub, which delivers a connection's messages in the order the
 * server published them and drops a subscriber that falls too far behind (its connection closes, which the listener
 * sees). Commands go through the store's pool; the subscription has a connection of its own, found like the pool's
 * (through Sentinel when configured).
 */
final class RedisNearChannel implements NearChannel {

    static final RedisScript RENEW = RedisScript.load(RedisNearChannel.class, "server_clock.lua", "near_helpers.lua",
            "near_renew.lua");
    static final RedisScript NOTIFY = RedisScript.load(RedisNearChannel.class, "server_clock.lua",
            "near_helpers.lua", "notify.lua");
    static final RedisScript LIVE = RedisScript.load(RedisNearChannel.class, "server_clock.lua", "near_live.lua");

    private final RedisSettings settings;
    private final RedisCommands redis;
    private volatile Jedis subscription;
    private volatile boolean stopped;

    RedisNearChannel(RedisSettings settings, RedisCommands redis) {
        this.settings = settings;
        this.redis = redis;
    }

    @Override
    public void listen(Listener listener, String... channels) {
        DefaultJedisClientConfig config = RedisConnections.clientConfig(settings, "sqlcache-near",
                RedisProtocol.RESP2);
        try (Jedis jedis = new Jedis(RedisConnections.sockets(settings, config), config)) {
            subscription = jedis;
            if (stopped) {
                return;
            }
            jedis.subscribe(new JedisPubSub() {
                @Override
                public void onSubscribe(String channel, int subscribedChannels) {
                    if (subscribedChannels == channels.length) {
                        listener.subscribed();
                    }
                }

                @Override
                public void onMessage(String channel, String message) {
                    listener.message(channel, message);
                }
            }, channels);
        } catch (RuntimeException e) {
            if (!stopped) {
                throw new CacheStoreException("near-cache subscription to " + redis.describe() + " ended", e);
            }
        } finally {
            subscription = null;
        }
    }

    @Override
    public void stopListening() {
        Jedis jedis = subscription;
        if (jedis != null) {
            try {
                // Closing the socket is the only way out of a subscription whose server no longer answers.
                jedis.disconnect();
            } catch (RuntimeException e) {
                // Already closed.
            }
        }
    }

    /** Stops for good: a listen that starts afterwards returns at once. */
    void close() {
        stopped = true;
        stopListening();
    }

    @Override
    public void renew(String member, long leaseMillis, String nonce) {
        redis.script("near lease", RENEW, List.of(bytes(MEMBERS_KEY), bytes(MembershipStore.FENCE_KEY)),
                List.of(bytes(member), bytes(Long.toString(leaseMillis)), bytes(nonce)));
    }

    @Override
    public void acknowledge(String writer, String noticeId, String member) {
        String channel = NearChannel.acknowledgements(writer);
        String message = noticeId + "\n" + member;
        redis.execute("near acknowledgement", () -> redis.client().publish(channel, message));
    }

    @Override
    public boolean othersLive(String member) {
        Object live = redis.script("near members", LIVE, List.of(bytes(MEMBERS_KEY)), List.of());
        for (Object each : (List<?>) live) {
            if (!member.equals(RedisCommands.text((byte[]) each))) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void leave(String member) {
        // Lapsed, not removed: removing the last member would delete the set, and writers that find it missing
        // must assume holders nobody knows of (and wait out a near lease at every change). Renewals of others
        // remove it within a minute.
        redis.execute("near leave", () -> redis.client().zadd(MEMBERS_KEY, 0, member,
                ZAddParams.zAddParams().xx()));
    }

    @Override
    public CacheStore.Recipients notify(String[] versionKeys, CacheStore.Notice notice) {
        List<byte[]> keys = new ArrayList<>(versionKeys.length);
        for (String key : versionKeys) {
            keys.add(bytes(key));
        }
        Object reply = redis.script("near notice", NOTIFY, keys, List.of(bytes(header(notice))));
        return recipients(reply);
    }

    /** The header of a notice as the scripts publish it. */
    static String header(CacheStore.Notice notice) {
        return notice.writer() + "\n" + notice.id();
    }

    /** What a script's {@code notify()} returned. */
    static CacheStore.Recipients recipients(Object reply) {
        if (!(reply instanceof List<?> list) || list.isEmpty()) {
            return CacheStore.Recipients.NONE;
        }
        long at = (Long) list.get(0);
        if (at == -1) {
            return CacheStore.Recipients.UNKNOWN;
        }
        if (at == -2) {
            return CacheStore.Recipients.UNTOLD;
        }
        int count = (list.size() - 1) / 2;
        String[] members = new String[count];
        long[] lapses = new long[count];
        for (int i = 0; i < count; i++) {
            members[i] = RedisCommands.text((byte[]) list.get(1 + 2 * i));
            lapses[i] = (long) Double.parseDouble(RedisCommands.text((byte[]) list.get(2 + 2 * i)));
        }
        return new CacheStore.Recipients(at, members, lapses);
    }
}
