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
 * (through Sentinel when configured; on a Redis Cluster, on the master of sqlcache's slot, asked of the nodes when it
 * subscribes).
 *
 * <p>On a cluster a PUBLISH reaches every node's subscribers, those of other nodes over the cluster bus, which can
 * lose messages when a link breaks; only the node's own delivery keeps the single server's order without gaps. So
 * each renewal marker names the node that published it, and the subscription passes on only markers of the node it
 * is on: a marker of another node (the slot moved, or failed over) ends the subscription, which the near member
 * replaces, dropping every copy. Notices that arrive over the bus are passed on: they only drop copies. Notices
 * name the keys as stored on the cluster, with the hash tag; they are passed on with the names the near caches use.
 */
final class RedisNearChannel implements NearChannel {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RedisNearChannel.class);

    static final RedisScript RENEW = RedisScript.load(RedisNearChannel.class, "server_clock.lua", "near_helpers.lua",
            "near_publisher.lua", "near_renew.lua");
    /** {@link #RENEW} whose marker names the node that published it. */
    static final RedisScript RENEW_CLUSTER = RedisScript.load(RedisNearChannel.class, "server_clock.lua",
            "near_helpers.lua", "near_publisher_cluster.lua", "near_renew.lua");
    private static final String MARKER = "R\n";
    private static final String NOTICE = "N\n";
    /** Fields of a marker on one server; on a cluster the publishing node follows. */
    private static final int MARKER_FIELDS = 5;
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
            // Read before subscribing: a node that changes role meanwhile takes a new replication id, and its markers
            // then end the subscription.
            String node = redis.cluster() ? node(jedis) : null;
            jedis.subscribe(new JedisPubSub() {
                @Override
                public void onSubscribe(String channel, int subscribedChannels) {
                    if (subscribedChannels == channels.length) {
                        listener.subscribed();
                    }
                }

                @Override
                public void onMessage(String channel, String message) {
                    if (node == null) {
                        listener.message(channel, message);
                        return;
                    }
                    if (!message.startsWith(MARKER)) {
                        listener.message(channel, message.startsWith(NOTICE) ? logicalNotice(message) : message);
                        return;
                    }
                    String local = localMarker(message, node);
                    if (local != null) {
                        listener.message(channel, local);
                    } else {
                        LOG.debug("sqlcache: a near-cache marker published by another node than {}'s master that "
                                + "this subscription is on; subscribing again", redis.describe());
                        unsubscribe();
                    }
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

    /** The node a connection is on, as {@code near_publisher_cluster.lua} names it. */
    static String node(Jedis jedis) {
        String runId = field(jedis.info("server"), "run_id");
        String replicationId = field(jedis.info("replication"), "master_replid");
        return runId + "-" + (replicationId == null ? "" : replicationId);
    }

    private static String field(String info, String name) {
        for (String line : info.split("\r?\n")) {
            if (line.startsWith(name + ":")) {
                return line.substring(name.length() + 1).strip();
            }
        }
        return null;
    }

    /**
     * A cluster marker published by {@code node}, without the field naming it (as a single server's marker reads);
     * {@code null} for one published elsewhere, or without that field.
     */
    static String localMarker(String message, String node) {
        int last = message.lastIndexOf('\n');
        if (last < 0 || !message.regionMatches(last + 1, node, 0, node.length())
                || message.length() - last - 1 != node.length()) {
            return null;
        }
        String marker = message.substring(0, last);
        return marker.split("\n", -1).length == MARKER_FIELDS ? marker : null;
    }

    /**
     * A cluster notice ({@code N, writer, notice id, key...}) with its keys as the near caches know them: the scripts
     * publish the keys they were given, which on a cluster carry sqlcache's hash tag.
     */
    static String logicalNotice(String message) {
        String[] parts = message.split("\n", -1);
        for (int i = 3; i < parts.length; i++) {
            parts[i] = ClusterKeys.logical(parts[i]);
        }
        return String.join("\n", parts);
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
        redis.script("near lease", redis.cluster() ? RENEW_CLUSTER : RENEW,
                List.of(bytes(MEMBERS_KEY), bytes(MembershipStore.FENCE_KEY)),
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
        if (redis.cluster() && redis.primaryChangedWithin(CHANGE_MILLIS)) {
            return true; // the set may lack the last renewals, as for recipientsOf
        }
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
        return recipientsOf(reply);
    }

    /** The header of a notice as the scripts publish it. */
    static String header(CacheStore.Notice notice) {
        return notice.writer() + "\n" + notice.id();
    }

    /**
     * A change's recipients as the writer must wait for them: what the script returned, except on a cluster within
     * {@link #CHANGE_MILLIS} of a change of the slot's master, when the holders' set may be older than their leases
     * (replication is asynchronous: a promoted replica may lack the last renewals, and holders count their leases
     * from markers the old master published): the writer waits out a whole near lease instead.
     */
    CacheStore.Recipients recipientsOf(Object reply) {
        CacheStore.Recipients recipients = recipients(reply);
        if (redis.cluster()) {
            return redis.primaryChangedWithin(CHANGE_MILLIS) ? CacheStore.Recipients.UNTOLD : recipients;
        }
        // A "quiet" set on a primary Sentinel just promoted may be a replica's copy that lacks the renewal which
        // ended the quiet (the first near cache's, which created the set): nobody was told, so wait out a near lease,
        // as writers did when that set was simply missing (docs/consistency.md, "A set that stays empty").
        return quiet(reply) && redis.sentinel() && redis.primaryChangedWithin(CHANGE_MILLIS)
                ? CacheStore.Recipients.UNTOLD : recipients;
    }

    /** The notice found the set quiet: no near lease can be live, nothing published ({@code {-3}}). */
    private static boolean quiet(Object reply) {
        return reply instanceof List<?> list && list.size() == 1 && Long.valueOf(QUIET).equals(list.get(0));
    }

    private static final long QUIET = -3;

    /**
     * How long after a change of master a cluster writer distrusts the holders' set: a near lease granted by the
     * old master lapses within one lease of the change; twice that covers the holders' margin and clock rates.
     */
    static final long CHANGE_MILLIS = 2 * dev.sqlcache.internal.near.NearMember.LEASE_MILLIS;

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
        if (at == QUIET) {
            return CacheStore.Recipients.NONE;
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
