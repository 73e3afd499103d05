package dev.sqlcache.internal.store;

import static dev.sqlcache.internal.store.RedisCommands.bytes;
import static dev.sqlcache.internal.store.RedisCommands.text;

import dev.sqlcache.internal.config.RedisSettings;
import dev.sqlcache.internal.membership.MembershipStore;
import dev.sqlcache.internal.membership.RedisMembershipStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * The production {@link CacheStore}: one pooled Jedis client over TCP (optionally TLS) or a Unix socket. Every
 * operation is one round trip; the scripts it runs are in {@code lua/} next to this class.
 */
public final class RedisCacheStore implements CacheStore {

    private static final Logger log = LoggerFactory.getLogger(RedisCacheStore.class);

    static final RedisScript LOOKUP = RedisScript.load(RedisCacheStore.class, "server_clock.lua", "read_entry.lua", "lookup.lua");
    static final RedisScript PUT_IF_VERSIONS = RedisScript.load(RedisCacheStore.class, "put_if_versions.lua");
    static final RedisScript INIT_VERSIONS = RedisScript.load(RedisCacheStore.class, "init_versions.lua");
    static final RedisScript LEASE =
            RedisScript.load(RedisCacheStore.class, "server_clock.lua", "lease_helpers.lua", "near_helpers.lua",
                    "lease.lua");
    static final RedisScript END_LEASES =
            RedisScript.load(RedisCacheStore.class, "server_clock.lua", "lease_helpers.lua", "near_helpers.lua",
                    "end_leases.lua");
    /** {@link #LEASE} for a full Redis that refused it: a first write it allows, then the lease (write_first.lua). */
    static final RedisScript LEASE_WHEN_FULL =
            RedisScript.load(RedisCacheStore.class, "write_first.lua", "server_clock.lua", "lease_helpers.lua",
                    "near_helpers.lua", "lease.lua");
    static final RedisScript OOM_INVALIDATE = RedisScript.load(RedisCacheStore.class, "oom_invalidate.lua");
    private static final int SCAN_BATCH = 500;
    private final byte[] membersKey;
    private final byte[] nearMembersKey;
    /** Suffix of the sorted set holding the live leases of a version key. */
    static final String HOLDERS_SUFFIX = ":leases";

    private final RedisCommands redis;
    private final RedisLookup lookups;
    /** The store on a cluster: entries are not in the tokens' slot (no script can check and write at once). */
    private final CheckedPut clusterPut;
    /** Deletes by pattern on every master of a cluster (entries are spread over all of them). */
    private final ClusterDeletes clusterDeletes;
    private final RedisMembershipStore membership;
    private final dev.sqlcache.internal.skip.SkipStore skips;
    private final RedisNearChannel near;
    private final dev.sqlcache.internal.feed.RedisFeedStore feed;

    /** Opens the pool lazily: no connection is made until the first operation. */
    public RedisCacheStore(RedisSettings settings) {
        this.redis = new RedisCommands(settings);
        this.lookups = new RedisLookup(redis, LOOKUP);
        this.clusterPut = new CheckedPut(redis);
        this.clusterDeletes = new ClusterDeletes(redis,
                java.util.Set.of(MembershipStore.MEMBERS_KEY, NearChannel.MEMBERS_KEY));
        this.membership = new RedisMembershipStore(redis);
        this.skips = new dev.sqlcache.internal.skip.RedisSkipStore(redis);
        this.near = new RedisNearChannel(settings, redis);
        this.feed = new dev.sqlcache.internal.feed.RedisFeedStore(redis);
        this.membersKey = redis.key(bytes(MembershipStore.MEMBERS_KEY));
        this.nearMembersKey = redis.key(bytes(NearChannel.MEMBERS_KEY));
        log.info("Cache store: {} (pool of {})", redis.describe(), settings.maxConnections());
        if (redis.cluster()) {
            log.info("sqlcache: {}: skip permits stay off on a Redis Cluster (a promotion may lose a permit's lease "
                    + "while its write skips the invalidation: not argued yet): every write invalidates",
                    redis.describe());
        }
    }

    @Override
    public Lookup lookup(String entryKey, String[] versionKeys, long[] creation, int maxEntryBytes) {
        return lookups.lookup(entryKey, versionKeys, null, creation, maxEntryBytes, true, false, false);
    }

    @Override
    public Lookup lookup(String entryKey, String[] versionKeys, long[] creation, int maxEntryBytes,
                         boolean keepsCopy) {
        return lookups.lookup(entryKey, versionKeys, null, creation, maxEntryBytes, keepsCopy, false, false);
    }

    @Override
    public Lookup lookup(String entryKey, String[] versionKeys, byte[][] encodedVersionKeys, long[] creation,
                         int maxEntryBytes, boolean keepsCopy) {
        return lookups.lookup(entryKey, versionKeys, encodedVersionKeys, creation, maxEntryBytes, keepsCopy, false,
                false);
    }

    @Override
    public Lookup lookup(String entryKey, String[] versionKeys, byte[][] encodedVersionKeys, long[] creation,
                         int maxEntryBytes, boolean keepsCopy, boolean entryLikely) {
        return lookups.lookup(entryKey, versionKeys, encodedVersionKeys, creation, maxEntryBytes, keepsCopy,
                entryLikely, false);
    }

    @Override
    public Lookup lookup(String entryKey, String[] versionKeys, byte[][] encodedVersionKeys, long[] creation,
                         int maxEntryBytes, boolean keepsCopy, boolean entryLikely, boolean tokenMissingLikely) {
        return lookups.lookup(entryKey, versionKeys, encodedVersionKeys, creation, maxEntryBytes, keepsCopy,
                entryLikely, tokenMissingLikely);
    }

    private static final byte[] ZERO = bytes("0");
    private static final byte[] ONE = bytes("1");
    private static final byte[] NEVER = bytes("-1");

    private static byte[] number(long value) {
        return value == 0 ? ZERO : value == NEVER_CREATE ? NEVER : bytes(Long.toString(value));
    }

    @Override
    public String[] initVersions(String[] versionKeys) {
        if (versionKeys.length == 0) {
            return new String[0];
        }
        List<byte[]> keys = new ArrayList<>(versionKeys.length);
        for (String versionKey : versionKeys) {
            keys.add(bytes(versionKey));
        }
        // Fresh tokens for each attempt: a late first attempt must not re-create the token its retry made.
        List<?> reply = (List<?>) redis.script("initVersions", INIT_VERSIONS, keys, () -> {
            List<byte[]> args = new ArrayList<>(versionKeys.length);
            for (int i = 0; i < versionKeys.length; i++) {
                args.add(bytes(VersionTokens.fresh()));
            }
            return args;
        });
        String[] current = new String[versionKeys.length];
        for (int i = 0; i < current.length; i++) {
            current[i] = text((byte[]) reply.get(i));
        }
        return current;
    }

    @Override
    public boolean putIfVersions(String entryKey, byte[] value, long ttlSeconds, String[] versionKeys,
                                 String[] expectedTokens) {
        PutArguments.check(value, ttlSeconds, versionKeys, expectedTokens);
        if (redis.cluster()) {
            return clusterPut.put(entryKey, value, ttlSeconds, versionKeys, expectedTokens);
        }
        List<byte[]> keys = new ArrayList<>(versionKeys.length + 1);
        keys.add(bytes(entryKey));
        List<byte[]> args = new ArrayList<>(expectedTokens.length + 2);
        args.add(value);
        args.add(bytes(Long.toString(ttlSeconds)));
        for (int i = 0; i < versionKeys.length; i++) {
            keys.add(bytes(versionKeys[i]));
            args.add(bytes(expectedTokens[i]));
        }
        Object stored = redis.script("putIfVersions", PUT_IF_VERSIONS, keys, args);
        return stored instanceof Long number && number == 1L;
    }

    @Override
    public void leaseVersions(String[] versionKeys, String[] leases, long leaseMillis) {
        leaseVersions(versionKeys, leases, leaseMillis, Notice.anonymous());
    }

    @Override
    public Recipients leaseVersions(String[] versionKeys, String[] leases, long leaseMillis, Notice notice) {
        if (versionKeys.length == 0) {
            return Recipients.NONE;
        }
        List<byte[]> args = new ArrayList<>(versionKeys.length + 1);
        for (int i = 0; i < versionKeys.length; i++) {
            args.add(bytes(leases[i]));
        }
        args.add(bytes(Long.toString(Math.max(1, leaseMillis))));
        args.add(bytes(RedisNearChannel.header(notice)));
        return runLeaseScript("leaseVersions", LEASE, versionKeys, null, () -> args, notice, true);
    }

    @Override
    public void endLeases(String[] versionKeys, String[] leaseTokens, long[] ttlMillis) {
        endLeases(versionKeys, leaseTokens, ttlMillis, Notice.anonymous());
    }

    @Override
    public Recipients endLeases(String[] versionKeys, String[] leaseTokens, long[] ttlMillis, Notice notice) {
        if (versionKeys.length == 0) {
            return Recipients.NONE;
        }
        // Fresh tokens for each attempt (RedisCommands.script): a late first attempt must not put back the token its
        // retry wrote, after a later write replaced it.
        return runLeaseScript("endLeases", END_LEASES, versionKeys, leaseTokens,
                () -> endArguments(versionKeys, leaseTokens, ttlMillis, notice), notice, false);
    }

    private static List<byte[]> endArguments(String[] versionKeys, String[] leaseTokens, long[] ttlMillis,
                                             Notice notice) {
        List<byte[]> args = new ArrayList<>(versionKeys.length * 3);
        for (int i = 0; i < versionKeys.length; i++) {
            args.add(bytes(leaseTokens == null || leaseTokens[i] == null ? "" : leaseTokens[i]));
        }
        String base = VersionTokens.fresh();
        for (int i = 0; i < versionKeys.length; i++) {
            args.add(bytes(base + ":" + i));
        }
        for (int i = 0; i < versionKeys.length; i++) {
            args.add(ttlMillis == null ? ZERO : number(Math.max(0, ttlMillis[i])));
        }
        args.add(bytes(RedisNearChannel.header(notice)));
        if (notice.afterAcknowledgedLease()) {
            args.add(ONE);
            if (notice.runs() != null && notice.runs().length == versionKeys.length) {
                for (String run : notice.runs()) {
                    args.add(bytes(run == null ? "" : run));
                }
            }
        }
        return args;
    }

    /**
     * Runs a lease script over the version keys and their holders sets. A full Redis (noeviction) refuses a
     * script's first SET. A lease is then placed all the same, after a first write a full Redis allows
     * (write_first.lua): its write is about to run, and a deletion would cover it only while Redis stays full. An
     * end or a bump deletes instead: a deleted token is as good as a fresh one (readers recreate it, and no old entry
     * can ever match the new one), and the write is over. A key holding another write's lease is not deleted
     * (oom_invalidate.lua): that write is still in flight. Near caches are told either way.
     * A lease's answer also carries each key's held run ({@code withRuns}: lease.lua), which a deletion has none of.
     *
     * @param ownTokens the lease token per key that an end ends; {@code null}, or {@code null} entries, for none
     */
    private Recipients runLeaseScript(String operation, RedisScript script, String[] versionKeys, String[] ownTokens,
                                      Supplier<List<byte[]>> args, Notice notice, boolean withRuns) {
        List<byte[]> keys = new ArrayList<>(versionKeys.length * 2);
        for (String key : versionKeys) {
            keys.add(bytes(key));
        }
        for (String key : versionKeys) {
            keys.add(bytes(key + HOLDERS_SUFFIX));
        }
        try {
            return answer(redis.script(operation, script, keys, args), withRuns);
        } catch (CacheStoreException e) {
            if (!isOutOfMemory(e.getCause())) {
                throw e;
            }
            if (script == LEASE) {
                // A lease: its write is about to run, and must be covered until its end. A deletion would cover it
                // only while Redis stays full (readers cannot recreate the token); an entry expiring meanwhile lets
                // a reader cache what the database shows before its commit.
                return answer(redis.script(operation + " (Redis is out of memory)", LEASE_WHEN_FULL, keys, args),
                        true);
            }
            List<byte[]> own = new ArrayList<>(versionKeys.length);
            for (int i = 0; i < versionKeys.length; i++) {
                own.add(bytes(ownTokens == null || ownTokens[i] == null ? "" : ownTokens[i]));
            }
            redis.script("invalidate (deleting, Redis is out of memory)", OOM_INVALIDATE, keys, own);
            return near.notify(versionKeys, notice);
        }
    }

    /** A lease script's answer: the near caches told, and with {@code withRuns} each key's held run (lease.lua). */
    private Recipients answer(Object reply, boolean withRuns) {
        if (!withRuns) {
            return near.recipientsOf(reply);
        }
        List<?> parts = (List<?>) reply;
        List<?> answered = (List<?>) parts.get(1);
        String[] runs = new String[answered.size()];
        for (int i = 0; i < runs.length; i++) {
            runs[i] = text((byte[]) answered.get(i));
        }
        return near.recipientsOf(parts.get(0)).withRuns(runs);
    }

    private static boolean isOutOfMemory(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof JedisDataException && t.getMessage() != null && t.getMessage().startsWith("OOM")) {
                return true;
            }
        }
        return false;
    }

    /** The client this store runs on (tests read its count of primary changes). */
    RedisCommands commands() {
        return redis;
    }

    @Override
    public NearChannel nearChannel() {
        return near;
    }

    @Override
    public dev.sqlcache.internal.skip.SkipStore skips() {
        return redis.cluster() ? null : skips;
    }

    @Override
    public MembershipStore membership() {
        return membership;
    }

    @Override
    public dev.sqlcache.internal.feed.FeedStore feed() {
        return feed;
    }

    @Override
    public long deleteMatching(String pattern) {
        if (redis.cluster()) {
            return clusterDeletes.deleteMatching(pattern);
        }
        ScanParams params = new ScanParams().match(bytes(redis.key(pattern))).count(SCAN_BATCH);
        byte[] cursor = ScanParams.SCAN_POINTER_START_BINARY;
        long deleted = 0;
        do {
            byte[] from = cursor;
            ScanResult<byte[]> page = redis.execute("deleteMatching", () -> redis.client().scan(from, params));
            List<byte[]> keys = new ArrayList<>(page.getResult());
            // Membership is not cached data: dropping it would let a member cut off right now write unfenced.
            // Nor is the near members' set: writers would stop waiting for near caches that still hold entries.
            keys.removeIf(key -> Arrays.equals(key, membersKey) || Arrays.equals(key, nearMembersKey));
            if (!keys.isEmpty()) {
                deleted += redis.execute("deleteMatching", () -> redis.client().unlink(keys.toArray(new byte[0][])));
            }
            cursor = page.getCursorAsBytes();
        } while (!isScanDone(cursor));
        return deleted;
    }

    private static boolean isScanDone(byte[] cursor) {
        return cursor.length == 1 && cursor[0] == '0'; // SCAN is done when the cursor is back at 0
    }

    @Override
    public boolean ping() {
        try {
            return "PONG".equals(redis.execute("ping", () -> redis.client().ping()));
        } catch (CacheStoreException e) {
            log.debug("Ping failed: {}", e.getMessage());
            return false;
        }
    }

    @Override
    public long reconnects() {
        return redis.reconnects();
    }

    @Override
    public String describe() {
        return redis.describe();
    }

    @Override
    public void close() {
        near.close();
        redis.close();
    }
}
