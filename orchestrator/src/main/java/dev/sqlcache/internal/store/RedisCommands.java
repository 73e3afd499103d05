package dev.sqlcache.internal.store;

import dev.sqlcache.internal.config.RedisSettings;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.Connection;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisSocketFactory;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisNoScriptException;
import redis.clients.jedis.providers.ConnectionProvider;

/**
 * One pooled Jedis client for one Redis, shared by the cache's commands and the membership's: every call is one
 * round trip, translated into a {@link CacheStoreException} when it fails. A connection that died while idle (the
 * server restarted) is retried once on a fresh connection, so the same instance recovers without being recreated;
 * timeouts are not retried.
 */
public final class RedisCommands implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RedisCommands.class);

    private final RedisClient client;
    /** Where {@link #client} takes its connections; {@link #pipelined} borrows from it directly. */
    private final ConnectionProvider connections;
    /** The pool to a fixed address; {@code null} with Sentinel or a cluster. */
    private final LeanConnectionPool pool;
    /** The connections to the primary Sentinel names; {@code null} for a fixed address. */
    private final SentinelConnections sentinel;
    /** The connections to the master of sqlcache's slot on a Redis Cluster; {@code null} otherwise. */
    private final ClusterConnections cluster;
    private final String description;
    private final RedisFailures failures;
    private final AtomicLong reconnects = new AtomicLong();
    /** On a cluster, the entries' masters that failed lately: their lookups and stores are skipped for a while. */
    private final NodeBackoff entryNodes = new NodeBackoff();
    /** Misconfigurations already logged, by what fixes them (one ERROR each); bounded, to be safe. */
    private final java.util.Set<String> misconfigurationsLogged = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private static final int MAX_LOGGED_CAUSES = 16;

    /** Opens the pool lazily: no connection is made until the first command. */
    public RedisCommands(RedisSettings settings) {
        this(settings, poolConfig(settings));
    }

    /**
     * With the given pool settings for Sentinel and Cluster (tests use them to hold Jedis in the middle of a change of
     * primary); a fixed address takes its own pool from the settings alone.
     */
    RedisCommands(RedisSettings settings, ConnectionPoolConfig poolConfig) {
        DefaultJedisClientConfig clientConfig = RedisConnections.clientConfig(settings, "sqlcache");
        this.description = "redis " + settings.describe();
        ConnectionProvider connections;
        HostAndPort address;
        if (settings.usesCluster()) {
            this.pool = null;
            this.sentinel = null;
            this.cluster = new ClusterConnections(settings.cluster(), clientConfig, poolConfig, description);
            connections = cluster;
            var first = settings.cluster().nodes().get(0);
            address = new HostAndPort(first.host(), first.port());
        } else if (settings.usesSentinel()) {
            this.pool = null;
            this.cluster = null;
            this.sentinel = new SentinelConnections(settings, clientConfig, poolConfig, description);
            connections = sentinel;
            var first = settings.sentinel().nodes().get(0);
            address = new HostAndPort(first.host(), first.port());
        } else {
            address = new HostAndPort(settings.host(), settings.port());
            JedisSocketFactory sockets = RedisConnections.sockets(settings, clientConfig);
            // Our own pool, not commons-pool2's: a borrow and a return are on every command's path (LeanConnectionPool).
            this.pool = new LeanConnectionPool(sockets, clientConfig, settings.maxConnections(),
                    settings.connectTimeoutMillis());
            this.sentinel = null;
            this.cluster = null;
            connections = pool;
        }
        this.connections = connections;
        // The builder insists on an address even though our provider already knows how to connect.
        this.client = RedisClient.builder().hostAndPort(address).clientConfig(clientConfig)
                .connectionProvider(connections).build();
        this.failures = RedisFailures.of(settings);
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
        // No evictor: its timer thread is shared by every pool in the JVM and would outlive an undeploy.
        config.setTimeBetweenEvictionRuns(Duration.ofMillis(-1));
        return config;
    }

    /** The client, for commands issued through {@link #execute}. */
    RedisClient client() {
        return client;
    }

    /** For logs: kind and address, never a password. */
    public String describe() {
        return description;
    }

    /**
     * How many times Sentinel moved the primary (or the cluster moved sqlcache's slot to another master) since this
     * client first found it; 0 for a fixed address.
     */
    public long primaryChanges() {
        return sentinel != null ? sentinel.primaryChanges() : cluster != null ? cluster.primaryChanges() : 0;
    }

    /** The count of {@link #primariesFound()} last seen by {@link #primaryChangedWithin}, and when it was seen. */
    private long changesSeen;
    private long changeSeenNanos = System.nanoTime();

    /**
     * Whether this client saw the primary (the slot's master) change, or found its first, less than {@code millis}
     * ago. Read right after a command: that command ran on a primary this covers. A change is seen no earlier than
     * it happened, so the time it was seen is a safe stand-in for when the new primary began to serve; a client that
     * finds its first primary has seen none of the changes before, so finding it counts as one. It is noted at the
     * first call after the provider opened (the first write, for the near channel), not at the store's creation:
     * the sentinels or the slot map may first answer long after that.
     */
    public synchronized boolean primaryChangedWithin(long millis) {
        long changes = primariesFound();
        long now = System.nanoTime();
        if (changes != changesSeen) {
            changesSeen = changes;
            changeSeenNanos = now;
        }
        return now - changeSeenNanos < java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(millis);
    }

    /** The primaries this client has found: the first, once found, plus every change since; 0 for a fixed address. */
    private long primariesFound() {
        if (sentinel != null) {
            return sentinel.found() ? 1 + sentinel.primaryChanges() : 0;
        }
        return cluster != null && cluster.found() ? 1 + cluster.primaryChanges() : 0;
    }

    /**
     * Whether another server can take over as the primary (the master of sqlcache's slot) under this client: with
     * Sentinel or on a Cluster, where a promoted replica may lack the last writes. Not a fixed address, whose
     * restart ends every connection to it.
     */
    public boolean primaryCanChange() {
        return sentinel != null || cluster != null;
    }

    /** Whether Redis is a cluster: keys and scripts then go through {@link #key} and {@link #script}'s tagging. */
    public boolean cluster() {
        return cluster != null;
    }

    /**
     * The key as this Redis stores it: itself, or on a cluster with sqlcache's hash tag ({@link ClusterKeys}).
     * Every key sent outside {@link #script} goes through here.
     */
    byte[] key(byte[] key) {
        return cluster == null ? key : ClusterKeys.physical(key);
    }

    /**
     * An entry's key as this Redis stores it: itself, or on a cluster with its hash in braces, which spreads entries
     * over every slot ({@link ClusterKeys#entry}). Commands naming it go through {@link #pipelined(byte[], int,
     * CommandArguments...)}, {@link #setEntry} or {@link #entryLength}, to its own slot's master.
     */
    byte[] entryKey(byte[] key) {
        return cluster == null ? key : ClusterKeys.entry(key);
    }

    /** {@link #key(byte[])} for a key or a SCAN pattern given as text. */
    String key(String key) {
        return cluster == null ? key : ClusterKeys.physical(key);
    }

    /**
     * How many times idle connections were found dead and replaced (the server may have restarted), plus how many
     * times Sentinel moved the primary (the new one may lack the last writes). Read after a command, it counts
     * every such event that command may have run after.
     */
    public long reconnects() {
        return sentinel == null && cluster == null ? reconnects.get() : reconnects.get() + primaryChanges();
    }

    /** Runs one command, retrying once after a connection that died while idle, translating every failure. */
    public <T> T execute(String operation, Supplier<T> action) {
        try {
            return run(operation, null, action);
        } catch (CacheStoreException e) {
            throw reported(operation, e);
        }
    }

    /**
     * @param script the script's name, told in every failure (a denied command inside a script is not named by the
     *               server), or {@code null}; joined to the operation only when one is reported, never per call
     */
    private <T> T run(String operation, String script, Supplier<T> action) {
        try {
            return action.get();
        } catch (EntryNodeUnavailable notTheStores) {
            throw notTheStores; // one entry node, not the store: no retry, no translation (the caller skips it)
        } catch (RuntimeException first) {
            if (cluster != null && (RedisFailures.isRedirection(first) || first instanceof JedisConnectionException)) {
                // A failover or a moved slot: read the slot map again (the next command goes to the new master,
                // and counts as a change of primary, which doubts what it reads until a renewal ran there).
                cluster.refresh();
            }
            if (!RedisFailures.isStaleConnection(first)) {
                throw failures.translate(named(operation, script), first);
            }
            // Other idle connections are probably dead too (the server restarted): drop them all at once.
            reconnects.incrementAndGet();
            clearIdleConnections();
            try {
                return action.get();
            } catch (RuntimeException second) {
                boolean closedTwice = RedisFailures.isClosedByServer(first) && RedisFailures.isClosedByServer(second);
                CacheStoreException failure = failures.translate(named(operation, script), second, closedTwice);
                Misconfiguration refused = failure.misconfiguration();
                if (refused != null && refused.notRun()) {
                    // The retry was refused before running, but the first attempt's connection died after it may
                    // have carried the command to the server: it may have run.
                    failure = new CacheStoreException(failure.getMessage(), failure.getCause(),
                            new Misconfiguration(refused.cause(), refused.fix(), false));
                }
                throw failure;
            }
        }
    }

    private static String named(String operation, String script) {
        return script == null ? operation : operation + " (" + script + ")";
    }

    /**
     * Logs a misconfiguration once per fix, at ERROR: it will fail every call that needs what is missing until a
     * setting changes, and the fail-open guard, which treats it as an outage, does not log it again.
     */
    private CacheStoreException reported(String operation, CacheStoreException failure) {
        Misconfiguration misconfiguration = failure.misconfiguration();
        if (misconfiguration != null && misconfigurationsLogged.size() < MAX_LOGGED_CAUSES
                && misconfigurationsLogged.add(misconfiguration.fix())) {
            boolean membership = operation.startsWith("renewMembership") || operation.startsWith("joinTicket");
            LOG.error("sqlcache: {} cannot be used as configured: {}; fix: {}. Statements go to the database "
                    + "while calls that need it fail (as if Redis were down, retried every few seconds). {}",
                    description, misconfiguration.cause(), misconfiguration.fix(), membership
                            ? "This JVM cannot join the membership, so it fences nobody: JVMs that reach this Redis "
                                    + "with working settings may serve answers older than this JVM's writes, until "
                                    + "sqlcache.ttl."
                            : "This JVM cannot tell other JVMs about its writes: if it never joined the membership "
                                    + "it fences nobody, and JVMs that reach this Redis with working settings may "
                                    + "serve answers older than its writes until sqlcache.ttl (if it had joined, "
                                    + "they stay off the cache until sqlcache.fenceTimeout).");
        }
        return failure;
    }

    /** Runs a script by its SHA, sending its text when the server does not know it (restart, SCRIPT FLUSH). */
    public Object script(String operation, RedisScript plain, List<byte[]> logicalKeys, List<byte[]> args) {
        return script(operation, plain, logicalKeys, args, null);
    }

    /**
     * {@link #script(String, RedisScript, List, List)} with arguments drawn again for each attempt: for a script that
     * writes fresh tokens. The first attempt, whose connection died, may still reach the server after the retry was
     * answered (a proxy, a split TCP path), and with the same tokens it would put back the retry's token after a later
     * write had replaced it: what readers stored under it before that write would be served again (docs/consistency.md,
     * "A retried script's tokens").
     */
    public Object script(String operation, RedisScript plain, List<byte[]> logicalKeys,
                         Supplier<List<byte[]>> argsPerAttempt) {
        return script(operation, plain, logicalKeys, null, argsPerAttempt);
    }

    /** Either {@code fixedArgs} or {@code argsPerAttempt}: the fixed ones need no supplier allocated per call. */
    private Object script(String operation, RedisScript plain, List<byte[]> logicalKeys, List<byte[]> fixedArgs,
                          Supplier<List<byte[]>> argsPerAttempt) {
        RedisScript script = cluster == null ? plain : plain.tagged();
        List<byte[]> keys = cluster == null ? logicalKeys : ClusterKeys.physical(logicalKeys);
        // The script's name in every failure: a denied command inside a script is not named by the server.
        try {
            return run(operation, script.name(), () -> {
                List<byte[]> args = fixedArgs != null ? fixedArgs : argsPerAttempt.get();
                try {
                    return client.evalsha(script.sha(), keys, args);
                } catch (JedisNoScriptException e) {
                    return client.eval(script.body(), keys, args);
                }
            });
        } catch (CacheStoreException e) {
            String denied = RedisFailures.permissionDenial(e);
            if (denied != null && !denied.startsWith("NOPERM")) {
                String commands = "; " + script.name() + " runs " + script.commands();
                Misconfiguration m = e.misconfiguration();
                throw reported(operation, new CacheStoreException(e.getMessage() + commands, e.getCause(),
                        m == null ? null : new Misconfiguration(m.cause() + commands, m.fix(), m.notRun())));
            }
            throw reported(operation, e);
        }
    }

    /**
     * Sends the commands in one write and reads their replies in order, on one pooled connection: one round trip, and
     * none of a script's cost on the server. An error reply (a key of another type, a denied command) comes back in
     * its place as the {@link redis.clients.jedis.exceptions.JedisDataException} it is; a broken connection throws.
     * Not translated: call it inside {@link #execute}, which retries a connection that died while idle.
     */
    List<Object> pipelined(CommandArguments... commands) {
        try (Connection connection = connections.getConnection()) {
            for (CommandArguments command : commands) {
                connection.sendCommand(command);
            }
            return connection.getMany(commands.length);
        }
    }

    /**
     * {@link #pipelined(CommandArguments...)} where the first {@code entryCommands} name the entry {@code entryKey}
     * (as stored) and the rest name control-slot keys. On a cluster whose entry slot has another master, the two
     * groups go to their two masters in parallel: both are written and flushed before either reply is read, so the
     * wait is one round trip, not two, and no thread is involved. The replies come back in the commands' order. A
     * connection whose replies were not all read (the other failed) is closed as broken, never pooled with replies
     * pending.
     */
    List<Object> pipelined(byte[] entryKey, int entryCommands, CommandArguments... commands) {
        if (cluster == null) {
            return pipelined(commands);
        }
        redis.clients.jedis.ConnectionPool entryPool = cluster.pool(ClusterKeys.slot(entryKey));
        if (entryPool == null) {
            // No master serves the entry's slot (a cluster that runs without full coverage): that entry's lookups
            // go to the database, the store stays in use for every other (review rC).
            cluster.refresh();
            throw new EntryNodeUnavailable("no master of slot " + ClusterKeys.slot(entryKey) + " is known", null);
        }
        if (entryPool == cluster.pool(ClusterKeys.SLOT)) {
            return pipelined(commands); // the entry's slot is on the control node: one connection
        }
        if (entryNodes.skip(entryPool)) {
            throw new EntryNodeUnavailable("the entry's node failed a moment ago; asking again shortly", null);
        }
        Connection entry = borrowEntry(entryPool);
        try (entry; Connection control = connections.getConnection()) {
            boolean read = false;
            try {
                try {
                    for (int i = 0; i < entryCommands; i++) {
                        entry.sendCommand(commands[i]);
                    }
                    entry.getMany(0); // flushes, reads nothing: the entry's node works while the control node is asked
                } catch (JedisConnectionException e) {
                    throw entryNodeFailed(entryPool, e);
                }
                for (int i = entryCommands; i < commands.length; i++) {
                    control.sendCommand(commands[i]);
                }
                control.getMany(0);
                List<Object> entryReplies;
                try {
                    entryReplies = entry.getMany(entryCommands);
                } catch (JedisConnectionException e) {
                    control.getMany(commands.length - entryCommands); // pooled with nothing pending, if it answers
                    read = true;
                    entry.setBroken();
                    throw entryNodeFailed(entryPool, e);
                }
                List<Object> replies = new java.util.ArrayList<>(commands.length);
                replies.addAll(entryReplies);
                replies.addAll(control.getMany(commands.length - entryCommands));
                read = true;
                entryNodes.succeeded(entryPool);
                // A MOVED, ASK or CLUSTERDOWN among the entry's replies comes back in its place, as it does from the
                // control node's one connection: the caller makes that read a miss with the tokens read, one policy
                // for every node (RedisLookup#redirected, review of issue #15).
                return replies;
            } finally {
                if (!read) {
                    entry.setBroken();
                    control.setBroken();
                }
            }
        }
    }

    /**
     * An entry's node answered {@code MOVED} or {@code ASK}: the slot map is read again (off the caller's thread, at
     * most every 200 ms), and the caller takes that read or store as a miss or a refusal, not as a failure.
     */
    void entryRedirected() {
        if (cluster != null) {
            cluster.refresh();
        }
    }

    /**
     * Backs the entry's node off, reads the slot map again (it may have failed over) and says so as what it is: not
     * the store's failure. Only on a cluster, where the entry's node is not the control node.
     */
    private EntryNodeUnavailable entryNodeFailed(redis.clients.jedis.ConnectionPool entryPool,
                                                 JedisConnectionException e) {
        entryNodes.failed(entryPool);
        clearIdle(entryPool);
        cluster.refresh();
        return new EntryNodeUnavailable("the entry's node failed: " + e.getMessage(), e);
    }

    /**
     * Drops the idle connections to an entry's node that failed: a restart kills every one of them, and each would
     * fail one more lookup (and start one more back-off) when lookups at once next reach it; sequential ones reuse
     * the connection on top of the pool and would leave them there (ClusterEntryNodeFailuresTest). The control
     * node's are cleared by {@link #run}'s retry.
     */
    private void clearIdle(redis.clients.jedis.ConnectionPool entryPool) {
        try {
            entryPool.clear();
        } catch (RuntimeException e) {
            LOG.debug("Clearing idle connections to an entry's node of {} failed: {}", description, e.getMessage());
        }
    }

    /**
     * A connection to an entry's node from its pool. A node that cannot be reached fails that entry
     * ({@link #entryNodeFailed}); a pool with every connection in use past the wait (Jedis's plain
     * {@link redis.clients.jedis.exceptions.JedisException}, not a connection error) is that entry's unavailability
     * too, not the store's failure, and no back-off: the node answered, this JVM only asked it much at once.
     */
    private Connection borrowEntry(redis.clients.jedis.ConnectionPool entryPool) {
        try {
            return entryPool.getResource();
        } catch (JedisConnectionException e) {
            throw entryNodeFailed(entryPool, e);
        } catch (redis.clients.jedis.exceptions.JedisException e) {
            throw new EntryNodeUnavailable("no free connection to the entry's node: " + e.getMessage(), e);
        }
    }

    /**
     * {@code SET} of an entry (as stored) on its node, for {@code ttlSeconds}; {@code false} when that node is not the
     * control node and failed or is in its back-off (the store is then skipped, not the store's failure). Not
     * translated otherwise.
     */
    boolean setEntry(byte[] entryKey, byte[] value, byte[] ttlSeconds) {
        CommandArguments set = new CommandArguments(Protocol.Command.SET).add(entryKey).add(value)
                .add(EX).add(ttlSeconds);
        if (cluster == null) {
            try (Connection connection = connections.getConnection()) {
                connection.executeCommand(set);
                return true;
            }
        }
        redis.clients.jedis.ConnectionPool pool = cluster.pool(ClusterKeys.slot(entryKey));
        if (pool == null) {
            cluster.refresh();
            return false; // no master serves the slot: skipped, as for a node in its back-off (review rC)
        }
        if (pool == cluster.pool(ClusterKeys.SLOT)) {
            try (Connection connection = cluster.getConnection(ClusterKeys.slot(entryKey))) {
                connection.executeCommand(set);
                return true;
            } catch (redis.clients.jedis.exceptions.JedisRedirectionException
                     | redis.clients.jedis.exceptions.JedisClusterException e) {
                // An entry's slot of the control node moved (or is moving) away: refused, as on any other node, not
                // the store's failure (review rC, ClusterEntrySlotMoveTest).
                cluster.refresh();
                return false;
            }
        }
        if (entryNodes.skip(pool)) {
            return false;
        }
        try (Connection connection = borrowEntry(pool)) {
            connection.executeCommand(set);
            entryNodes.succeeded(pool);
            return true;
        } catch (EntryNodeUnavailable e) {
            return false; // unreachable (backed off) or no free connection: skipped
        } catch (JedisConnectionException e) {
            entryNodes.failed(pool);
            clearIdle(pool);
            cluster.refresh();
            return false;
        } catch (redis.clients.jedis.exceptions.JedisRedirectionException
                 | redis.clients.jedis.exceptions.JedisClusterException e) {
            // Moved, moving, or no longer served (CLUSTERDOWN for that slot): skipped (review rC).
            cluster.refresh();
            return false;
        }
    }

    private static final byte[] EX = bytes("EX");

    /**
     * {@code STRLEN} of the entry {@code entryKey} (as stored), on its node by the way a lookup reaches it (the
     * per-node back-off, a redirection in its reply's place); {@code -1} when that node is not to be asked now, has
     * no free connection, failed, or sends the key elsewhere: the caller knows a lower bound. Not translated
     * otherwise.
     */
    long entryLength(byte[] entryKey) {
        Object reply;
        try {
            reply = pipelined(entryKey, 1, new CommandArguments(Protocol.Command.STRLEN).add(entryKey)).get(0);
        } catch (EntryNodeUnavailable e) {
            return -1;
        }
        if (reply instanceof redis.clients.jedis.exceptions.JedisRedirectionException
                || reply instanceof redis.clients.jedis.exceptions.JedisClusterException) {
            entryRedirected();
            return -1;
        }
        if (reply instanceof RuntimeException e) {
            throw e;
        }
        return (Long) reply;
    }

    /**
     * Runs {@code action} on one connection to each master (the one server, or every master a cluster's slot map
     * names now: entries are spread over all of them), summing what it answers. A master that fails does not keep
     * the others from being asked (a flush frees what it can reach); the failure is thrown once all were asked, with
     * how many failed and the sum of the others, so that nobody takes a partial flush for a whole one. Not
     * translated.
     */
    long onEachMaster(java.util.function.ToLongFunction<Connection> action) {
        if (cluster == null) {
            try (Connection connection = connections.getConnection()) {
                return action.applyAsLong(connection);
            }
        }
        long sum = 0;
        RuntimeException first = null;
        int failed = 0;
        java.util.Collection<redis.clients.jedis.ConnectionPool> masters = cluster.masters();
        for (redis.clients.jedis.ConnectionPool master : masters) {
            try (Connection connection = master.getResource()) {
                sum += action.applyAsLong(connection);
            } catch (RuntimeException e) {
                failed++;
                first = first == null ? e : first;
            }
        }
        if (first instanceof JedisConnectionException connection) {
            throw new SomeMastersFailed(failed, masters.size(), sum, connection);
        }
        if (first != null) {
            throw first; // a refusal (a denied command): the same on every master, translated as it is
        }
        return sum;
    }

    private void clearIdleConnections() {
        try {
            if (sentinel != null) {
                sentinel.clearIdleConnections();
            } else if (cluster != null) {
                cluster.clearIdleConnections();
            } else {
                pool.clearIdleConnections();
            }
        } catch (RuntimeException e) {
            LOG.debug("Clearing idle connections of {} failed: {}", description, e.getMessage());
        }
    }

    public static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    public static String text(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        try {
            client.close();
            if (sentinel != null) {
                sentinel.close(); // idempotent; the client may not close a provider it was handed
            }
            if (cluster != null) {
                cluster.close();
            }
        } catch (RuntimeException e) {
            LOG.debug("Closing {} failed: {}", description, e.getMessage());
        }
    }
}
