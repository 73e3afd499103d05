package dev.sqlcache.internal.store;

import dev.sqlcache.internal.config.RedisSettings;
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
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.providers.ConnectionProvider;
import redis.clients.jedis.providers.SentineledConnectionProvider;
import redis.clients.jedis.util.Pool;

/**
 * Connections to the primary that Redis Sentinel names, through Jedis's sentinel provider (which follows
 * {@code +switch-master} announcements), plus what the cache needs on top: the sentinels are asked only when a
 * connection is first wanted (Jedis's client wants one as it is built, to learn the protocol, and ignores a
 * failure), by one thread at a time and not again for a second after a failure, so that silent sentinels cost
 * statements nothing but a fall-back to the database; and every change of primary is counted, because a promoted
 * replica may have lost the last writes (replication is asynchronous) and must be treated like a server restarted
 * from an older snapshot.
 */
final class SentinelConnections implements ConnectionProvider {

    private static final Logger LOG = LoggerFactory.getLogger(SentinelConnections.class);
    /** After the sentinels could not be asked, fail at once for this long rather than ask each again per command. */
    private static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final SentinelSettings sentinel;
    private final JedisClientConfig primaryConfig;
    private final JedisClientConfig sentinelConfig;
    private final GenericObjectPoolConfig<Connection> poolConfig;
    private final String description;
    private final AtomicLong primaryChanges = new AtomicLong();
    /** Opened on first use; written under {@code this}. */
    private volatile SentineledConnectionProvider provider;
    /** The pool seen last by {@link #primaryChanges()}, and its primary (for logs). */
    private volatile Object lastPool;
    private volatile HostAndPort lastPrimary;
    /** One thread asks the sentinels, the others fail at once; and not again for a second after a failure. */
    private final ProviderOpener<SentineledConnectionProvider> opener =
            new ProviderOpener<>(new ReentrantLock(), RETRY_NANOS);
    /** Guarded by {@code this}. */
    private boolean closed;

    SentinelConnections(RedisSettings settings, JedisClientConfig primaryConfig,
                        GenericObjectPoolConfig<Connection> poolConfig, String description) {
        this.sentinel = settings.sentinel();
        this.primaryConfig = primaryConfig;
        this.poolConfig = poolConfig;
        this.description = description;
        this.sentinelConfig = RedisConnections.sentinelConfig(settings);
    }

    @Override
    public Connection getConnection() {
        return provider().getConnection();
    }

    @Override
    public Connection getConnection(CommandArguments args) {
        return provider().getConnection(args);
    }

    @Override
    public Map<?, ?> getConnectionMap() {
        SentineledConnectionProvider p = provider;
        return p == null ? Map.of() : p.getConnectionMap();
    }

    /** Whether the first primary has been found (the provider is open): {@link #primaryChanges()} counts from then. */
    boolean found() {
        return provider != null;
    }

    /**
     * How many times the primary changed since the first was found, counted as the pool that commands borrow from
     * changes. So a command that runs on a new primary is counted when this is read after it, and a command that
     * starts after this was read runs on a primary this count covers (or on a later one, counted later).
     *
     * <p>Not the address Jedis reports: it publishes the new primary's address first, then builds the new pool,
     * then publishes the pool. A renewal that read a count including the new address in between still ran on the
     * old primary, and so vouched for the new one without having replaced its fence: lookups there were then
     * trusted, and an entry from before the last writes could be served until the next renewal.
     */
    long primaryChanges() {
        SentineledConnectionProvider p = provider;
        if (p == null) {
            return primaryChanges.get();
        }
        if (lentFrom(p) == lastPool) {
            return primaryChanges.get();
        }
        synchronized (this) {
            Object pool = lentFrom(p); // again: another thread may have counted a later one meanwhile
            if (pool != lastPool) {
                HostAndPort last = lastPrimary;
                HostAndPort current = p.getCurrentMaster(); // published before the pool: at least as new
                // Counted before the pool is recorded: a reader that finds it recorded (unlocked, above) must
                // not read the count from before.
                primaryChanges.incrementAndGet();
                lastPrimary = current;
                lastPool = pool;
                LOG.warn("sqlcache: Redis Sentinel {} moved the primary from {} to {}; what the new primary holds "
                        + "is trusted again once a membership renewal has replaced its fence", sentinel.master(), last,
                        current);
            }
        }
        return primaryChanges.get();
    }

    /** The pool {@code p} lends connections from now (Jedis replaces it, and only it, when the primary changes). */
    private static Object lentFrom(SentineledConnectionProvider p) {
        return p.getConnectionMap().values().iterator().next();
    }

    /** Drops the idle connections to the current primary (a dead connection suggests the rest are dead too). */
    void clearIdleConnections() {
        SentineledConnectionProvider p = provider;
        if (p == null) {
            return;
        }
        for (Object pool : p.getConnectionMap().values()) {
            if (pool instanceof Pool<?> idle) {
                idle.clear();
            }
        }
    }

    private SentineledConnectionProvider provider() {
        SentineledConnectionProvider p = provider;
        return p != null ? p : open();
    }

    private SentineledConnectionProvider open() {
        return opener.open(this::openNow,
                () -> new JedisConnectionException("another thread is asking the sentinels for the primary "
                        + sentinel.master()),
                failure -> new JedisConnectionException("no sentinel named the primary " + sentinel.master()
                        + " a moment ago; asking again shortly"));
    }

    private SentineledConnectionProvider openNow() {
        synchronized (this) {
            if (provider != null) {
                return provider;
            }
            if (closed) {
                throw new JedisConnectionException("the store is closed");
            }
        }
        Set<HostAndPort> nodes = new LinkedHashSet<>();
        for (SentinelSettings.Node node : sentinel.nodes()) {
            nodes.add(new HostAndPort(node.host(), node.port()));
        }
        // Asks the sentinels for the primary (one round trip to the first that answers) and starts one
        // listener thread per sentinel for +switch-master; close() stops them.
        SentineledConnectionProvider opened = new SentineledConnectionProvider(sentinel.master(), primaryConfig,
                poolConfig, nodes, sentinelConfig);
        synchronized (this) {
            if (closed) { // closed while the sentinels were asked: nobody else will close this one
                opened.close();
                throw new JedisConnectionException("the store is closed");
            }
            lastPool = lentFrom(opened);
            lastPrimary = opened.getCurrentMaster();
            provider = opened;
        }
        LOG.info("sqlcache: {}: the primary is {}", description, lastPrimary);
        return opened;
    }

    @Override
    public synchronized void close() {
        closed = true;
        SentineledConnectionProvider p = provider;
        provider = null;
        if (p != null) {
            p.close();
        }
    }
}
