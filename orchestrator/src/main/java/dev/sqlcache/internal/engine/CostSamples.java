package dev.sqlcache.internal.engine;

/**
 * The last {@link #SIZE} timed samples of one cost (a statement's database run, its Redis lookup, its near hit, a
 * table's write leases), and their interquartile mean: the mean of the middle half. Under load a sample now and then
 * takes a thread's whole time slice (milliseconds where the rest take tens of µs), on the database's path and on
 * the cache's alike; a plain mean over the few samples the policy holds followed each such sample across its lines
 * (issue #10: a shape's saved time swung from 31 µs to 36 ms, and it switched 8 times in 4 s). The middle half
 * ignores a quarter of outliers on either side and still follows a change of the typical cost within half a ring.
 * <p>
 * Recording is a racy store into the ring (a lost or torn sample is harmless: an estimate, not an account), with no
 * allocation. {@link #estimate} sorts a copy in a scratch array under the object's lock; the policy calls it once
 * per judgement, not per execution.
 */
final class CostSamples {

    /** Samples kept: a power of two. */
    static final int SIZE = 32;

    private final long[] ring = new long[SIZE];
    private final long[] scratch = new long[SIZE];
    /** Samples recorded so far (racy), up to a bound: where the next goes and how many the ring holds. */
    private volatile int recorded;
    /** The last estimate and how many samples had been recorded then: unchanged samples are not sorted again. */
    private double estimated;
    private int estimatedAt = -1;

    void record(long nanos) {
        int n = recorded;
        ring[n & (SIZE - 1)] = nanos;
        // Bounded so that it never wraps negative; the ring's index only needs the low bits.
        recorded = n < (1 << 30) ? n + 1 : SIZE + (n & (SIZE - 1)) + 1;
    }

    /** Forgets every sample: the next estimate is taken on samples recorded from now on. */
    void clear() {
        synchronized (this) {
            recorded = 0;
            estimatedAt = -1;
        }
    }

    /** How many samples the ring holds (up to {@link #SIZE}). */
    int count() {
        return Math.min(recorded, SIZE);
    }

    /** The mean of the middle half of the samples held, or {@code fallback} when there are none. */
    double estimate(double fallback) {
        synchronized (this) {
            int at = recorded;
            int n = Math.min(at, SIZE);
            if (n == 0) {
                return fallback;
            }
            if (at == estimatedAt) {
                // A shape served from its near copies records no database run or Redis lookup between judgements.
                return estimated;
            }
            System.arraycopy(ring, 0, scratch, 0, n);
            // Insertion sort: at most 32 values, once per judgement.
            for (int i = 1; i < n; i++) {
                long v = scratch[i];
                int j = i - 1;
                while (j >= 0 && scratch[j] > v) {
                    scratch[j + 1] = scratch[j];
                    j--;
                }
                scratch[j + 1] = v;
            }
            int drop = n / 4;
            long sum = 0;
            for (int i = drop; i < n - drop; i++) {
                sum += scratch[i];
            }
            estimated = (double) sum / (n - 2 * drop);
            estimatedAt = at;
            return estimated;
        }
    }
}
