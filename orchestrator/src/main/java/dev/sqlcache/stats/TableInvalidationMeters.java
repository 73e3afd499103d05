package dev.sqlcache.stats;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * The counter {@code sqlcache.table.invalidations} [sqlcache_table_invalidations_total] with a {@code table} tag,
 * for a bounded number of tables: the first {@code maxTables} tables to be invalidated get a series of their own,
 * every later one is summed under {@code table="(other)"}, and so are the tables that the statistics themselves
 * already pool beyond {@link CacheStatistics#MAX_TABLES} ({@link CacheStatistics#OTHER_TABLES}). Whole-database invalidations count under
 * {@code table="_database"}, the name the cache keys give them.
 *
 * <p>Why the first tables and not the busiest: a counter series must never go backwards. A table that left a "top
 * N" would take its count out of its series and into {@code (other)}, and one that entered would take it out of
 * {@code (other)}; both would read as resets. Here a table's place is decided once and never changes, so every
 * series only grows.
 *
 * <p>Tables appear as writes meet them, after the registry was bound, so series are added when the registry reads
 * the {@code (other)} series (every scrape or publish): a new table's series shows from the next read on, with
 * everything counted for it since start. Nothing is lost meanwhile: until then its invalidations are in no series,
 * and the total is in {@code sqlcache.invalidations} anyway.
 */
final class TableInvalidationMeters {

    static final String NAME = "sqlcache.table.invalidations";
    private static final String DESCRIPTION = "Invalidations by table written (bounded: the first tables met, then "
            + CacheStatistics.OTHER_TABLES + ")";

    private final Supplier<CacheStatistics> statistics;
    private final Iterable<Tag> tags;
    private final int maxTables;
    /** Tables with a series of their own, in the order met. Guarded by this. */
    private final Set<String> own = new LinkedHashSet<>();
    /** Tables counted under (other) for good. Guarded by this. */
    private final Set<String> pooled = new LinkedHashSet<>();
    private final List<MeterRegistry> registries = new CopyOnWriteArrayList<>();

    TableInvalidationMeters(Supplier<CacheStatistics> statistics, Iterable<Tag> tags, int maxTables) {
        if (maxTables < 0) {
            throw new IllegalArgumentException("maxTables must not be negative: " + maxTables);
        }
        this.statistics = statistics;
        this.tags = tags;
        this.maxTables = maxTables;
        pooled.add(CacheStatistics.OTHER_TABLES);
    }

    void bindTo(MeterRegistry registry) {
        registries.add(registry);
        // Held weakly by Micrometer, like every sqlcache meter: the long-lived statistics source; the function
        // (held strongly by the meter) keeps this object alive.
        FunctionCounter.builder(NAME, statistics, s -> otherCount())
                .description(DESCRIPTION)
                .tags(Tags.concat(tags, Tags.of("table", CacheStatistics.OTHER_TABLES)))
                .register(registry);
        List<String> tables;
        synchronized (this) {
            tables = new ArrayList<>(own);
        }
        for (String table : tables) {
            register(registry, table);
        }
        otherCount();
    }

    /** The (other) series: every pooled table; first gives the tables met since the last read their place. */
    private double otherCount() {
        Map<String, TableStatistics> tables = statistics.get().tables();
        List<String> added = new ArrayList<>();
        long other = 0;
        synchronized (this) {
            for (Map.Entry<String, TableStatistics> entry : tables.entrySet()) {
                String table = entry.getKey();
                long invalidations = entry.getValue().invalidations();
                if (invalidations == 0 || own.contains(table)) {
                    continue;
                }
                if (!pooled.contains(table) && own.size() < maxTables) {
                    own.add(table);
                    added.add(table);
                } else {
                    pooled.add(table);
                    other += invalidations;
                }
            }
        }
        // Outside the lock: registering takes the registry's own lock.
        for (String table : added) {
            for (MeterRegistry registry : registries) {
                register(registry, table);
            }
        }
        return other;
    }

    private void register(MeterRegistry registry, String table) {
        FunctionCounter.builder(NAME, statistics, s -> s.get().table(table).invalidations())
                .description(DESCRIPTION)
                .tags(Tags.concat(tags, Tags.of("table", table)))
                .register(registry);
    }
}
