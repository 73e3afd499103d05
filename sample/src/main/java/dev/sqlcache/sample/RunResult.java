package dev.sqlcache.sample;

import dev.sqlcache.stats.CacheStatistics;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * What one measured run produced: latencies per operation, the answers it got (as fingerprints, and in full when
 * asked for), and what the cache did meanwhile.
 *
 * @param label       what ran, e.g. {@code direct H2}
 * @param threads     how many threads shared the steps
 * @param latencies   nanoseconds per statement, by operation
 * @param wallNanos   time from the first statement to the last
 * @param fingerprints one hash of each statement's answer, in step order; empty when several threads ran
 * @param answers     every answer in full (rows of values, or the update count), only when asked for
 * @param cache       the cache counters' change over the run; {@code null} for a run without sqlcache
 * @param outcomes    hits, misses and bypasses per operation; empty unless one thread ran through sqlcache
 * @param hitLatencies nanoseconds of the statements answered from the cache, by operation; empty likewise
 */
record RunResult(String label, int threads, Map<Operation, long[]> latencies, long wallNanos, long[] fingerprints,
                 List<List<List<Object>>> answers, CacheStatistics cache, Map<Operation, Outcomes> outcomes,
                 Map<Operation, long[]> hitLatencies) {

    /** How one operation's reads went through the cache. */
    record Outcomes(long hits, long misses, long bypasses) {

        /** What one statement did, from the counters' change around it. */
        static Outcomes of(CacheStatistics delta) {
            return new Outcomes(delta.hits(), delta.misses(), delta.totalBypasses());
        }

        Outcomes plus(Outcomes other) {
            return new Outcomes(hits + other.hits, misses + other.misses, bypasses + other.bypasses);
        }

        /** Hits over cacheable reads, or -1 when there were none (writes). */
        double hitRatio() {
            long reads = hits + misses;
            return reads == 0 ? -1 : (double) hits / reads;
        }
    }

    int statements() {
        return latencies.values().stream().mapToInt(l -> l.length).sum();
    }

    double throughputPerSecond() {
        return statements() / (wallNanos / 1e9);
    }

    LatencyStats overall() {
        return LatencyStats.of(latencies.values().stream().flatMapToLong(Arrays::stream).toArray());
    }

    LatencyStats of(Operation operation) {
        return LatencyStats.of(latencies.getOrDefault(operation, new long[0]));
    }

    /** Latencies of this operation's cache hits alone: what a hit costs, whatever the query. */
    LatencyStats hitsOf(Operation operation) {
        return LatencyStats.of(hitLatencies.getOrDefault(operation, new long[0]));
    }
}
