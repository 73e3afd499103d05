package dev.sqlcache.sample;

import java.util.Arrays;

/**
 * Median and 99th percentile of a set of statement latencies, nearest-rank: a figure that one statement actually
 * took, never an interpolation between two.
 */
record LatencyStats(int count, long medianNanos, long p99Nanos) {

    static LatencyStats of(long[] nanos) {
        if (nanos.length == 0) {
            return new LatencyStats(0, 0, 0);
        }
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return new LatencyStats(sorted.length, rank(sorted, 0.50), rank(sorted, 0.99));
    }

    private static long rank(long[] sorted, double quantile) {
        int index = (int) Math.ceil(quantile * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    double medianMicros() {
        return medianNanos / 1_000.0;
    }

    double p99Micros() {
        return p99Nanos / 1_000.0;
    }
}
