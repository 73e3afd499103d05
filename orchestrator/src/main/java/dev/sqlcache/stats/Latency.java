package dev.sqlcache.stats;

/**
 * How long one kind of read took, from {@code executeQuery} (or {@code execute}) being called to the result set
 * being returned: a hit's lookup and decoding, a miss's lookup and query, a bypass's decision and query. Rows the
 * application reads afterwards are not included.
 *
 * @param count      reads timed
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
