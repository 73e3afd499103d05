package dev.sqlcache.stats;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.util.Locale;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * Publishes sqlcache's counters to a Micrometer registry (Prometheus names in brackets):
 * {@code sqlcache.hits} [sqlcache_hits_total], {@code sqlcache.misses}, {@code sqlcache.stores},
 * {@code sqlcache.bypasses} with a {@code reason} tag, {@code sqlcache.invalidations}, {@code sqlcache.redis.errors},
 * {@code sqlcache.rejected.entries} with a {@code cause} tag ({@link EntryRejection}: corrupt, foreign_key, bad_mac,
 * over_limit), and the gauge {@code sqlcache.hit.ratio}.
 *
 * <pre>{@code
 * new SqlCacheMetrics(connection.unwrap(SqlCacheConnection.class).statisticsSource(), Tags.of("db", "orders"))
 *         .bindTo(registry);
 * }</pre>
 * Micrometer is an optional dependency: only applications that use this class need it.
 */
public final class SqlCacheMetrics implements MeterBinder {

    private final Supplier<CacheStatistics> statistics;
    private final Iterable<Tag> tags;

    /**
     * @param statistics where current figures come from (read on every scrape). Micrometer holds it weakly: pass a
     *                   long-lived source such as {@code SqlCacheConnection.statisticsSource()}, not a new lambda
     * @param tags       tags added to every meter
     */
    public SqlCacheMetrics(Supplier<CacheStatistics> statistics, Iterable<Tag> tags) {
        this.statistics = statistics;
        this.tags = tags;
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
        for (BypassReason reason : BypassReason.values()) {
            counter(registry, "sqlcache.bypasses", "Statements that went to the database without the cache",
                    s -> s.bypasses(reason), Tags.of("reason", reason.name().toLowerCase(Locale.ROOT)));
        }
        for (EntryRejection cause : EntryRejection.values()) {
            counter(registry, "sqlcache.rejected.entries", "Cache entries refused and read from the database instead",
                    s -> s.rejections(cause), Tags.of("cause", cause.name().toLowerCase(Locale.ROOT)));
        }
        Gauge.builder("sqlcache.hit.ratio", statistics, s -> s.get().hitRatio())
                .description("Hits divided by cacheable reads since start")
                .tags(tags)
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
