package dev.sqlcache.internal.engine;

import dev.sqlcache.internal.analysis.QueryAnalysis;
import dev.sqlcache.internal.analysis.TableControl;
import dev.sqlcache.internal.codec.CaptureShape;
import dev.sqlcache.internal.codec.ColumnsMemo;
import dev.sqlcache.internal.key.KeyPrefix;

import java.util.List;

/**
 * Everything the hot path needs about one SQL text on one database, resolved once: the analysis, the version keys
 * a read depends on and a write bumps, the number of bind markers and the time to live.
 */
public final class QueryPlan {

    private final QueryAnalysis analysis;
    private final String[] readVersionKeys;
    private final String[] writeVersionKeys;
    private final boolean writesEverything;
    private final int parameterCount;
    private final long ttlSeconds;
    private final boolean excluded;
    /** Whether it may release this member's session lock while the session lives (PostgreSQL only). */
    private final boolean releasesSessionLocks;
    /** What caching this statement costs and saves, measured by the engine's {@link CachePolicy}. */
    private final CachePolicy.Shape shape = new CachePolicy.Shape();

    /** Filled on first use from the database's metadata, valid while the engine's schema epoch stays the same. */
    private volatile Dependencies.ReadLayout readLayout;
    private volatile Dependencies.WriteLayout writeLayout;
    /** The entry keys' prefix for the last connection context it was asked for (most often every connection's). */
    private volatile KeyPrefix keyPrefix;
    /** The columns its hits last decoded: the next hit's entry most often holds the very same bytes. */
    private final ColumnsMemo columns = new ColumnsMemo();
    /** Whether this statement's Redis lookups are finding entries: what its next lookup is sent expecting. */
    private final EntryPresence presence = new EntryPresence();
    /** The columns its misses last captured: the next miss's driver most often reports the very same metadata. */
    private final CaptureShape captureShape = new CaptureShape();
    /** This plan as the one plan of an execution: made once, not per execution. */
    private final List<QueryPlan> alone = List.of(this);

    /** Where its reads are counted by table, held here so that counting costs no lookup; null for no table. */
    private final StatisticsRecorder.TableCounter tableCounter;

    QueryPlan(QueryAnalysis analysis, String[] readVersionKeys, String[] writeVersionKeys, boolean writesEverything,
              int parameterCount, long ttlSeconds, boolean excluded, boolean releasesSessionLocks,
              StatisticsRecorder.TableCounter tableCounter) {
        this.releasesSessionLocks = releasesSessionLocks;
        this.tableCounter = tableCounter;
        this.excluded = excluded;
        this.writesEverything = writesEverything;
        this.analysis = analysis;
        this.readVersionKeys = readVersionKeys;
        this.writeVersionKeys = writeVersionKeys;
        this.parameterCount = parameterCount;
        this.ttlSeconds = ttlSeconds;
    }

    /** Whether running it may release the session's advisory locks, the member's shared one among them. */
    boolean releasesSessionLocks() {
        return releasesSessionLocks;
    }

    /** Whether it is ANALYZE, CHECK, OPTIMIZE or REPAIR TABLE on MySQL or MariaDB (which commit first). */
    boolean maintainsTables() {
        return analysis.tableControl() == TableControl.MAINTENANCE;
    }

    /**
     * +1 for {@code LOCK TABLES}, -1 for {@code UNLOCK TABLES} (MySQL-like databases hold table locks across
     * transactions), else 0.
     */
    int tableLocks() {
        return analysis.tableControl().tableLocks();
    }

    StatisticsRecorder.TableCounter tableCounter() {
        return tableCounter;
    }

    CachePolicy.Shape shape() {
        return shape;
    }

    public QueryAnalysis analysis() {
        return analysis;
    }

    /** Whether executing it may change data, so that it must invalidate. */
    public boolean writes() {
        return writeVersionKeys.length > 0;
    }

    /**
     * Whether running it may change data: it writes, or calls a function nothing is known about (which may write
     * anything).
     */
    boolean mayWrite() {
        return writes() || analysis.bypassReason() == dev.sqlcache.stats.BypassReason.UNKNOWN_FUNCTION;
    }

    /** Whether its result may be cached, before transaction state and parameters are considered. */
    public boolean cacheable() {
        return analysis.cacheable();
    }

    /** Whether it reads a table of {@code sqlcache.exclude}: never cached. */
    boolean excluded() {
        return excluded;
    }

    String[] readVersionKeys() {
        return readVersionKeys;
    }

    String[] writeVersionKeys() {
        return writeVersionKeys;
    }

    /** Whether a write must invalidate everything cached for the database. */
    boolean writesEverything() {
        return writesEverything;
    }

    Dependencies.ReadLayout readLayout() {
        return readLayout;
    }

    void readLayout(Dependencies.ReadLayout layout) {
        readLayout = layout;
    }

    Dependencies.WriteLayout writeLayout() {
        return writeLayout;
    }

    void writeLayout(Dependencies.WriteLayout layout) {
        writeLayout = layout;
    }

    /** A list of this plan alone, for {@link Execution}. */
    List<QueryPlan> alone() {
        return alone;
    }

    /**
     * What the entry keys of this statement owe to the connection's context and the SQL, hashed once per context
     * rather than per execution; made again when a connection with another context asks.
     */
    KeyPrefix keyPrefix(byte[] context) {
        KeyPrefix prefix = keyPrefix;
        if (prefix == null || !prefix.isFor(context)) {
            prefix = KeyPrefix.of(analysis.keyTable(), context, analysis.normalizedSql());
            keyPrefix = prefix;
        }
        return prefix;
    }

    ColumnsMemo columns() {
        return columns;
    }

    EntryPresence presence() {
        return presence;
    }

    CaptureShape captureShape() {
        return captureShape;
    }

    int parameterCount() {
        return parameterCount;
    }

    long ttlSeconds() {
        return ttlSeconds;
    }
}
