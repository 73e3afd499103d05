package dev.sqlcache.internal.engine;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.sqlcache.internal.analysis.DatabaseFamily;
import dev.sqlcache.internal.analysis.QueryAnalysis;
import dev.sqlcache.internal.analysis.QueryAnalyzer;
import dev.sqlcache.internal.analysis.StatementKind;
import dev.sqlcache.internal.config.SqlCacheConfig;
import dev.sqlcache.internal.guard.CacheReads;
import dev.sqlcache.internal.guard.CacheWrites;
import dev.sqlcache.internal.key.CacheKeyBuilder;
import dev.sqlcache.internal.membership.MembershipStore;
import dev.sqlcache.internal.store.CacheStore;
import dev.sqlcache.stats.CacheStatistics;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The cache for one database under one configuration: turns SQL texts into {@link QueryPlan}s (once per text),
 * remembers what the database's metadata says about its tables, and opens a {@link CacheSession} per JDBC
 * connection. Shared by every connection to the same database with the same settings; owned by the runtime of its
 * store; thread-safe.
 */
public final class CacheEngine {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CacheEngine.class);

    /**
     * Where {@link MembershipStore#FENCE_KEY} stands among a plan's read version keys: every entry depends on it,
     * and a reader that finds it missing must not create it (only membership renewals do).
     */
    static final int FENCE_INDEX = 0;

    /**
     * Where the database's write sequence stands among a read's version keys. An entry records the value its
     * lookup saw; ordinary reads ignore it (any write anywhere advances it), snapshot reads require it unchanged
     * (see {@link TransactionTracker}).
     */
    static final int SEQUENCE_INDEX = 2;

    private final SqlCacheConfig config;
    private final CacheReads reads;
    private final CacheWrites writes;
    private final StatisticsRecorder statistics;
    private final StoreHealth health;
    private final QueryAnalyzer analyzer;
    private final String databaseHash;
    private final String databaseVersionKey;
    private final String sequenceKey;
    private final Cache<String, QueryPlan> plans;
    private final DatabaseFamily family;
    /** Schema facts change rarely and only by DDL, which this JVM may not see: re-read them every few minutes. */
    private static final long FACTS_LIFETIME_NANOS = Duration.ofMinutes(5).toNanos();
    private final Cache<String, TableFacts> facts = Caffeine.newBuilder().maximumSize(10_000)
            .expireAfterWrite(Duration.ofNanos(FACTS_LIFETIME_NANOS)).build();
    private final AtomicLong schemaEpoch = new AtomicLong();
    private final PendingStores pendingStores = new PendingStores();
    private final OwnLeases ownLeases = new OwnLeases();
    private final Flights flights = new Flights();
    private final Dependencies dependencies;
    private final RowKeys rowKeys;
    private final dev.sqlcache.internal.time.Clock clock;
    private final CachePolicy policy;
    private final Entries entries;
    /** This JVM's copies of entries, or null when it keeps none. */
    private final dev.sqlcache.internal.near.NearCache near;
    /** The change feed's key of this database: {@code sql:_feed:<database hash>}. */
    private final String feedKey;
    /**
     * The feed key while reads depend on it: set when a change feed is configured for this database, cleared when
     * this JVM finds that the feed cannot run here (then caching goes on with TTL only, as without a feed).
     */
    private volatile String feedDependency;
    /** Lets writes to tables no JVM caches skip their lease and its end. */
    private final dev.sqlcache.internal.skip.SkipGuard skips;
    /** Whether this database's sessions can tell other JVMs that this one runs (see {@link #lockSession}). */
    private final boolean lockable;

    public CacheEngine(SqlCacheConfig config, CacheReads reads, CacheWrites writes, StatisticsRecorder statistics,
                       StoreHealth health, QueryAnalyzer analyzer, DatabaseFamily family, String databaseIdentity,
                       dev.sqlcache.internal.time.Clock clock, dev.sqlcache.internal.near.NearCache near,
                       dev.sqlcache.internal.skip.SkipStore skipStore) {
        this.clock = clock;
        this.near = near;
        this.policy = new CachePolicy(config.tablePolicy(), clock, near == null, statistics);
        this.config = config;
        this.family = family;
        this.reads = reads;
        this.writes = writes;
        this.statistics = statistics;
        this.health = health;
        this.analyzer = analyzer;
        this.databaseHash = CacheKeyBuilder.shortHash(databaseIdentity);
        this.lockable = (family == DatabaseFamily.POSTGRES || family.isMySqlLike())
                && !databaseIdentity.contains("#connection:")
                && config.earlyDrop();
        this.databaseVersionKey = "sql:_database:version:" + databaseHash;
        this.sequenceKey = CacheStore.SEQUENCE_PREFIX + databaseHash;
        this.plans = Caffeine.newBuilder().maximumSize(config.analysisCacheSize()).build();
        this.rowKeys = new RowKeys(databaseHash, family);
        this.dependencies = new Dependencies(this, rowKeys);
        this.feedKey = dev.sqlcache.internal.feed.FeedStore.FEED_KEY_PREFIX + databaseHash;
        this.skips = new dev.sqlcache.internal.skip.SkipGuard(skipStore, writes, policy, statistics, clock,
                ":version:" + databaseHash, databaseVersionKey, sequenceKey, config.writeLeaseMillis(),
                ownLeases::anyOf);
        this.feedDependency = config.changeFeed() == dev.sqlcache.internal.config.ChangeFeedType.POSTGRES
                && family == DatabaseFamily.POSTGRES ? feedKey : null;
        List<byte[]> signingKeys = config.signingKeys();
        this.entries = new Entries(databaseVersionKey,
                signingKeys.isEmpty() ? null : new dev.sqlcache.internal.codec.EntrySigner(signingKeys), statistics,
                new RejectionLog(clock));
    }

    /**
     * Registers a new connection with this JVM's membership and takes its session lock (PostgreSQL: the member's
     * shared advisory lock; MariaDB/MySQL: a user lock of this connection's own), which tells other JVMs that this
     * one still runs while the session lives. A database shared with no other JVM's keys (an identity private to
     * one connection) or without such locks registers as unlockable: this JVM is then never dropped early. So does
     * a connection whose driver may replace a lost session behind it ({@link SessionProbe#mayReplaceItsSession}).
     */
    dev.sqlcache.internal.membership.SessionLock lockSession(SessionProbe probe) {
        boolean locks = lockable && !probe.mayReplaceItsSession();
        return writes.lockSession(locks ? databaseHash : dev.sqlcache.internal.membership.DatabaseRegistration.UNLOCKABLE,
                probe::holdSharedLock);
    }

    /** The hash other JVMs know this database by in a member's registration. */
    public String registeredDatabase() {
        return lockable ? databaseHash : null;
    }

    /** The plan for a SQL text; analysed on first sight, then served from a bounded cache. */
    public QueryPlan plan(String sql) {
        QueryPlan plan = plans.getIfPresent(sql);
        if (plan == null) {
            plan = plans.get(sql, text -> newPlan(text, analyzer));
        }
        return plan;
    }

    /**
     * The plan for a SQL text sent by a session whose string literals may read backslashes differently (MySQL and
     * MariaDB with NO_BACKSLASH_ESCAPES in the session's sql_mode): the same text then means another statement, so
     * such sessions have their own analyses and plans, made the first time one is needed.
     *
     * @param backslashEscapes whether the session reads a backslash in a string literal as an escape
     */
    public QueryPlan plan(String sql, boolean backslashEscapes) {
        if (backslashEscapes || !family.isMySqlLike()) {
            return plan(sql);
        }
        LiteralBackslashes literal = literalBackslashes;
        if (literal == null) {
            synchronized (this) {
                literal = literalBackslashes;
                if (literal == null) {
                    literal = new LiteralBackslashes(new QueryAnalyzer(family, config.analysisCacheSize(), false),
                            Caffeine.newBuilder().maximumSize(config.analysisCacheSize()).build());
                    literalBackslashes = literal;
                }
            }
        }
        QueryAnalyzer literalAnalyzer = literal.analyzer();
        return literal.plans().get(sql, text -> newPlan(text, literalAnalyzer));
    }

    /** Analyses and plans for sessions with NO_BACKSLASH_ESCAPES. */
    private record LiteralBackslashes(QueryAnalyzer analyzer, Cache<String, QueryPlan> plans) {
    }

    private volatile LiteralBackslashes literalBackslashes;

    private QueryPlan newPlan(String sql, QueryAnalyzer analyzer) {
        QueryAnalysis analysis = analyzer.analyze(sql);
        Set<String> read = baseNames(analysis.tablesRead());
        Set<String> written = baseNames(analysis.tablesWritten());
        String[] readKeys = new String[read.size() + 3];
        readKeys[FENCE_INDEX] = MembershipStore.FENCE_KEY;
        readKeys[1] = databaseVersionKey;
        readKeys[SEQUENCE_INDEX] = sequenceKey;
        int i = 3;
        for (String table : read) {
            readKeys[i++] = versionKey(table);
        }
        boolean everything = analysis.writesUnknownTables();
        String[] writeKeys = written.stream().flatMap(this::tableLevelKeys).toArray(String[]::new);
        if (everything && analysis.kind() == StatementKind.CALL) {
            // A procedure whose writes the configuration declares invalidates just those tables.
            var declared = config.procedureWrites().tablesFor(analysis.routine());
            if (declared.isPresent()) {
                everything = false;
                writeKeys = baseNames(declared.get()).stream().flatMap(this::tableLevelKeys).toArray(String[]::new);
            }
        }
        if (everything) {
            writeKeys = new String[] {databaseVersionKey};
        }
        long ttl = analysis.tablesRead().stream().mapToLong(config::ttlSeconds).min()
                .orElse(config.defaultTtlSeconds());
        int parameters = analysis.normalizedSql() == null ? -1 : BindMarkers.count(analysis.normalizedSql());
        boolean excluded = config.exclude().excludesAny(analysis.tablesRead());
        return new QueryPlan(analysis, readKeys, writeKeys, everything, parameters, ttl, excluded,
                releasesSessionLocks(sql),
                analysis.kind() == StatementKind.SELECT && !analysis.tablesRead().isEmpty()
                        ? statistics.table(analysis.keyTable()) : null);
    }

    /**
     * {@code DISCARD ALL}, {@code pg_advisory_unlock_all()} or {@code pg_advisory_unlock_shared(...)} release a
     * session-level advisory lock while the session lives; on MariaDB/MySQL, {@code RELEASE_ALL_LOCKS()} and
     * {@code RELEASE_LOCK(...)} release a user lock, and {@code GET_LOCK} on servers before MariaDB 10.0.2 / MySQL
     * 5.7.5 released the lock held before it: a connection that ran one no longer vouches for this
     * JVM (Membership#covers). Told once per SQL text, by its words: a false alarm (a comment, another DISCARD, an
     * unlock of the application's own key) only makes that connection's writes wait like an uncovered one's in an
     * outage. A function or procedure that unlocks inside its body is not seen (docs/consistency.md).
     */
    private boolean releasesSessionLocks(String sql) {
        if (!lockable) {
            return false;
        }
        String lower = sql.toLowerCase(java.util.Locale.ROOT);
        if (family.isMySqlLike()) {
            return lower.contains("release_all_locks") || lower.contains("release_lock") || lower.contains("get_lock");
        }
        return lower.contains("discard") || lower.contains("advisory_unlock_all")
                || lower.contains("advisory_unlock_shared");
    }

    /**
     * What the database says about a table, remembered for a few minutes. When it cannot tell, the answer is
     * {@link TableFacts#UNKNOWN} (the worst case) and is asked again next time.
     */
    TableFacts facts(String table, SchemaInspector inspector) {
        TableFacts known = facts.getIfPresent(table);
        if (known != null) {
            return known;
        }
        // One inspection per table at a time: the first connection asks, the others wait for its answer rather
        // than all querying the catalog at once (slow on some databases, and each would get the same answer).
        try {
            return facts.get(table, t -> {
                try {
                    return inspector.inspect(t);
                } catch (Exception e) {
                    throw new InspectionFailed(e);
                }
            });
        } catch (InspectionFailed e) {
            LOG.debug("sqlcache: cannot inspect table {}: {}", table, e.getCause().toString());
            return TableFacts.UNKNOWN;
        }
    }

    /** Carries an inspection's failure out of the cache's loader: the table is then asked about again next time. */
    private static final class InspectionFailed extends RuntimeException {
        InspectionFailed(Exception cause) {
            super(cause);
        }
    }

    /** DDL ran: views, foreign keys and triggers may have changed. */
    void schemaChanged() {
        schemaEpoch.incrementAndGet();
        facts.invalidateAll();
    }

    /**
     * Changes on every DDL this JVM runs, and every few minutes anyway, so that plans re-read facts that DDL from
     * elsewhere (a migration run by another process) may have changed.
     */
    long schemaEpoch() {
        return (schemaEpoch.get() << 32) + System.nanoTime() / FACTS_LIFETIME_NANOS;
    }

    /** The version key of one table: its unqualified name, so that every spelling of it meets one key. */
    String versionKey(String baseName) {
        return "sql:" + baseName + ":version:" + databaseHash;
    }

    /** The table's rows token: bumped by every write that may change rows it cannot name ({@link Dependencies}). */
    String rowsKey(String baseName) {
        return versionKey(baseName) + CacheKeyBuilder.ROWS_SUFFIX;
    }

    /** The table's inserts token: bumped by every write that may create a key ({@link Dependencies}). */
    String insertsKey(String baseName) {
        return versionKey(baseName) + CacheKeyBuilder.INSERTS_SUFFIX;
    }

    /**
     * What a query with an updatable result set may write: every table it reads, as a whole (its rows are changed
     * through the result set, never seen as SQL).
     */
    String[] updatableResultKeys(QueryPlan plan) {
        return baseNames(plan.analysis().tablesRead()).stream().flatMap(this::tableLevelKeys).toArray(String[]::new);
    }

    /** Every token of a table: what a write that cannot be narrowed bumps. */
    private java.util.stream.Stream<String> tableLevelKeys(String baseName) {
        return java.util.stream.Stream.of(versionKey(baseName), rowsKey(baseName), insertsKey(baseName));
    }

    /**
     * How long a row's token lives: twice the longest its entries may live, so that it never expires under an
     * entry that still needs it (if it did, the entry would only miss). Row tokens are many; they must expire.
     */
    long rowTokenTtlMillis(String baseName) {
        return 2_000 * config.ttlSeconds(baseName);
    }

    /** How long a fresh token of this version key lives: row tokens expire, table tokens do not. */
    long tokenTtlMillis(String versionKey) {
        int row = versionKey.indexOf(":k:");
        if (row < 0) {
            return CacheStore.NO_EXPIRY;
        }
        String base = versionKey.substring("sql:".length(), versionKey.indexOf(":version:"));
        return rowTokenTtlMillis(base);
    }

    /** {@link #tokenTtlMillis} of each key, or null when none expires (the common case: no allocation). */
    long[] tokenTtls(String[] versionKeys) {
        long[] ttls = null;
        for (int i = 0; i < versionKeys.length; i++) {
            long ttl = tokenTtlMillis(versionKeys[i]);
            if (ttl != CacheStore.NO_EXPIRY) {
                if (ttls == null) {
                    ttls = new long[versionKeys.length];
                }
                ttls[i] = ttl;
            }
        }
        return ttls;
    }

    Dependencies dependencies() {
        return dependencies;
    }

    /** The key that, bumped, invalidates everything cached for this database. */
    String databaseVersionKey() {
        return databaseVersionKey;
    }

    String sequenceKey() {
        return sequenceKey;
    }

    /** A write's version keys with the database's write sequence added: every lease and end advances it. */
    String[] withSequence(String[] versionKeys) {
        String[] keys = java.util.Arrays.copyOf(versionKeys, versionKeys.length + 1);
        keys[versionKeys.length] = sequenceKey;
        return keys;
    }

    private static Set<String> baseNames(Set<String> tables) {
        Set<String> names = new TreeSet<>();
        for (String table : tables) {
            names.add(baseName(table));
        }
        return Set.copyOf(names);
    }

    /**
     * {@code public.orders} and {@code orders} may be the same table, depending on the search path; sharing one
     * version key per unqualified name can only invalidate too much, never too little.
     */
    public static String baseName(String table) {
        int dot = table.lastIndexOf('.');
        return dot < 0 ? table : table.substring(dot + 1);
    }

    /**
     * Drivers differ in what {@code ResultSet.getFetchSize()} reports: pgjdbc echoes the statement's fetch size, H2
     * reports 0. A hit has no real result set to ask, so the answer is learned from real ones.
     */
    private volatile int resultFetchSizeWhenStatementHasOne = FOLLOWS_STATEMENT;
    private static final int FOLLOWS_STATEMENT = Integer.MIN_VALUE;

    /** Records what a real result set reported, for a statement with a non-zero fetch size. */
    public void observeFetchSize(int statementFetchSize, int resultFetchSize) {
        if (statementFetchSize != 0) {
            resultFetchSizeWhenStatementHasOne =
                    resultFetchSize == statementFetchSize ? FOLLOWS_STATEMENT : resultFetchSize;
        }
    }

    /** The fetch size a served-from-cache result reports, as the real driver's would. */
    public int fetchSizeForHit(int statementFetchSize) {
        int learned = resultFetchSizeWhenStatementHasOne;
        return statementFetchSize == 0 || learned == FOLLOWS_STATEMENT ? statementFetchSize : learned;
    }

    /**
     * Opens the per-connection state.
     *
     * @param connectionSettings {@link DatabaseIdentity#connectionSettings}: part of every key of this connection
     * @param inspector          reads schema facts over the connection, the first time a table is met
     * @param probe              reads session state back after SQL that may have changed it
     */
    public SessionCache openSession(SessionCache.SessionState state, String connectionSettings,
                                    SchemaInspector inspector, SessionProbe probe) {
        return new SessionCache(this, state, connectionSettings, inspector, probe);
    }

    /** The change feed's key of this database, whether or not reads depend on it. */
    public String feedKey() {
        return feedKey;
    }

    /** The feed key when reads depend on it, else null. */
    String feedDependency() {
        return feedDependency;
    }

    /** Where the lag of this JVM's change feed of the database is read; -1 while none runs here. */
    private volatile java.util.function.LongSupplier feedLag = () -> -1;

    /** The runtime started this database's change feed: its lag is read from there. */
    public void feedLag(java.util.function.LongSupplier lag) {
        this.feedLag = lag;
    }

    /** How far behind this JVM's change feed of the database is, in ms; -1 when this JVM does not consume one. */
    public long changeFeedLagMillis() {
        return feedLag.getAsLong();
    }

    /** Whether reads of this database depend on a change feed's key. */
    public boolean dependsOnFeed() {
        return feedDependency != null;
    }

    /**
     * The change feed cannot run against this database (its server or the user's privileges do not allow it):
     * reads stop depending on it and caching goes on with TTL only, as without a feed.
     */
    public void feedUnavailable() {
        feedDependency = null;
    }

    /**
     * Invalidates what a change feed read outside writes change, exactly as writes through the driver that did the
     * same would (through the same bump): a table changed as a whole, all its tokens; an insert, the table's token
     * and its inserts token; a row updated or deleted under a key that did not change, the table's token and the
     * row's token, as a write pinned to that key does. A row whose key values cannot be named exactly, or more rows
     * of one table than a write is ever narrowed to, make its table whole.
     *
     * @return whether the store acknowledged it (false: it is owed, and the caller must not confirm the change)
     */
    public boolean invalidateFromFeed(OutsideChanges changes) {
        String[] keys = feedKeys(changes);
        if (keys.length == 0) {
            return true;
        }
        statistics.invalidated(changes.whole.size() + changes.inserted.size() + changes.rows.size());
        statistics.invalidatedKeys(keys);
        String[] bumped = withSequence(keys);
        // Row tokens expire, as those a driver's write makes do.
        return writes.bump(bumped, tokenTtls(bumped));
    }

    /** The version keys {@link #invalidateFromFeed(OutsideChanges)} bumps (without the write sequence). */
    String[] feedKeys(OutsideChanges changes) {
        Set<String> whole = new TreeSet<>();
        changes.whole.forEach(table -> whole.add(feedName(table)));
        java.util.Map<String, Set<String>> rows = new java.util.TreeMap<>();
        changes.rows.forEach((table, changed) -> {
            String base = feedName(table);
            Set<String> tokens = rows.computeIfAbsent(base, b -> new java.util.LinkedHashSet<>());
            for (OutsideChanges.Row row : changed) {
                String token = rowKeys.rowVersionKey(base, row.key(), row.values());
                if (token == null) {
                    whole.add(base);
                    break;
                }
                tokens.add(token);
            }
            if (tokens.size() > RowKeys.MAX_KEYS) {
                whole.add(base);
            }
        });
        java.util.LinkedHashSet<String> keys = new java.util.LinkedHashSet<>();
        whole.forEach(base -> tableLevelKeys(base).forEach(keys::add));
        for (String table : changes.inserted) {
            String base = feedName(table);
            if (!whole.contains(base)) {
                keys.add(versionKey(base));
                keys.add(insertsKey(base));
            }
        }
        rows.forEach((base, tokens) -> {
            if (!whole.contains(base)) {
                keys.add(versionKey(base));
                keys.addAll(tokens);
            }
        });
        return keys.toArray(String[]::new);
    }

    /** A table as the engine's version keys name it: unqualified, lower case (as a reader's plan names it). */
    private static String feedName(String table) {
        return baseName(table.toLowerCase(java.util.Locale.ROOT));
    }

    /**
     * Invalidates everything cached for this database, for the change feed (its slot was created or lost, or a
     * schema change was announced).
     *
     * @return whether the store acknowledged it
     */
    public boolean invalidateAllFromFeed() {
        statistics.invalidated(1);
        statistics.invalidatedKeys(new String[] {databaseVersionKey});
        return writes.bump(new String[] {databaseVersionKey, sequenceKey}, null);
    }

    /** Invalidates everything cached for this database. */
    public void invalidateAll() {
        statistics.invalidated(1);
        statistics.invalidatedKeys(new String[] {databaseVersionKey});
        writes.bump(new String[] {databaseVersionKey, sequenceKey}, null);
    }

    public CacheStatistics statistics() {
        return statistics.snapshot(writes.unreadableFingerprints());
    }

    /**
     * A source of current statistics that lives as long as this engine. Micrometer holds the objects behind its
     * function counters weakly, so a source created on the fly would be collected and its counters would freeze.
     */
    public java.util.function.Supplier<CacheStatistics> statisticsSource() {
        return statisticsSource;
    }

    private final java.util.function.Supplier<CacheStatistics> statisticsSource = this::statistics;

    public DatabaseFamily family() {
        return family;
    }

    public SqlCacheConfig config() {
        return config;
    }

    CachePolicy policy() {
        return policy;
    }

    dev.sqlcache.internal.time.Clock clock() {
        return clock;
    }

    PendingStores pendingStores() {
        return pendingStores;
    }

    OwnLeases ownLeases() {
        return ownLeases;
    }

    Flights flights() {
        return flights;
    }

    CacheReads reads() {
        return reads;
    }

    dev.sqlcache.internal.skip.SkipGuard skips() {
        return skips;
    }

    /** Stops this engine's background work (skip permits); called by the runtime when it closes. */
    public void close() {
        skips.close();
    }

    CacheWrites writes() {
        return writes;
    }

    StatisticsRecorder recorder() {
        return statistics;
    }

    /** This JVM's near cache, or null. */
    dev.sqlcache.internal.near.NearCache near() {
        return near;
    }

    /** The engine's entries as bytes: bound to their keys, read back as hostile input. */
    Entries entries() {
        return entries;
    }

    /** Where entries go, for logs and diagnostics. */
    public String describeStore() {
        return health.describeStore();
    }

    /** Whether the store answers right now and no invalidation is still owed to it. */
    public boolean healthy() {
        return health.healthy();
    }

    /** The details of the store's health: reachability, membership and fence, owed invalidations. */
    public dev.sqlcache.stats.CacheHealth health() {
        return health.health();
    }
}
