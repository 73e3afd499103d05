package dev.sqlcache.bench.throughput;

import dev.sqlcache.stats.CacheStatistics;
import org.HdrHistogram.Histogram;

import java.time.Instant;
import java.util.Map;

/**
 * One target's run of one workload for one round.
 *
 * @param round      1-based; 0 for the warm-up, which is reported in the CSV but in no summary
 * @param counts     what the client threads did, summed
 * @param latency    nanoseconds per operation (commit included), every thread's
 * @param error      the first failure of a client thread, or null; a round with one is no valid figure
 * @param statistics sqlcache's counters over the round, or null for other targets
 * @param redis      Redis commands over the round, by name; empty without Redis
 * @param pgpool     pgpool's cache counters over the round, or null for other targets
 * @param cpu        CPU time used over the round by this JVM, the target's Redis and the database's backends
 * @param jvm        this JVM's collections over the round, and its GC and JIT threads' CPU time
 */
record RoundResult(String workload, String target, int round, Instant started, long elapsedNanos, OpCounter counts,
                   Histogram latency, String error, MachineLoad loadBefore, MachineLoad loadAfter,
                   CacheStatistics statistics, Map<String, Long> redis, PgpoolCacheStats pgpool,
                   CpuUse cpu, JvmUse jvm) {

    boolean warmup() {
        return round == 0;
    }

    double operationsPerSecond() {
        return elapsedNanos == 0 ? 0 : counts.operations * 1e9 / elapsedNanos;
    }
}
