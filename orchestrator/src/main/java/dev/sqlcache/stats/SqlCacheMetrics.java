package dev.sqlcache.stats;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * Publishes sqlcache's figures to a Micrometer registry, named by Micrometer's conventions (Prometheus names in
 * brackets):
 * <ul>
 * <li>counters {@code sqlcache.hits} [sqlcache_hits_total], {@code sqlcache.misses}, {@code sqlcache.stores},
 *     {@code sqlcache.invalidations}, {@code sqlcache.redis.errors} [sqlcache_redis_errors_total],
 *     {@code sqlcache.fence.waits} (writes that waited for Redis or for the fence);
 *     {@code sqlcache.earlydrop.unreadable} [sqlcache_earlydrop_unreadable_total] (session lock statements a
 *     database refused because of a function the early drop reads: no early drop for that database);
 *     {@code sqlcache.bypasses} and {@code sqlcache.rejected} (missed results not kept) with a {@code reason} tag;
 *     {@code sqlcache.rejected.entries} [sqlcache_rejected_entries_total] with a {@code cause} tag
 *     ({@link EntryRejection}: corrupt, foreign_key, bad_mac, over_limit): entries found but refused;</li>
 * <li>the timer {@code sqlcache.query} [sqlcache_query_seconds_count, _sum] with an {@code outcome} tag
 *     ({@code hit}, {@code miss}, {@code bypass}): time until the result set is returned;</li>
 * <li>gauges {@code sqlcache.hit.ratio} and, when a health source is given, {@code sqlcache.cache.healthy}
 *     (1 when the store answers and nothing is owed to it, else 0); when a lag source is given,
 *     {@code sqlcache.changefeed.lag} [sqlcache_changefeed_lag_seconds]: how far behind the database this JVM's
 *     change feed is (-1 when this JVM does not consume one);</li>
 * <li>the counter {@code sqlcache.table.invalidations} [sqlcache_table_invalidations_total] with a {@code table}
 *     tag, bounded: the first {@value #DEFAULT_MAX_TABLES} tables invalidated (or as many as given) have their own
 *     series, the rest are summed under {@code table="(other)"} (see {@link TableInvalidationMeters}).</li>
 * </ul>
 * Hits, misses and bypasses by table are in {@link CacheStatistics#tables()} only.
 *
 * <pre>{@code
 * SqlCacheConnection c = connection.unwrap(SqlCacheConnection.class);
 * new SqlCacheMetrics(c.statisticsSource(), c::cacheHealthy, Tags.of("db", "orders")).bindTo(registry);
 * }</pre>
 * Micrometer is an optional dependency: only applications that use this class need it.
 */
public final class SqlCacheMetrics implements MeterBinder {

    /** How many tables get a {@code sqlcache.table.invalidations} series of their own unless told otherwise. */
    public static final int DEFAULT_MAX_TABLES = 20;

    /** The reasons a missed result is not kept: {@code sqlcache.rejected} has one counter for each. */
    static final List<BypassReason> REJECT_REASONS = List.of(BypassReason.TOO_LARGE, BypassReason.UNSUPPORTED_TYPE,
            BypassReason.RESULT_SET_MODE, BypassReason.TRANSACTION_STATE);

    private final Supplier<CacheStatistics> statistics;
    private final BooleanSupplier healthy;
    private final Iterable<Tag> tags;
    private final TableInvalidationMeters tableInvalidations;
    private final java.util.function.LongSupplier feedLagMillis;

    /**
     * @param statistics where current figures come from (read on every scrape). Micrometer holds it weakly: pass a
     *                   long-lived source such as {@code SqlCacheConnection.statisticsSource()}, not a new lambda
     * @param tags       tags added to every meter
     */
    public SqlCacheMetrics(Supplier<CacheStatistics> statistics, Iterable<Tag> tags) {
        this(statistics, null, tags);
    }

    /**
     * @param healthy asked on every scrape for the {@code sqlcache.cache.healthy} gauge (one round trip to the store);
     *                held strongly; {@code null} for no gauge
     */
    public SqlCacheMetrics(Supplier<CacheStatistics> statistics, BooleanSupplier healthy, Iterable<Tag> tags) {
        this(statistics, healthy, null, tags, DEFAULT_MAX_TABLES);
    }

    /**
     * @param feedLagMillis asked on every scrape for the {@code sqlcache.changefeed.lag} gauge, such as
     *                      {@code SqlCacheConnection::changeFeedLagMillis} (from memory, no round trip); held
     *                      strongly; {@code null} for no gauge
     */
    public SqlCacheMetrics(Supplier<CacheStatistics> statistics, BooleanSupplier healthy,
                           java.util.function.LongSupplier feedLagMillis, Iterable<Tag> tags) {
        this(statistics, healthy, feedLagMillis, tags, DEFAULT_MAX_TABLES);
    }

    /**
     * @param maxTables how many tables get a {@code sqlcache.table.invalidations} series of their own (each one is a
     *                  time series to store: keep it small); the others share {@code table="(other)"}
     */
    public SqlCacheMetrics(Supplier<CacheStatistics> statistics, BooleanSupplier healthy, Iterable<Tag> tags,
                           int maxTables) {
        this(statistics, healthy, null, tags, maxTables);
    }

    /** Every gauge and bound at once: see the other constructors. */
    public SqlCacheMetrics(Supplier<CacheStatistics> statistics, BooleanSupplier healthy,
                           java.util.function.LongSupplier feedLagMillis, Iterable<Tag> tags, int maxTables) {
        this.statistics = statistics;
        this.healthy = healthy;
        this.feedLagMillis = feedLagMillis;
        this.tags = tags;
        this.tableInvalidations = new TableInvalidationMeters(statistics, tags, maxTables);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        counter(registry, "sqlcache.hits", "Reads answered from the cache", CacheStatistics::hits, Tags.empty());
        counter(registry, "sqlcache.misses", "Cacheable reads that went to the database", CacheStatistics::misses,
                Tags.empty());
        counter(registry, "sqlcache.stores", "Results stored in the cache after a miss", CacheStatistics::stores,
                Tags.empty());
        counter(registry, "sqlcache.invalidations", "Tables invalidated by writes", CacheStatistics::invalidations,
                Tags.empty());
        counter(registry, "sqlcache.redis.errors", "Failed calls to the cache store", CacheStatistics::redisErrors,
                Tags.empty());
        counter(registry, "sqlcache.fence.waits", "Writes that waited because Redis could not be told about them",
                CacheStatistics::fenceWaits, Tags.empty());
        counter(registry, "sqlcache.earlydrop.unreadable", "Session lock statements a database refused because of a "
                + "function the early drop reads: no early drop for that database",
                CacheStatistics::unreadableFingerprints, Tags.empty());
        for (BypassReason reason : BypassReason.values()) {
            counter(registry, "sqlcache.bypasses", "Statements that went to the database without the cache",
                    s -> s.bypasses(reason), Tags.of("reason", reason.name().toLowerCase(Locale.ROOT)));
        }
        for (BypassReason reason : REJECT_REASONS) {
            counter(registry, "sqlcache.rejected", "Missed results not kept in the cache",
                    s -> s.rejected(reason), Tags.of("reason", reason.name().toLowerCase(Locale.ROOT)));
        }
        for (EntryRejection cause : EntryRejection.values()) {
            counter(registry, "sqlcache.rejected.entries", "Cache entries refused and read from the database instead",
                    s -> s.rejections(cause), Tags.of("cause", cause.name().toLowerCase(Locale.ROOT)));
        }
        timer(registry, "hit", CacheStatistics::hitLatency);
        timer(registry, "miss", CacheStatistics::missLatency);
        timer(registry, "bypass", CacheStatistics::bypassLatency);
        Gauge.builder("sqlcache.hit.ratio", statistics, s -> s.get().hitRatio())
                .description("Hits divided by cacheable reads since start")
                .tags(tags)
                .register(registry);
        if (healthy != null) {
            Gauge.builder("sqlcache.cache.healthy", healthy, h -> h.getAsBoolean() ? 1 : 0)
                    .description("1 when the cache store answers and no invalidation is owed to it, else 0")
                    .tags(tags)
                    .strongReference(true)
                    .register(registry);
        }
        tableInvalidations.bindTo(registry);
        if (feedLagMillis != null) {
            Gauge.builder("sqlcache.changefeed.lag", feedLagMillis, lag -> {
                        long millis = lag.getAsLong();
                        return millis < 0 ? -1 : millis / 1000.0;
                    })
                    .description("How far behind the database this JVM's change feed is; -1 when it consumes none")
                    .baseUnit("seconds")
                    .tags(tags)
                    .strongReference(true)
                    .register(registry);
        }
    }

    private void timer(MeterRegistry registry, String outcome, java.util.function.Function<CacheStatistics, Latency> of) {
        ToLongFunction<Supplier<CacheStatistics>> count = s -> of.apply(s.get()).count();
        ToDoubleFunction<Supplier<CacheStatistics>> total = s -> of.apply(s.get()).totalNanos();
        FunctionTimer.builder("sqlcache.query", statistics, count, total, TimeUnit.NANOSECONDS)
                .description("Time from executeQuery to the result set, by outcome")
                .tags(Tags.concat(tags, Tags.of("outcome", outcome)))
                .register(registry);
    }

    private void counter(MeterRegistry registry, String name, String description,
                         ToDoubleFunction<CacheStatistics> value, Tags extra) {
        FunctionCounter.builder(name, statistics, s -> value.applyAsDouble(s.get()))
                .description(description)
                .tags(Tags.concat(tags, extra))
                .register(registry);
    }
}
