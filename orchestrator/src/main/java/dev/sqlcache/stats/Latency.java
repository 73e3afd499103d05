package dev.sqlcache.stats;

/**
 * How long one kind of read took, from {@code executeQuery} (or {@code execute}) being called to the result set
 * being returned: a hit's lookup and decoding, a miss's lookup and query, a bypass's query. Rows the
 * application reads afterwards are not included. Every miss and every hit from the store is timed; near hits and
 * bypasses are sampled (one in 16): their own cost is about that of a clock reading. The mean is what to read.
 *
 * @param count      reads timed (not all reads: see above)
 * @param totalNanos their summed duration
 */
public record Latency(long count, long totalNanos) {

    /** No read timed. */
    public static final Latency NONE = new Latency(0, 0);

    /** Mean duration in nanoseconds; 0 when nothing was timed. */
    public double meanNanos() {
        return count == 0 ? 0.0 : (double) totalNanos / count;
    }

    /** The difference from an earlier figure. */
    public Latency since(Latency earlier) {
        return new Latency(count - earlier.count, totalNanos - earlier.totalNanos);
    }
}
