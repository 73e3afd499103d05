package dev.sqlcache.sample;

import java.util.Random;

/**
 * Draws ids the way real traffic does: most requests go to a small hot set (best sellers, active customers), the
 * rest anywhere. Without that skew a read-through cache would mostly see each key once and the sample would
 * measure nothing but misses.
 */
final class Skew {

    /** Share of draws that go to the hot set. */
    static final double HOT_SHARE = 0.9;
    /** Size of the hot set as a share of all ids. */
    static final double HOT_FRACTION = 0.01;

    private Skew() {
    }

    /** An id in {@code 1..count}: with probability {@link #HOT_SHARE} one of the first {@link #HOT_FRACTION}. */
    static int pick(Random random, int count) {
        int hot = Math.max(1, (int) (count * HOT_FRACTION));
        if (random.nextDouble() < HOT_SHARE) {
            return 1 + random.nextInt(hot);
        }
        return 1 + random.nextInt(count);
    }

    /**
     * An index in {@code 0..count-1} with Zipf weights 1, 1/2, 1/3, ...: a few categories draw most of the
     * browsing, as on any shop front, and the long tail still gets visits.
     */
    static int popular(Random random, int count) {
        double total = 0;
        for (int i = 1; i <= count; i++) {
            total += 1.0 / i;
        }
        double draw = random.nextDouble() * total;
        for (int i = 1; i <= count; i++) {
            draw -= 1.0 / i;
            if (draw < 0) {
                return i - 1;
            }
        }
        return count - 1;
    }
}
