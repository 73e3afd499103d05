package dev.sqlcache.bench.throughput;

import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.RejectionInversionZipfSampler;
import org.apache.commons.rng.sampling.distribution.SharedStateDiscreteSampler;
import org.apache.commons.rng.simple.RandomSource;

import java.util.function.IntSupplier;

/**
 * How a workload picks the key of its next operation, over keys {@code 1..n}. The rank order is shuffled once
 * with a fixed seed (YCSB's "scrambled" Zipfian), so the hot keys are spread over the table, not its first pages.
 */
abstract class KeyDistribution {
    private static final long SHUFFLE_SEED = 0x5eed_cafeL;

    final int n;
    /** {@code keys[rank]}: the key of the rank-th most popular row (rank 0 is the hottest). */
    private final int[] keys;

    KeyDistribution(int n) {
        this.n = n;
        this.keys = new int[n];
        for (int i = 0; i < n; i++) {
            keys[i] = i + 1;
        }
        UniformRandomProvider shuffle = RandomSource.XO_RO_SHI_RO_128_PP.create(SHUFFLE_SEED);
        for (int i = n - 1; i > 0; i--) {
            int j = shuffle.nextInt(i + 1);
            int t = keys[i];
            keys[i] = keys[j];
            keys[j] = t;
        }
    }

    final int keyOfRank(int rank) {
        return keys[rank];
    }

    /** A sampler drawing from {@code random}; one per thread and round. */
    abstract IntSupplier sampler(UniformRandomProvider random);

    /** Zipfian with YCSB's constant 0.99 (rejection-inversion sampling from Commons RNG). */
    static KeyDistribution zipfian(int n) {
        return new KeyDistribution(n) {
            @Override
            IntSupplier sampler(UniformRandomProvider random) {
                SharedStateDiscreteSampler zipf = RejectionInversionZipfSampler.of(random, n, 0.99);
                return () -> keyOfRank(zipf.sample() - 1);
            }

            @Override
            public String toString() {
                return "Zipfian (0.99, scrambled) over " + n + " keys";
            }
        };
    }

    /** {@code opFraction} of the operations go to a hot set of {@code hotFraction} of the keys (YCSB "hotspot"). */
    static KeyDistribution hotspot(int n, double hotFraction, double opFraction) {
        int hot = (int) Math.round(n * hotFraction);
        return new KeyDistribution(n) {
            @Override
            IntSupplier sampler(UniformRandomProvider random) {
                return () -> random.nextDouble() < opFraction
                        ? keyOfRank(random.nextInt(hot))
                        : keyOfRank(hot + random.nextInt(n - hot));
            }

            @Override
            public String toString() {
                return Math.round(opFraction * 100) + "/" + Math.round(hotFraction * 100) + " hotspot over " + n
                        + " keys";
            }
        };
    }

    /** Every key equally likely. */
    static KeyDistribution uniform(int n) {
        return new KeyDistribution(n) {
            @Override
            IntSupplier sampler(UniformRandomProvider random) {
                return () -> 1 + random.nextInt(n);
            }

            @Override
            public String toString() {
                return "uniform over " + n + " keys";
            }
        };
    }
}
