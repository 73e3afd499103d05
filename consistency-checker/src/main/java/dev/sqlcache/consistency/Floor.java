package dev.sqlcache.consistency;

/**
 * A reader's copy of every watermark, taken before its statement (a snapshot transaction: before its first one).
 * Any correct answer is at least as new as the copy; {@link #exact} tells, after the statement, whether it must be
 * exactly the copy.
 */
final class Floor {

    private final Watermarks watermarks;
    private final long[] copy;

    private Floor(Watermarks watermarks, long[] copy) {
        this.watermarks = watermarks;
        this.copy = copy;
    }

    static Floor copy(Watermarks watermarks) {
        long[] copy = new long[Schema.WATERMARK_SLOTS];
        for (int i = 0; i < copy.length; i++) {
            copy[i] = watermarks.get(i);
        }
        return new Floor(watermarks, copy);
    }

    /** The highest version of this key whose commit had returned before the copy. */
    long get(int slot) {
        return copy[slot];
    }

    /**
     * Whether no write of this key can have committed between the copy and now: none is in flight now and none
     * returned since the copy (a write raises its watermark before it leaves, so the order of the two reads here
     * matters). Called after the statement, it means the statement saw exactly version {@link #get}.
     */
    boolean exact(int slot) {
        return watermarks.inFlight(slot) == 0 && watermarks.get(slot) == copy[slot];
    }

    /** {@link #exact} for every slot in {@code [from, from + count)}. */
    boolean exact(int from, int count) {
        for (int slot = from; slot < from + count; slot++) {
            if (!exact(slot)) {
                return false;
            }
        }
        return true;
    }

    /** The sum of the copied versions of {@code [from, from + count)}. */
    long sum(int from, int count) {
        long sum = 0;
        for (int slot = from; slot < from + count; slot++) {
            sum += copy[slot];
        }
        return sum;
    }
}
