package dev.sqlcache.internal.engine;

import java.util.SplittableRandom;

/** YCSB's request distribution for the policy tests: Zipfian (theta 0.99) keys drawn by a seeded generator. */
final class ZipfianDraws {

    private ZipfianDraws() {
    }

    /** {@code draws} keys in {@code [0, keys)}, key 0 the most often drawn. */
    static int[] draw(int keys, int draws, long seed) {
        double[] cumulative = new double[keys];
        double sum = 0;
        for (int i = 0; i < keys; i++) {
            sum += 1 / Math.pow(i + 1, 0.99);
            cumulative[i] = sum;
        }
        SplittableRandom random = new SplittableRandom(seed);
        int[] drawn = new int[draws];
        for (int d = 0; d < draws; d++) {
            double u = random.nextDouble() * sum;
            int lo = 0;
            int hi = keys - 1;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (cumulative[mid] < u) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            drawn[d] = lo;
        }
        return drawn;
    }
}
