package dev.sqlcache.internal.store;

import dev.sqlcache.internal.config.ClusterSettings;
import dev.sqlcache.internal.config.SentinelSettings;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.Connection;
import redis.clients.jedis.ConnectionPool;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.providers.ClusterConnectionProvider;
import redis.clients.jedis.providers.ConnectionProvider;

/**
 * Connections to the master of the control slot sqlcache's keys but the entries live in on a Redis Cluster
 * ({@link ClusterKeys}), and to an entry's slot's master ({@link #getConnection(int)}), through Jedis's cluster
 * provider (its slot map), plus what the cache needs on top: the cluster is asked for its
 * slot map only when a connection is first wanted, by one thread at a time and not again for a second after a
 * failure; the map is read again after a redirection or a lost connection (a failover, a slot moved); and every
 * change of the control slot's master is counted, because a promoted replica may have lost the last writes (replication is
 * asynchronous) and must be treated like a server restarted from an older snapshot, as with Sentinel.
 */
final class ClusterConnections implements ConnectionProvider {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterConnections.class);
    /** After the slot map could not be read, fail at once for this long rather than ask again per command. */
    private static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** The slot map is read again at most this often after failures: each read may wait for a dead node. */
    private static final long REFRESH_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    private final ClusterSettings cluster;
    private final JedisClientConfig config;
    private final GenericObjectPoolConfig<Connection> poolConfig;
    private final String description;
    private final AtomicLong primaryChanges = new AtomicLong();
    /** Opened on first use; written under {@code this}. */
    private volatile SlotMap provider;
    /** The pool seen last by {@link #primaryChanges()}, and its node (for logs). */
    private volatile Object lastPool;
    private volatile HostAndPort lastPrimary;
    /** Held by the one thread reading the slot map. */
    private final ReentrantLock reading = new ReentrantLock();
    private final AtomicLong refreshedAtNanos = new AtomicLong(System.nanoTime() - REFRESH_NANOS);
    /** Whether a read of the slot map is queued or running: one at a time, none piling up behind a slow one. */
    private final java.util.concurrent.atomic.AtomicBoolean refreshing =
            new java.util.concurrent.atomic.AtomicBoolean();
    /** Reads the slot map again after failures ({@link #refresh}), off the callers' threads. */
    private final java.util.concurrent.ExecutorService refresher =
            java.util.concurrent.Executors.newSingleThreadExecutor(runnable -> {
                Thread t = new Thread(runnable, "sqlcache-cluster-slots");
                t.setDaemon(true);
                return t;
            });
    /** One thread reads the slot map, the others fail at once; and not again for a second after a failure. */
    private final ProviderOpener<SlotMap> opener = new ProviderOpener<>(reading, RETRY_NANOS);
    /** Guarded by {@code this}. */
    private boolean closed;

    /** Jedis's provider, opened up to say which pool serves a slot now. */
    private static final class SlotMap extends ClusterConnectionProvider {
        SlotMap(Set<HostAndPort> nodes, JedisClientConfig config, GenericObjectPoolConfig<Connection> poolConfig) {
            super(nodes, config, poolConfig);
        }

        ConnectionPool pool() {
            return cache.getSlotPool(ClusterKeys.SLOT);
        }

        HostAndPort node() {
            return cache.getSlotNode(ClusterKeys.SLOT);
        }

        ConnectionPool pool(int slot) {
            return cache.getSlotPool(slot);
        }
    }

    ClusterConnections(ClusterSettings cluster, JedisClientConfig config,
                       GenericObjectPoolConfig<Connection> poolConfig, String description) {
        this.cluster = cluster;
        this.config = config;
        this.poolConfig = poolConfig;
        this.description = description;
    }

    /** Every command goes to the slot's master, whatever keys it names (all are in that slot) or none. */
    @Override
    public Connection getConnection() {
        ConnectionPool pool = provider().pool();
        if (pool == null) {
            refresh();
            throw new JedisConnectionException("no master of slot " + ClusterKeys.SLOT + " is known yet");
        }
        return pool.getResource();
    }

    /**
     * A connection to the master of {@code slot} (an entry's), by the slot map as it is: no command is retried
     * elsewhere, and a redirection reads the map again ({@link #refresh}). A change of that master is not counted as
     * a change of primary: nothing correct depends on what an entry's node holds (docs/consistency.md).
     */
    Connection getConnection(int slot) {
        ConnectionPool pool = pool(slot);
        if (pool == null) {
            refresh();
            throw new JedisConnectionException("no master of slot " + slot + " is known yet");
        }
        return pool.getResource();
    }

    /** The pool of {@code slot}'s master now; {@code null} if the map names none. Opens the slot map on first use. */
    ConnectionPool pool(int slot) {
        return provider().pool(slot);
    }

    /** Every master the slot map names now (SCAN must ask each: entries are spread over all of them). */
    java.util.Collection<ConnectionPool> masters() {
        return provider().getPrimaryNodes().values();
    }

    @Override
    public Connection getConnection(CommandArguments args) {
        return getConnection();
    }

    @Override
    public Map<?, ?> getConnectionMap() {
        SlotMap p = provider;
        return p == null ? Map.of() : p.getConnectionMap();
    }

    /**
     * Whether the first slot's master has been found (the provider is open): {@link #primaryChanges()} counts from
     * then.
     */
    boolean found() {
        return provider != null;
    }

    /**
     * How many times the slot's master changed since it was first found, counted as the pool commands borrow from
     * changes (see {@link SentinelConnections#primaryChanges()}: a command that ran on a new master is counted when
     * this is read after it; one that starts after this was read runs on a master this count covers, or later).
     */
    long primaryChanges() {
        SlotMap p = provider;
        if (p == null || p.pool() == lastPool) {
            return primaryChanges.get();
        }
        synchronized (this) {
            Object pool = p.pool();
            if (pool != null && pool != lastPool) {
                HostAndPort last = lastPrimary;
                HostAndPort current = p.node();
                primaryChanges.incrementAndGet();
                lastPrimary = current;
                lastPool = pool;
                LOG.warn("sqlcache: Redis Cluster moved slot {} (sqlcache's keys) from {} to {}; what the new master "
                        + "holds is trusted again once a membership renewal has replaced its fence", ClusterKeys.SLOT,
                        last, current);
            }
        }
        return primaryChanges.get();
    }

    /**
     * Reads the slot map again, after a redirection or a lost connection, on a thread of its own: reading it may wait
     * a socket timeout per seed node that is frozen or cut off (the failed master is often the first), which the
     * caller, a statement that has already waited for its own failure, must not add to its wait. At most one read at
     * a time, and not more often than every {@value #REFRESH_NANOS} ns; commands meanwhile use the map as it is
     * (their statements go to the database if it still names the old master).
     */
    void refresh() {
        SlotMap p = provider;
        long at = System.nanoTime();
        long last = refreshedAtNanos.get();
        if (p == null || at - last < REFRESH_NANOS || !refreshedAtNanos.compareAndSet(last, at)
                || !refreshing.compareAndSet(false, true)) {
            return;
        }
        try {
            refresher.execute(() -> renew(p));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            refreshing.set(false); // closed meanwhile
        }
    }

    private void renew(SlotMap p) {
        try {
            if (!reading.tryLock()) {
                return;
            }
            try {
                p.renewSlotCache();
            } catch (RuntimeException e) {
                LOG.debug("sqlcache: reading the slot map of {} failed: {}", description, e.getMessage());
            } finally {
                reading.unlock();
            }
        } finally {
            refreshing.set(false);
        }
    }

    /** Drops the idle connections to the slot's master (a dead connection suggests the rest are dead too). */
    void clearIdleConnections() {
        SlotMap p = provider;
        ConnectionPool pool = p == null ? null : p.pool();
        if (pool != null) {
            pool.clear();
        }
    }

    private SlotMap provider() {
        SlotMap p = provider;
        return p != null ? p : open();
    }

    private SlotMap open() {
        return opener.open(this::openNow,
                () -> new JedisConnectionException("another thread is reading the slot map of " + description),
                failure -> new JedisConnectionException("no node of " + description
                        + " answered a moment ago; asking again shortly", failure.getCause()));
    }

    private SlotMap openNow() {
        synchronized (this) {
            if (provider != null) {
                return provider;
            }
            if (closed) {
                throw new JedisConnectionException("the store is closed");
            }
        }
        Set<HostAndPort> nodes = new LinkedHashSet<>();
        for (SentinelSettings.Node node : cluster.nodes()) {
            nodes.add(new HostAndPort(node.host(), node.port()));
        }
        SlotMap opened;
        try {
            // Asks the seed nodes, in turn, for the slot map (CLUSTER SLOTS).
            opened = new SlotMap(nodes, config, poolConfig);
        } catch (RuntimeException e) {
            // Jedis keeps a node's refusal (bad credentials, a denied CLUSTER SLOTS) only as a suppressed exception
            // of its own "could not initialize": made the cause, so that a misconfiguration is told from an outage
            // (here and in the failures that follow within a second).
            Throwable why = e.getSuppressed().length > 0 ? e.getSuppressed()[0] : e;
            throw new JedisConnectionException("no node of " + description + " gave the slot map", why);
        }
        synchronized (this) {
            if (closed) {
                opened.close();
                throw new JedisConnectionException("the store is closed");
            }
            lastPool = opened.pool();
            lastPrimary = opened.node();
            provider = opened;
        }
        LOG.info("sqlcache: {}: sqlcache's keys are in slot {}, served by {}", description, ClusterKeys.SLOT,
                lastPrimary);
        return opened;
    }

    @Override
    public synchronized void close() {
        closed = true;
        refresher.shutdownNow();
        SlotMap p = provider;
        provider = null;
        if (p != null) {
            p.close();
        }
    }
}
