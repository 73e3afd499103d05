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
 * (the primary the sentinels name when it subscribes; on a Redis Cluster, the master of sqlcache's slot, asked of the
 * nodes when it subscribes).
 *
 * <p>Where the primary can change ({@link RedisCommands#primaryCanChange()}: Sentinel or a Cluster), a holder can
 * hear messages its own server did not publish: on a cluster a PUBLISH reaches every node's subscribers, those of
 * other nodes over the cluster bus, which can lose messages when a link breaks; and a replica (an old primary
 * demoted under a live subscription) passes on what its primary publishes through replication, which a full
 * resynchronisation leaves with a gap. Only the node's own delivery keeps the single server's order without gaps.
 * So each renewal marker names the node that published it, the subscription is only made on a primary, and it
 * passes on only markers of the node it is on: a marker of another node (the primary changed, the slot moved)
 * ends the subscription, which the near member replaces, dropping every copy. Notices that arrive another way are
 * passed on: they only drop copies. On a cluster notices name the keys as stored, with the hash tag; they are
 * passed on with the names the near caches use.
 */
final class RedisNearChannel implements NearChannel {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RedisNearChannel.class);

    static final RedisScript RENEW = RedisScript.load(RedisNearChannel.class, "server_clock.lua", "near_helpers.lua",
            "near_publisher.lua", "near_renew.lua");
    /** {@link #RENEW} whose marker names the node that published it: with Sentinel and on a Cluster. */
    static final RedisScript RENEW_NAMING_NODE = RedisScript.load(RedisNearChannel.class, "server_clock.lua",
            "near_helpers.lua", "near_publisher_node.lua", "near_renew.lua");
    private static final String MARKER = "R\n";
    private static final String NOTICE = "N\n";
    /** Fields of a marker on one server; with Sentinel or on a cluster the publishing node follows. */
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
            String node = redis.primaryCanChange() ? primaryNode(jedis) : null;
            boolean tagged = redis.cluster();
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
                        listener.message(channel, tagged && message.startsWith(NOTICE) ? logicalNotice(message)
                                : message);
                        return;
                    }
                    String local = localMarker(message, node);
                    if (local != null) {
                        listener.message(channel, local);
                    } else if (namesNoNode(message)) {
                        // A JVM of a version before markers named their node (a rolling upgrade). Never this JVM's
                        // own (its renewals name the node), so no holder here acts on it: ignored, not a reason to
                        // drop every copy at each of that JVM's renewals.
                        return;
                    } else {
                        LOG.debug("sqlcache: a near-cache marker published by another node than the primary of {} "
                                + "that this subscription is on; subscribing again", redis.describe());
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

    /**
     * The node a connection is on, as {@code near_publisher_node.lua} names it; fails when the node is not a
     * primary: a replica's subscribers hear only what its primary's replication relays (the sentinels named a node
     * that was just demoted, say), whose markers the node check would refuse anyway; failing here subscribes again
     * sooner, without a round of refused renewals.
     */
    static String primaryNode(Jedis jedis) {
        String runId = field(jedis.info("server"), "run_id");
        String replication = jedis.info("replication");
        if (!"master".equals(field(replication, "role"))) {
            throw new CacheStoreException("the near-cache subscription reached a replica, not the primary");
        }
        String replicationId = field(replication, "master_replid");
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

    /** Whether a marker has a single server's fields only: published by a JVM whose renewals name no node. */
    static boolean namesNoNode(String message) {
        int separators = 0;
        for (int i = message.indexOf('\n'); i >= 0; i = message.indexOf('\n', i + 1)) {
            separators++;
        }
        return separators == MARKER_FIELDS - 1;
    }

    /**
     * A marker naming {@code node} (Sentinel, Cluster), without the field naming it (as a single server's marker
     * reads); {@code null} for one published elsewhere, or without that field.
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
        redis.script("near lease", redis.primaryCanChange() ? RENEW_NAMING_NODE : RENEW,
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
        if (distrustsHolders()) {
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
     * A change's recipients as the writer must wait for them: what the script returned, except while
     * {@link #distrustsHolders()}: the writer waits out a whole near lease instead.
     */
    CacheStore.Recipients recipientsOf(Object reply) {
        CacheStore.Recipients recipients = recipients(reply); // quiet included
        return distrustsHolders() ? CacheStore.Recipients.UNTOLD : recipients;
    }

    /**
     * The notice found the set quiet: no near lease can be live, nothing published ({@code {-3}}). Trusted like any
     * other answer only outside {@link #distrustsHolders()}: a quiet set on a primary just promoted may be a replica's
     * copy that lacks the renewal which ended the quiet (review r4, {@code SentinelQuietNearSetTest}).
     */
    private static final long QUIET = -3;

    /**
     * Whether the holders' set just read may be older than the holders' leases: where the primary can change
     * (Sentinel, Cluster), within {@link #CHANGE_MILLIS} of this store's start or of its first sight of a change of
     * primary (replication is asynchronous: a promoted replica may lack the last renewals, and holders count their
     * leases from markers the old primary published). The one place both {@link #recipientsOf} and
     * {@link #othersLive} decide it. Read after the script: it ran on a primary this covers.
     */
    private boolean distrustsHolders() {
        return redis.primaryCanChange() && redis.primaryChangedWithin(CHANGE_MILLIS);
    }

    /**
     * How long after a change of primary a writer distrusts the holders' set: a near lease granted by the old
     * primary lapses within one lease of the change; twice that covers the holders' margin and clock rates.
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
