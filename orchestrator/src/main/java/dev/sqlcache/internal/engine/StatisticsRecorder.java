package dev.sqlcache.internal.engine;

import dev.sqlcache.stats.BypassReason;
import dev.sqlcache.stats.CacheStatistics;
import dev.sqlcache.stats.EntryRejection;
import dev.sqlcache.stats.Latency;
import dev.sqlcache.stats.PolicySwitches;
import dev.sqlcache.stats.TableStatistics;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts what the cache does. Thread-safe and contention-free (one {@link LongAdder} per counter). Counters by
 * table are bounded ({@link CacheStatistics#MAX_TABLES}); a plan holds its table's counter, so counting a read by
 * table costs no lookup.
 */
public final class StatisticsRecorder {

    /** The counters of one table. */
    public static final class TableCounter {
        private final LongAdder hits = new LongAdder();
        private final LongAdder misses = new LongAdder();
        private final LongAdder bypasses = new LongAdder();
        private final LongAdder invalidations = new LongAdder();

        TableStatistics snapshot() {
            return new TableStatistics(hits.sum(), misses.sum(), bypasses.sum(), invalidations.sum());
        }
    }

    /** Which kind of read a latency belongs to. */
    public enum Outcome { HIT, MISS, BYPASS }

    private final LongAdder hits = new LongAdder();
    private final LongAdder nearHits = new LongAdder();
    private final LongAdder skippedWrites = new LongAdder();
    private final java.util.concurrent.atomic.AtomicInteger skipPermits = new java.util.concurrent.atomic.AtomicInteger();
    private final LongAdder misses = new LongAdder();
    private final LongAdder stores = new LongAdder();
    private final LongAdder invalidations = new LongAdder();
    private final LongAdder redisErrors = new LongAdder();
    private final LongAdder fenceWaits = new LongAdder();
    /** The policy's switches: rare (held for a while each), so plain atomics. */
    private final java.util.concurrent.atomic.AtomicLong shapesOff = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong shapesOn = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong tablesOff = new java.util.concurrent.atomic.AtomicLong();
    private final LongAdder[] bypasses = adders(BypassReason.values().length);
    private final LongAdder[] rejected = adders(BypassReason.values().length);
    private final LongAdder[] rejections = adders(EntryRejection.values().length);
    private final LongAdder[] timed = adders(Outcome.values().length);
    private final LongAdder[] nanos = adders(Outcome.values().length);
    private final ConcurrentHashMap<String, TableCounter> tables = new ConcurrentHashMap<>();
    private final TableCounter otherTables = new TableCounter();

    private static LongAdder[] adders(int n) {
        LongAdder[] adders = new LongAdder[n];
        for (int i = 0; i < n; i++) {
            adders[i] = new LongAdder();
        }
        return adders;
    }

    /** A hit served from the store (a near hit is counted by {@link #nearHit()} alone). */
    public void hit() {
        hits.increment();
    }

    /** A write skipped its invalidation under a skip permit. */
    public void skippedWrite() {
        skippedWrites.increment();
    }

    /** A skip permit was granted (+1) or ended (-1) in this JVM. */
    public void skipPermits(int change) {
        skipPermits.addAndGet(change);
    }

    /**
     * A hit that the near cache answered. Counted once, here, and reported among the hits too ({@link #snapshot}):
     * one increment per near hit where there were two.
     */
    public void nearHit() {
        nearHits.increment();
    }

    public void miss() {
        misses.increment();
    }

    public void stored() {
        stores.increment();
    }

    public void bypass(BypassReason reason) {
        bypasses[reason.ordinal()].increment();
    }

    /** A missed result that is not kept in the cache (the read stays counted as a miss). */
    public void rejected(BypassReason reason) {
        rejected[reason.ordinal()].increment();
    }

    /** An entry found in the store was refused (the read went to the database). */
    public void rejected(EntryRejection cause) {
        rejections[cause.ordinal()].increment();
    }

    /** How long one read took until its result set was returned. */
    public void timed(Outcome outcome, long elapsedNanos) {
        timed[outcome.ordinal()].increment();
        nanos[outcome.ordinal()].add(elapsedNanos);
    }

    public void invalidated(int count) {
        invalidations.add(count);
    }

    /**
     * Counts one invalidation for each table among the renewed version keys ({@code sql:<table>:version:...}; a
     * table's several keys, row keys included, count once), besides {@link #invalidated}.
     */
    public void invalidatedKeys(String[] versionKeys) {
        for (int i = 0; i < versionKeys.length; i++) {
            String table = tableOf(versionKeys[i]);
            if (table != null && !seenBefore(versionKeys, i, table)) {
                table(table).invalidations.increment();
            }
        }
    }

    private static boolean seenBefore(String[] keys, int index, String table) {
        for (int j = 0; j < index; j++) {
            if (table.equals(tableOf(keys[j]))) {
                return true;
            }
        }
        return false;
    }

    static String tableOf(String versionKey) {
        int end = versionKey.indexOf(":version:");
        return versionKey.startsWith("sql:") && end > 4 ? versionKey.substring(4, end) : null;
    }

    /** The counter of a table, or the shared one beyond the bound; {@code null} for no table. */
    public TableCounter table(String name) {
        if (name == null) {
            return null;
        }
        TableCounter counter = tables.get(name);
        if (counter != null) {
            return counter;
        }
        if (tables.size() >= CacheStatistics.MAX_TABLES) {
            return otherTables;
        }
        return tables.computeIfAbsent(name, n -> new TableCounter());
    }

    public static void hit(TableCounter table) {
        if (table != null) {
            table.hits.increment();
        }
    }

    public static void miss(TableCounter table) {
        if (table != null) {
            table.misses.increment();
        }
    }

    public static void bypass(TableCounter table) {
        if (table != null) {
            table.bypasses.increment();
        }
    }

    public void redisError() {
        redisErrors.increment();
    }

    /** The policy switched a statement shape off ({@code true}) or back on. */
    void shapeSwitched(boolean off) {
        (off ? shapesOff : shapesOn).incrementAndGet();
    }

    /** The policy switched a whole table off for a while. */
    void tableSwitchedOff() {
        tablesOff.incrementAndGet();
    }

    /** A write waited for Redis or for this JVM's membership to lapse. */
    public void fenceWait() {
        fenceWaits.increment();
    }

    /** A consistent-enough snapshot: each counter is exact, the set is not taken atomically. */
    public CacheStatistics snapshot() {
        return snapshot(0);
    }

    /**
     * {@link #snapshot()} with the membership's count of refused fingerprints, which the membership keeps (it is
     * shared by every database of this JVM's runtime, not per engine).
     */
    public CacheStatistics snapshot(long unreadableFingerprints) {
        Map<String, TableStatistics> byTable = new HashMap<>();
        tables.forEach((name, counter) -> byTable.put(name, counter.snapshot()));
        TableStatistics other = otherTables.snapshot();
        if (!other.isEmpty()) {
            byTable.put(CacheStatistics.OTHER_TABLES, other);
        }
        long near = nearHits.sum();
        return new CacheStatistics(hits.sum() + near, misses.sum(), stores.sum(), byReason(bypasses),
                invalidations.sum(), redisErrors.sum(), byReason(rejected), latency(Outcome.HIT), latency(Outcome.MISS),
                latency(Outcome.BYPASS), byTable, byCause(), near, skippedWrites.sum(), skipPermits.get(),
                fenceWaits.sum(), policySwitches(), unreadableFingerprints);
    }

    private PolicySwitches policySwitches() {
        long on = shapesOn.get();
        long off = shapesOff.get();
        // Read on before off: a shape switching meanwhile can only make the gauge one too high, never negative.
        return new PolicySwitches(off, on, (int) Math.max(0, off - on), tablesOff.get());
    }

    private Map<EntryRejection, Long> byCause() {
        EnumMap<EntryRejection, Long> byCause = new EnumMap<>(EntryRejection.class);
        for (EntryRejection cause : EntryRejection.values()) {
            long count = rejections[cause.ordinal()].sum();
            if (count != 0) {
                byCause.put(cause, count);
            }
        }
        return byCause;
    }

    private Latency latency(Outcome outcome) {
        return new Latency(timed[outcome.ordinal()].sum(), nanos[outcome.ordinal()].sum());
    }

    private static Map<BypassReason, Long> byReason(LongAdder[] counters) {
        EnumMap<BypassReason, Long> byReason = new EnumMap<>(BypassReason.class);
        for (BypassReason reason : BypassReason.values()) {
            long count = counters[reason.ordinal()].sum();
            if (count != 0) {
                byReason.put(reason, count);
            }
        }
        return byReason;
    }
}
