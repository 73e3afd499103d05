package dev.sqlcache.internal.engine;

import dev.sqlcache.stats.BypassReason;
import dev.sqlcache.stats.CacheStatistics;
import dev.sqlcache.stats.EntryRejection;

import java.util.EnumMap;
import java.util.concurrent.atomic.LongAdder;

/** Counts what the cache does. Thread-safe and contention-free (one {@link LongAdder} per counter). */
public final class StatisticsRecorder {

    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder stores = new LongAdder();
    private final LongAdder invalidations = new LongAdder();
    private final LongAdder redisErrors = new LongAdder();
    private final LongAdder[] bypasses = new LongAdder[BypassReason.values().length];
    private final LongAdder[] rejections = new LongAdder[EntryRejection.values().length];

    public StatisticsRecorder() {
        for (int i = 0; i < bypasses.length; i++) {
            bypasses[i] = new LongAdder();
        }
        for (int i = 0; i < rejections.length; i++) {
            rejections[i] = new LongAdder();
        }
    }

    public void hit() {
        hits.increment();
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

    /** An entry found in the store was refused (the read went to the database). */
    public void rejected(EntryRejection cause) {
        rejections[cause.ordinal()].increment();
    }

    public void invalidated(int count) {
        invalidations.add(count);
    }

    public void redisError() {
        redisErrors.increment();
    }

    /** A consistent-enough snapshot: each counter is exact, the set is not taken atomically. */
    public CacheStatistics snapshot() {
        EnumMap<BypassReason, Long> byReason = new EnumMap<>(BypassReason.class);
        for (BypassReason reason : BypassReason.values()) {
            long count = bypasses[reason.ordinal()].sum();
            if (count != 0) {
                byReason.put(reason, count);
            }
        }
        EnumMap<EntryRejection, Long> byCause = new EnumMap<>(EntryRejection.class);
        for (EntryRejection cause : EntryRejection.values()) {
            long count = rejections[cause.ordinal()].sum();
            if (count != 0) {
                byCause.put(cause, count);
            }
        }
        return new CacheStatistics(hits.sum(), misses.sum(), stores.sum(), byReason, invalidations.sum(),
                redisErrors.sum(), byCause);
    }
}
