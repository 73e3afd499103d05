package dev.sqlcache.internal.store;

import dev.sqlcache.internal.config.RedisSettings;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.ConnectionFactory;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisSocketFactory;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.exceptions.JedisNoScriptException;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.providers.PooledConnectionProvider;
import redis.clients.jedis.resps.ScanResult;

/**
 * The production {@link CacheStore}: one pooled Jedis {@link RedisClient} over TCP (optionally TLS) or a Unix
 * socket. Every operation is one round trip. A connection that died while idle (e.g. the server restarted) is
 * retried once on a fresh connection, so the same instance recovers without being recreated; timeouts are not
 * retried.
 */
public final class RedisCacheStore implements CacheStore {

    private static final Logger log = LoggerFactory.getLogger(RedisCacheStore.class);

    /**
     * KEYS[1] = entry, KEYS[2..] = version keys; ARGV[1] = value, ARGV[2] = ttl seconds, ARGV[3..] = expected
     * tokens. Checking and writing inside one script makes the check-then-set atomic against concurrent bumps.
     */
    static final String PUT_IF_VERSIONS_SCRIPT = """
            for i = 2, #KEYS do
              if redis.call('GET', KEYS[i]) ~= ARGV[i + 1] then
                return 0
              end
            end
            redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
            return 1
            """;

    /** Milliseconds on the server's clock: every expiry is judged by one clock, never by comparing machines'. */
    private static final String SERVER_CLOCK = """
            local function now()
              local t = redis.call('TIME')
              return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            end
            """;

    /**
     * Shared by the lease scripts: every version key {@code KEYS[i]} has a holders set {@code KEYS[n + i]} (a sorted
     * set of lease tokens scored by expiry, server clock). While any holder is alive the version key holds a lease
     * value, so one write ending never uncovers another that is still in flight.
     */
    private static final String LEASE_HELPERS = SERVER_CLOCK + """
            local function settle(key, holders, fresh, at)
              redis.call('ZREMRANGEBYSCORE', holders, '-inf', at)
              local last = redis.call('ZRANGE', holders, -1, -1, 'WITHSCORES')
              if #last == 0 then
                redis.call('DEL', holders)
                redis.call('SET', key, fresh)
              else
                redis.call('SET', key, 'lease:' .. fresh, 'PX', math.max(1, tonumber(last[2]) - at))
              end
            end
            """;

    /** KEYS = version keys then holders sets; ARGV[1..n] = lease tokens, ARGV[n + 1] = lease in milliseconds. */
    static final String LEASE_SCRIPT = LEASE_HELPERS + """
            local n = #KEYS / 2
            local ttl = tonumber(ARGV[n + 1])
            local at = now()
            for i = 1, n do
              local holders = KEYS[n + i]
              redis.call('ZREMRANGEBYSCORE', holders, '-inf', at)
              redis.call('ZADD', holders, at + ttl, ARGV[i])
              if redis.call('PTTL', holders) < ttl then
                redis.call('PEXPIRE', holders, ttl)
              end
              local last = redis.call('ZRANGE', holders, -1, -1, 'WITHSCORES')
              redis.call('SET', KEYS[i], ARGV[i], 'PX', math.max(ttl, tonumber(last[2]) - at))
            end
            return 1
            """;

    /**
     * KEYS = version keys then holders sets; ARGV[1..n] = the leases being ended ('' for none), ARGV[n + 1..2n] =
     * fresh tokens. Each key becomes fresh, which invalidates whatever was cached under it, unless another write's
     * lease is still alive: then it stays a lease until that one ends or expires.
     */
    static final String END_LEASES_SCRIPT = LEASE_HELPERS + """
            local n = #KEYS / 2
            local at = now()
            for i = 1, n do
              if ARGV[i] ~= '' then
                redis.call('ZREM', KEYS[n + i], ARGV[i])
              end
              settle(KEYS[i], KEYS[n + i], ARGV[n + i], at)
            end
            return 1
            """;

    /** KEYS = version keys; ARGV = fresh tokens. Each key keeps its token or gets the fresh one; all are returned. */
    static final String INIT_SCRIPT = """
            local current = {}
            for i = 1, #KEYS do
              redis.call('SET', KEYS[i], ARGV[i], 'NX')
              current[i] = redis.call('GET', KEYS[i])
            end
            return current
            """;

    /**
     * Shared by the membership scripts (KEYS[1] = members, KEYS[2] = fence). The set holds one more entry, its
     * epoch, scored +inf so that it is never the earliest and never dropped: the epoch vanishes with the set (a
     * restart without persistence, an eviction), which members notice. The fence lives until the earliest
     * membership lapses; while a lapsed member remains it stays deleted; when it comes back it has a fresh token
     * prefixed with the server's run id, so a fence restored by a restart (from a snapshot that may predate
     * acknowledged invalidations) is recognised and replaced.
     */
    private static final String FENCE_HELPERS = """
            local function runid()
              return string.match(redis.call('INFO', 'server'), 'run_id:(%x+)')
            end
            local function fence(at, fresh)
              local run = runid()
              local current = redis.call('GET', KEYS[2])
              if current and string.sub(current, 1, #run + 1) ~= run .. ':' then
                redis.call('DEL', KEYS[2])
              end
              local first = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(+inf', 'WITHSCORES', 'LIMIT', 0, 1)
              if #first == 0 then
                redis.call('PERSIST', KEYS[2])
                return
              end
              local earliest = tonumber(first[2])
              if earliest <= at then
                redis.call('DEL', KEYS[2])
                return
              end
              if redis.call('EXISTS', KEYS[2]) == 0 then
                redis.call('SET', KEYS[2], run .. ':' .. fresh)
              end
              redis.call('PEXPIRE', KEYS[2], earliest - at)
            end
            local function epochOf()
              return redis.call('ZRANGEBYSCORE', KEYS[1], '+inf', '+inf')[1]
            end
            """;

    /**
     * KEYS[1] = members, KEYS[2] = fence, KEYS[3] = the join ticket; ARGV = member, '1' to join, membership ms,
     * fence timeout ms, fresh token, the cap of a renewal (server ms, 0 for none), the epoch the member remembers
     * ('' for none). Returns {server time, epoch, member, lapse, ...} when the member is alive afterwards, {-1} when
     * its membership had lapsed or its ticket had expired (it must join again), {-2} when the set is not the one
     * the member remembers (it must restore it first). A renewal never lowers a membership and never takes it
     * beyond its cap.
     */
    static final String RENEW_SCRIPT = SERVER_CLOCK + FENCE_HELPERS + """
            local epoch = epochOf()
            if ARGV[7] ~= '' and epoch ~= ARGV[7] then
              return {-2}
            end
            local at = now()
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', at - tonumber(ARGV[4]))
            local lapse = at + tonumber(ARGV[3])
            if ARGV[2] == '1' then
              if redis.call('DEL', KEYS[3]) == 0 then
                return {-1}
              end
            else
              local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
              if not score or tonumber(score) <= at then
                fence(at, ARGV[5])
                return {-1}
              end
              local cap = tonumber(ARGV[6])
              if cap > 0 and cap < lapse then
                lapse = cap
              end
              if tonumber(score) > lapse then
                lapse = tonumber(score)
              end
            end
            redis.call('ZADD', KEYS[1], lapse, ARGV[1])
            if not epoch then
              epoch = 'epoch:' .. ARGV[5]
              redis.call('ZADD', KEYS[1], '+inf', epoch)
            end
            fence(at, ARGV[5])
            local reply = {at, epoch}
            local all = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(+inf', 'WITHSCORES')
            for i = 1, #all do
              reply[#reply + 1] = all[i]
            end
            return reply
            """;

    /**
     * KEYS[1] = members, KEYS[2] = fence; ARGV = the remembered epoch, then member, lapse pairs. Puts them back
     * (never over a newer entry), keeps an epoch already there (another member restored first) or sets the
     * remembered one, and takes the fence down. Returns the epoch.
     */
    static final String RESTORE_SCRIPT = """
            redis.call('DEL', KEYS[2])
            for i = 2, #ARGV, 2 do
              redis.call('ZADD', KEYS[1], 'NX', ARGV[i + 1], ARGV[i])
            end
            local epoch = redis.call('ZRANGEBYSCORE', KEYS[1], '+inf', '+inf')[1]
            if not epoch then
              epoch = ARGV[1]
              redis.call('ZADD', KEYS[1], '+inf', epoch)
            end
            return epoch
            """;
    private static final byte[] RESTORE_SCRIPT_BYTES = RESTORE_SCRIPT.getBytes(StandardCharsets.UTF_8);
    private static final byte[] RESTORE_SCRIPT_SHA = sha1Hex(RESTORE_SCRIPT_BYTES);

    /**
     * KEYS[1] = the ticket; ARGV[1] = its life in ms. The DEL first is a write a full Redis (maxmemory,
     * noeviction) still allows, and a script that has written may go on writing: so a JVM can join a full Redis,
     * as the renewal and lease scripts (which also start with a deletion) keep working in one.
     */
    static final String TICKET_SCRIPT = """
            redis.call('DEL', KEYS[1])
            redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
            return 1
            """;
    private static final byte[] TICKET_SCRIPT_BYTES = TICKET_SCRIPT.getBytes(StandardCharsets.UTF_8);
    private static final byte[] TICKET_SCRIPT_SHA = sha1Hex(TICKET_SCRIPT_BYTES);

    /** KEYS[1] = members, KEYS[2] = fence; ARGV = member, fresh token. */
    static final String LEAVE_SCRIPT = SERVER_CLOCK + FENCE_HELPERS + """
            redis.call('ZREM', KEYS[1], ARGV[1])
            fence(now(), ARGV[2])
            return 1
            """;

    private static final byte[] RENEW_SCRIPT_BYTES = RENEW_SCRIPT.getBytes(StandardCharsets.UTF_8);
    private static final byte[] RENEW_SCRIPT_SHA = sha1Hex(RENEW_SCRIPT_BYTES);
    private static final byte[] LEAVE_SCRIPT_BYTES = LEAVE_SCRIPT.getBytes(StandardCharsets.UTF_8);
    private static final byte[] LEAVE_SCRIPT_SHA = sha1Hex(LEAVE_SCRIPT_BYTES);
    private static final byte[] PUT_SCRIPT = PUT_IF_VERSIONS_SCRIPT.getBytes(StandardCharsets.UTF_8);
    private static final byte[] INIT_SCRIPT_BYTES = INIT_SCRIPT.getBytes(StandardCharsets.UTF_8);
    private static final byte[] INIT_SCRIPT_SHA = sha1Hex(INIT_SCRIPT_BYTES);
    private static final byte[] LEASE_SCRIPT_BYTES = LEASE_SCRIPT.getBytes(StandardCharsets.UTF_8);
    private static final byte[] LEASE_SCRIPT_SHA = sha1Hex(LEASE_SCRIPT_BYTES);
    private static final byte[] END_LEASES_SCRIPT_BYTES = END_LEASES_SCRIPT.getBytes(StandardCharsets.UTF_8);
    private static final byte[] END_LEASES_SCRIPT_SHA = sha1Hex(END_LEASES_SCRIPT_BYTES);
    private static final byte[] PUT_SCRIPT_SHA = sha1Hex(PUT_SCRIPT);
    private static final int SCAN_BATCH = 500;
    private static final byte[] MEMBERS_KEY_BYTES = bytes(MEMBERS_KEY);
    /** Suffix of the sorted set holding the live leases of a version key. */
    static final String HOLDERS_SUFFIX = ":leases";

    private final RedisClient client;
    private final PooledConnectionProvider pool;
    private final String description;
    private final RedisFailures failures;
    private final AtomicLong reconnects = new AtomicLong();

    /** Opens the pool lazily: no connection is made until the first operation. */
    public RedisCacheStore(RedisSettings settings) {
        DefaultJedisClientConfig clientConfig = RedisConnections.clientConfig(settings, "sqlcache");
        HostAndPort address = new HostAndPort(settings.host(), settings.port());
        JedisSocketFactory sockets = RedisConnections.sockets(settings, clientConfig);
        this.pool = new PooledConnectionProvider(new ConnectionFactory(sockets, clientConfig), poolConfig(settings));
        // The builder insists on an address even though our provider already knows how to connect.
        this.client = RedisClient.builder().hostAndPort(address).clientConfig(clientConfig)
                .connectionProvider(pool).build();
        this.description = "redis " + settings.describe();
        this.failures = new RedisFailures(settings.describe(), settings.password(), settings.socketTimeoutMillis());
        log.info("Cache store: {} (pool of {})", description, settings.maxConnections());
    }

    private static ConnectionPoolConfig poolConfig(RedisSettings settings) {
        ConnectionPoolConfig config = new ConnectionPoolConfig();
        config.setMaxTotal(settings.maxConnections());
        config.setMaxIdle(settings.maxConnections());
        config.setMinIdle(0);
        config.setBlockWhenExhausted(true);
        // Waiting for a free connection is bounded like everything else: the cache must never stall a query.
        config.setMaxWait(Duration.ofMillis(settings.connectTimeoutMillis()));
        config.setTestOnBorrow(false); // a PING per borrow would double the round trips
        config.setJmxEnabled(false);
        return config;
    }

    @Override
    public Lookup lookup(String entryKey, String[] versionKeys) {
        byte[][] keys = new byte[versionKeys.length + 1][];
        keys[0] = bytes(entryKey);
        for (int i = 0; i < versionKeys.length; i++) {
            keys[i + 1] = bytes(versionKeys[i]);
        }
        List<byte[]> values = execute("lookup", () -> client.mget(keys));
        String[] versions = new String[versionKeys.length];
        for (int i = 0; i < versions.length; i++) {
            versions[i] = text(values.get(i + 1));
        }
        return new Lookup(values.get(0), versions);
    }

    @Override
    public String[] initVersions(String[] versionKeys) {
        if (versionKeys.length == 0) {
            return new String[0];
        }
        String[] fresh = new String[versionKeys.length];
        for (int i = 0; i < fresh.length; i++) {
            fresh[i] = VersionTokens.fresh();
        }
        // One script: set-if-absent, then read back; works on every Redis with scripting (SET NX GET needs 7.0).
        List<byte[]> keys = new ArrayList<>(versionKeys.length);
        List<byte[]> args = new ArrayList<>(versionKeys.length);
        for (int i = 0; i < versionKeys.length; i++) {
            keys.add(bytes(versionKeys[i]));
            args.add(bytes(fresh[i]));
        }
        Object reply = script("initVersions", INIT_SCRIPT_SHA, INIT_SCRIPT_BYTES, keys, args);
        List<byte[]> previous = new ArrayList<>(versionKeys.length);
        for (Object token : (List<?>) reply) {
            previous.add((byte[]) token);
        }
        String[] current = new String[versionKeys.length];
        for (int i = 0; i < current.length; i++) {
            current[i] = text(previous.get(i));
        }
        return current;
    }

    @Override
    public boolean putIfVersions(String entryKey, byte[] value, long ttlSeconds, String[] versionKeys,
                                 String[] expectedTokens) {
        PutArguments.check(value, ttlSeconds, versionKeys, expectedTokens);
        List<byte[]> keys = new ArrayList<>(versionKeys.length + 1);
        keys.add(bytes(entryKey));
        List<byte[]> args = new ArrayList<>(expectedTokens.length + 2);
        args.add(value);
        args.add(bytes(Long.toString(ttlSeconds)));
        for (int i = 0; i < versionKeys.length; i++) {
            keys.add(bytes(versionKeys[i]));
            args.add(bytes(expectedTokens[i]));
        }
        Object stored = execute("putIfVersions", () -> {
            try {
                return client.evalsha(PUT_SCRIPT_SHA, keys, args);
            } catch (JedisNoScriptException e) {
                // The server lost its script cache (restart, SCRIPT FLUSH): EVAL sends and caches it again.
                return client.eval(PUT_SCRIPT, keys, args);
            }
        });
        return stored instanceof Long number && number == 1L;
    }

    @Override
    public void leaseVersions(String[] versionKeys, String[] leases, long leaseMillis) {
        if (versionKeys.length == 0) {
            return;
        }
        List<byte[]> keys = withHolders(versionKeys);
        List<byte[]> args = new ArrayList<>(versionKeys.length + 1);
        for (int i = 0; i < versionKeys.length; i++) {
            args.add(bytes(leases[i]));
        }
        args.add(bytes(Long.toString(Math.max(1, leaseMillis))));
        try {
            script("leaseVersions", LEASE_SCRIPT_SHA, LEASE_SCRIPT_BYTES, keys, args);
        } catch (CacheStoreException e) {
            if (!isOutOfMemory(e.getCause())) {
                throw e;
            }
            deleteUnderOutOfMemory(versionKeys);
        }
    }

    @Override
    public void endLeases(String[] versionKeys, String[] leaseTokens) {
        if (versionKeys.length == 0) {
            return;
        }
        List<byte[]> keys = withHolders(versionKeys);
        List<byte[]> args = new ArrayList<>(versionKeys.length * 2);
        for (int i = 0; i < versionKeys.length; i++) {
            args.add(bytes(leaseTokens == null || leaseTokens[i] == null ? "" : leaseTokens[i]));
        }
        for (int i = 0; i < versionKeys.length; i++) {
            args.add(bytes(VersionTokens.fresh()));
        }
        try {
            script("endLeases", END_LEASES_SCRIPT_SHA, END_LEASES_SCRIPT_BYTES, keys, args);
        } catch (CacheStoreException e) {
            if (!isOutOfMemory(e.getCause())) {
                throw e;
            }
            deleteUnderOutOfMemory(versionKeys);
        }
    }

    /** The version keys followed by their lease holders sets, as the lease scripts take them. */
    private static List<byte[]> withHolders(String[] versionKeys) {
        List<byte[]> keys = new ArrayList<>(versionKeys.length * 2);
        for (String key : versionKeys) {
            keys.add(bytes(key));
        }
        for (String key : versionKeys) {
            keys.add(bytes(key + HOLDERS_SUFFIX));
        }
        return keys;
    }

    private Object script(String operation, byte[] sha, byte[] body, List<byte[]> keys, List<byte[]> args) {
        return execute(operation, () -> {
            try {
                return client.evalsha(sha, keys, args);
            } catch (JedisNoScriptException e) {
                return client.eval(body, keys, args);
            }
        });
    }

    /**
     * A full Redis refuses SET but still deletes. A deleted token is as good as a fresh one: readers must recreate
     * it (which a full Redis refuses too, so they go to the database), and no old entry can ever match the new one.
     */
    private void deleteUnderOutOfMemory(String[] versionKeys) {
        byte[][] keys = new byte[versionKeys.length][];
        for (int i = 0; i < versionKeys.length; i++) {
            keys[i] = bytes(versionKeys[i]);
        }
        execute("invalidate (deleting, Redis is out of memory)", () -> client.del(keys));
    }

    @Override
    public void bumpVersions(String[] versionKeys) {
        if (versionKeys.length == 0) {
            return;
        }
        // A bump is the end of no particular lease: fresh tokens, except where a write is still in flight.
        endLeases(versionKeys, null);
    }

    @Override
    public void joinTicket(String ticket, long ticketMillis) {
        script("joinTicket", TICKET_SCRIPT_SHA, TICKET_SCRIPT_BYTES, List.of(bytes(TICKET_PREFIX + ticket)),
                List.of(bytes(Long.toString(Math.max(1, ticketMillis)))));
    }

    @Override
    public Renewal renew(String member, String joinTicket, long memberMillis, long fenceMillis, long notAfter,
                         String rememberedEpoch) {
        boolean join = joinTicket != null;
        List<byte[]> keys = List.of(bytes(MEMBERS_KEY), bytes(FENCE_KEY),
                bytes(join ? TICKET_PREFIX + joinTicket : TICKET_PREFIX));
        List<byte[]> args = List.of(bytes(member), bytes(join ? "1" : "0"), bytes(Long.toString(memberMillis)),
                bytes(Long.toString(fenceMillis)), bytes(VersionTokens.fresh()),
                bytes(Long.toString(Math.max(NO_CAP, notAfter))), bytes(rememberedEpoch == null ? "" : rememberedEpoch));
        List<?> reply = (List<?>) script("renewMembership", RENEW_SCRIPT_SHA, RENEW_SCRIPT_BYTES, keys, args);
        long at = (Long) reply.get(0);
        if (at < 0) {
            return new Renewal(at, null, Map.of());
        }
        Map<String, Long> members = new LinkedHashMap<>();
        for (int i = 2; i + 1 < reply.size(); i += 2) {
            members.put(text((byte[]) reply.get(i)), (long) Double.parseDouble(text((byte[]) reply.get(i + 1))));
        }
        return new Renewal(at, text((byte[]) reply.get(1)), members);
    }

    @Override
    public String restoreMembers(String epoch, Map<String, Long> members) {
        List<byte[]> keys = List.of(bytes(MEMBERS_KEY), bytes(FENCE_KEY));
        List<byte[]> args = new ArrayList<>(1 + 2 * members.size());
        args.add(bytes(epoch));
        members.forEach((member, lapse) -> {
            args.add(bytes(member));
            args.add(bytes(Long.toString(lapse)));
        });
        return text((byte[]) script("restoreMembers", RESTORE_SCRIPT_SHA, RESTORE_SCRIPT_BYTES, keys, args));
    }

    @Override
    public void leaveMembership(String member) {
        List<byte[]> keys = List.of(bytes(MEMBERS_KEY), bytes(FENCE_KEY));
        List<byte[]> args = List.of(bytes(member), bytes(VersionTokens.fresh()));
        script("leaveMembership", LEAVE_SCRIPT_SHA, LEAVE_SCRIPT_BYTES, keys, args);
    }

    private static boolean isOutOfMemory(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof redis.clients.jedis.exceptions.JedisDataException && t.getMessage() != null
                    && t.getMessage().startsWith("OOM")) {
                return true;
            }
        }
        return false;
    }

    @Override
    public long deleteMatching(String pattern) {
        ScanParams params = new ScanParams().match(bytes(pattern)).count(SCAN_BATCH);
        byte[] cursor = ScanParams.SCAN_POINTER_START_BINARY;
        long deleted = 0;
        do {
            byte[] from = cursor;
            ScanResult<byte[]> page = execute("deleteMatching", () -> client.scan(from, params));
            List<byte[]> keys = new ArrayList<>(page.getResult());
            // Membership is not cached data: dropping it would let a member cut off right now write unfenced.
            keys.removeIf(key -> Arrays.equals(key, MEMBERS_KEY_BYTES));
            if (!keys.isEmpty()) {
                deleted += execute("deleteMatching", () -> client.unlink(keys.toArray(new byte[0][])));
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
            return "PONG".equals(execute("ping", client::ping));
        } catch (CacheStoreException e) {
            log.debug("Ping failed: {}", e.getMessage());
            return false;
        }
    }

    @Override
    public long reconnects() {
        return reconnects.get();
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public void close() {
        try {
            client.close();
        } catch (RuntimeException e) {
            log.debug("Closing {} failed: {}", description, e.getMessage());
        }
    }

    /** Runs one operation, retrying once after a connection that died while idle, translating every failure. */
    private <T> T execute(String operation, Supplier<T> action) {
        try {
            return action.get();
        } catch (RuntimeException first) {
            if (!RedisFailures.isStaleConnection(first)) {
                throw failures.translate(operation, first);
            }
            // Other idle connections are probably dead too (the server restarted): drop them all at once.
            reconnects.incrementAndGet();
            clearIdleConnections();
            try {
                return action.get();
            } catch (RuntimeException second) {
                throw failures.translate(operation, second);
            }
        }
    }

    private void clearIdleConnections() {
        try {
            pool.getPool().clear();
        } catch (RuntimeException e) {
            log.debug("Clearing idle connections of {} failed: {}", description, e.getMessage());
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    private static byte[] sha1Hex(byte[] script) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest(script);
            return HexFormat.of().formatHex(digest).getBytes(StandardCharsets.US_ASCII);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required of every JVM", e);
        }
    }
}
