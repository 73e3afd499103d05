package dev.sqlcache.internal.runtime;

import dev.sqlcache.internal.analysis.DatabaseFamily;
import dev.sqlcache.internal.analysis.QueryAnalyzer;
import dev.sqlcache.internal.config.SqlCacheConfig;
import dev.sqlcache.internal.engine.CacheEngine;
import dev.sqlcache.internal.engine.DatabaseIdentity;
import dev.sqlcache.internal.engine.StatisticsRecorder;
import dev.sqlcache.internal.engine.StoreHealth;
import dev.sqlcache.internal.guard.CacheReads;
import dev.sqlcache.internal.guard.CacheWrites;
import dev.sqlcache.internal.guard.FailOpen;
import dev.sqlcache.internal.guard.OwedInvalidations;
import dev.sqlcache.internal.guard.Redelivery;
import dev.sqlcache.internal.membership.Membership;
import dev.sqlcache.internal.store.CacheStore;
import dev.sqlcache.internal.time.Clock;
import dev.sqlcache.internal.time.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Everything sqlcache runs for one store configuration, owned in one place: the store and its connection pool,
 * the background thread, the membership, the fail-open guards, and the engines of the databases cached in it.
 * Reference-counted by the drivers, data sources and connections that use it ({@link CacheRuntimes}); closed when
 * the last one lets go, which delivers owed invalidations (or leaves the fence down), leaves the membership, and
 * stops its thread and pool, so that nothing is left behind when an application is undeployed.
 */
public final class CacheRuntime implements StoreHealth {

    private static final Logger LOG = LoggerFactory.getLogger(CacheRuntime.class);
    /** On close, how long owed invalidations may take to be delivered before the membership lapses instead. */
    private static final long CLOSE_DELIVERY_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final RuntimeKey key;
    private final CacheStore store;
    private final Clock clock;
    private final Scheduler scheduler;
    private final ThreadScheduler ownThread;
    /** Stores of missed results, off the application's threads; null when the caller supplied its own executor. */
    private final java.util.concurrent.ThreadPoolExecutor ownWriter;
    /** How many stores may wait for the writer thread before new ones are dropped. */
    private static final int WRITE_QUEUE = 1024;
    private final StatisticsRecorder statistics = new StatisticsRecorder();
    private final FailOpen failOpen;
    private final OwedInvalidations owed = new OwedInvalidations();
    private final Redelivery redelivery;
    private final Membership membership;
    private final CacheReads reads;
    private final CacheWrites writes;
    /** Null for a store without near caches (the in-process one). */
    private final dev.sqlcache.internal.near.NearMember near;
    private final Map<EngineKey, CacheEngine> engines = new ConcurrentHashMap<>();
    private final Map<String, QueryAnalyzer> analyzers = new ConcurrentHashMap<>();
    /** The change feeds of the databases cached here, by database identity: one each, whatever the settings. */
    private final Map<String, ChangeFeed> feeds = new ConcurrentHashMap<>();
    /** The databases this JVM reaches, for telling a dead member from a cut-off one. */
    private final MemberSessionChecks sessionChecks;
    private final java.util.concurrent.ThreadPoolExecutor checkThread;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Holders; -1 once closed (a runtime is never reopened). Guarded by {@code this}. */
    private int references;

    /** Equality written out, not generated: see {@code RedisSettings#equals}. */
    private record EngineKey(SqlCacheConfig config, String identity) {
        @Override
        public boolean equals(Object other) {
            return other instanceof EngineKey that && config.equals(that.config) && identity.equals(that.identity);
        }

        @Override
        public int hashCode() {
            return 31 * config.hashCode() + identity.hashCode();
        }
    }

    /** With its own threads and the system clock. Opens no connection: {@link #start()} does. */
    CacheRuntime(RuntimeKey key, CacheStore store) {
        this(key, store, Clock.SYSTEM, null, null);
    }

    /**
     * @param scheduler null to run background work on a thread of its own; a test passes its own with its clock
     * @param writer    null to store missed results on a thread of its own; a test may pass {@code Runnable::run}
     */
    public CacheRuntime(RuntimeKey key, CacheStore store, Clock clock, Scheduler scheduler,
                        java.util.concurrent.Executor writer) {
        this.key = key;
        this.store = store;
        this.clock = clock;
        this.ownThread = scheduler == null ? new ThreadScheduler("sqlcache " + key) : null;
        this.scheduler = scheduler == null ? ownThread : scheduler;
        this.ownWriter = writer == null ? ThreadScheduler.boundedWorker("sqlcache-store " + key, WRITE_QUEUE) : null;
        this.failOpen = new FailOpen(store.describe(), statistics::redisError, statistics::fenceWait, clock);
        this.redelivery = new Redelivery(store, failOpen, owed, this.scheduler);
        this.membership = new Membership(store.membership(), store.describe(), key.fenceTimeoutMillis(),
                owed::isEmpty, () -> store.reconnects() + failOpen.recoveries(), this.scheduler, clock);
        this.reads = new CacheReads(store, failOpen, redelivery, membership, writer == null ? ownWriter : writer);
        var channel = store.nearChannel();
        this.near = channel == null ? null : new dev.sqlcache.internal.near.NearMember(channel,
                key.nearCacheMaxBytes() > 0 ? new dev.sqlcache.internal.near.NearCache(key.nearCacheMaxBytes(), clock)
                        : null, key.nearStaleness(), clock);
        if (near != null) {
            membership.nearCachesMayServe(dev.sqlcache.internal.near.NearMember.LEASE_MILLIS);
        }
        // Before this JVM joins again, the writes running without a lease get theirs (UnleasedWrites).
        var unleased = new dev.sqlcache.internal.guard.UnleasedWrites(store, owed);
        membership.beforeJoin(unleased);
        this.writes = new CacheWrites(store, failOpen, owed, redelivery, membership, near, unleased, clock);
        // Lapsed members are checked off the renewal thread, one check at a time (LapsedMembers queues no more).
        this.checkThread = ThreadScheduler.boundedWorker("sqlcache-members " + key, 1);
        // The check sessions are also this JVM's anchors: opened on the check thread, holding its own lock.
        this.sessionChecks = new MemberSessionChecks(membership.lockKey(), clock, checkThread,
                membership.unreadableFingerprints());
        membership.checkLapsedMembers(sessionChecks, checkThread);
        membership.anchorIn(sessionChecks);
    }

    /** Where this runtime's writes place and end their leases (tests drive one write's lease and end by it). */
    dev.sqlcache.internal.guard.CacheWrites writes() {
        return writes;
    }

    /**
     * Joins the membership (one round trip, on the caller's thread, like the first lookup would be) and starts
     * renewing in the background. Once; later calls return at once.
     */
    public void start() {
        if (started.compareAndSet(false, true)) {
            LOG.info("sqlcache: caching in {}", store.describe());
            membership.renew();
            scheduler.repeat(membership::renew, Membership.RENEW_MILLIS);
            if (near != null) {
                near.start(scheduler);
            }
        }
    }

    /**
     * The engine for a database under a configuration whose store is this runtime's. Cheap after the first call
     * for the same pair; the first call does no I/O.
     *
     * @param realUrl the URL of the real driver, sqlcache's prefix and settings removed
     */
    public CacheEngine engine(SqlCacheConfig config, String realUrl) {
        String identity = DatabaseIdentity.of(realUrl, config.databaseId().orElse(null));
        if (identity.contains("#connection:")) {
            // Private to one connection: not worth remembering, and remembering would leak. Its writes never skip
            // their invalidation: the skip protocol's background thread would outlive it.
            return newEngine(config, realUrl, identity, false);
        }
        return engines.computeIfAbsent(new EngineKey(config, identity),
                k -> newEngine(config, realUrl, identity, true));
    }

    private CacheEngine newEngine(SqlCacheConfig config, String realUrl, String identity, boolean shared) {
        DatabaseFamily family = DatabaseFamily.fromJdbcUrl(realUrl);
        QueryAnalyzer analyzer = analyzers.computeIfAbsent(family + "/" + config.analysisCacheSize(),
                k -> new QueryAnalyzer(family, config.analysisCacheSize()));
        return new CacheEngine(config, reads, writes, statistics, this, analyzer, family, identity, clock,
                near == null ? null : near.cache(), shared ? store.skips() : null);
    }

    /**
     * Starts the change feed of a connection's database if its settings ask for one and none runs in this runtime
     * yet. Opens nothing on the caller's thread. A feed that cannot run here says why once and the engine goes on
     * with TTL only.
     *
     * @param realUrl    the real driver's URL
     * @param properties the real driver's connection properties, credentials included: the feed opens connections
     *                   of its own with them (kept in memory, never logged)
     */
    public void startChangeFeed(CacheEngine engine, String realUrl, Map<String, String> properties) {
        if (engine.config().changeFeed() == dev.sqlcache.internal.config.ChangeFeedType.NONE || closed.get()) {
            return;
        }
        String identity = DatabaseIdentity.of(realUrl, engine.config().databaseId().orElse(null));
        // One feed per database, whatever the settings of the engines reading it (keys depend on the database
        // only): the first engine's settings (maxLag) rule it, and every engine of the database follows it.
        ChangeFeed feed = feeds.get(identity);
        if (feed == null) {
            feed = feeds.computeIfAbsent(identity, id -> ChangeFeed.start(engine, store, id, realUrl, properties));
        }
        feed.attach(engine);
        if (closed.get()) {
            closeFeeds();
        }
    }

    /**
     * A connection to the engine's database opened: this JVM can check, there, whether a lapsed member's sessions
     * are gone. Opens nothing on the caller's thread.
     *
     * @param properties the real driver's connection properties, credentials included (kept in memory, never
     *                   logged)
     */
    public void reached(CacheEngine engine, String realUrl, Map<String, String> properties) {
        if (engine.family().isMySqlLike()) {
            sessionChecks.reachedMariaDb(engine.registeredDatabase(), realUrl, properties);
        } else {
            sessionChecks.reached(engine.registeredDatabase(), realUrl, properties);
        }
    }

    private void closeFeeds() {
        for (ChangeFeed feed : feeds.values()) {
            feed.close();
        }
        feeds.clear();
    }

    public RuntimeKey key() {
        return key;
    }

    public StatisticsRecorder statistics() {
        return statistics;
    }

    /** The store, for administration and tests. */
    public CacheStore store() {
        return store;
    }

    // ---- StoreHealth

    @Override
    public String describeStore() {
        return store.describe();
    }

    @Override
    public boolean healthy() {
        return redelivery.available() && store.ping();
    }

    @Override
    public dev.sqlcache.stats.CacheHealth health() {
        boolean reachable = store.ping();
        int[] seen = membership.lastSeenMembers();
        return new dev.sqlcache.stats.CacheHealth(store.describe(), reachable, reachable && redelivery.available(),
                membership.renewedRecently(), seen[0], seen[1], owed.size());
    }

    // ---- reference counting (CacheRuntimes)

    /** Takes a reference; false when the runtime is closed (or closing) and must be replaced. */
    synchronized boolean retain() {
        if (references < 0) {
            return false;
        }
        references++;
        return true;
    }

    /** Drops a reference; true when it was the last one: the caller must then {@link #close()} it. */
    synchronized boolean release() {
        if (references <= 0) {
            return false;
        }
        references--;
        if (references == 0) {
            references = -1;
            return true;
        }
        return false;
    }

    /**
     * Waits until no connection is open on this runtime, or until {@code deadlineNanos} ({@link System#nanoTime()}):
     * see {@link Membership#awaitNoSessionOpen}.
     */
    boolean awaitConnectionsClosed(long deadlineNanos) throws InterruptedException {
        return membership.awaitNoSessionOpen(deadlineNanos - System.nanoTime());
    }

    /**
     * Stops background work, gives owed invalidations a second to be delivered, leaves the membership (or lets it
     * lapse, fencing the others, when something is still owed), and closes the store.
     */
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        synchronized (this) {
            references = -1;
        }
        // First, while the store still answers: a feed gives its lease up so that another JVM takes over at once.
        closeFeeds();
        if (ownThread != null) {
            ownThread.shutdown();
        }
        // While the store still answers: idle skip permits are given up, so that others may cache at once.
        engines.values().forEach(CacheEngine::close);
        if (ownWriter != null) {
            // Pending stores are only lost hits.
            ownWriter.shutdownNow();
            try {
                ownWriter.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        boolean delivered = redelivery.deliverBeforeClosing(clock, clock.nanoTime() + CLOSE_DELIVERY_NANOS);
        if (!delivered) {
            LOG.warn("sqlcache: closing {} with invalidations it could not deliver", store.describe());
        }
        if (near != null) {
            near.close();
        }
        membership.leave();
        checkThread.shutdownNow();
        try {
            checkThread.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sessionChecks.close();
        store.close();
        engines.clear();
    }

    @Override
    public String toString() {
        return "CacheRuntime[" + key + "]";
    }
}
