package dev.sqlcache.consistency;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Assertions shared by the runs: that the cache and each family of checks actually took part. They require counts
 * that prove it ran, never ratios (a loaded machine moves the hit ratio, not whether there were hits).
 */
final class Checks {

    /**
     * Enough hits that the cache served a real share of the answers checked, low enough for a machine so loaded
     * that a 15 s run makes only a couple of thousand reads (seen: 169 hits of 1 615 reads, the same run makes
     * 100 000 reads on a quiet machine).
     */
    static final long MIN_HITS = 50;
    /** Likewise, for the reads of the key-level tables. */
    static final long MIN_KEYED_HITS = 10;
    /** Enough hits of the bank's snapshot reads, once required. */
    static final long MIN_SNAPSHOT_HITS = 50;

    private Checks() {
    }

    static void cacheTookPart(Report report, String summary) {
        assertAll(
                () -> assertTrue(report.get("cache.hits") >= MIN_HITS, "fewer than " + MIN_HITS
                        + " cache hits: the cache barely took part, " + summary),
                () -> assertTrue(report.get("cache.stores") > 0, "nothing stored, " + summary),
                () -> assertTrue(!nearCacheOn() || report.get("cache.nearHits") > 0,
                        "the near cache served nothing, " + summary));
    }

    /** Whether the run keeps near caches (the default; {@code -Dsqlcache.checker.nearCache=false} turns them off). */
    static boolean nearCacheOn() {
        return Boolean.parseBoolean(System.getProperty("sqlcache.checker.nearCache", "true"));
    }

    /** Every key-level read family answered, and the cache served some of the key-level reads. */
    static void keyedChecksRan(Report report, Target target, String summary) {
        String[] families = {"item-by-key", "items-by-in-list", "item-group-sum", "item-total", "item-range",
                "item-join", "item-by-code", "entity-by-key", "entities-by-in-list", "entity-range", "entity-count",
                "line-by-key", "lines-of-order", "lines-by-number"};
        long keyedHits = 0;
        for (String family : families) {
            assertTrue(report.get("answers." + family) > 0, "no " + family + " read ran, " + summary);
            keyedHits += report.get("hits." + family);
        }
        if (target.hasArrays()) {
            assertTrue(report.get("answers.items-by-array") > 0 && report.get("answers.entities-by-array") > 0,
                    "no = ANY(?) read ran, " + summary);
        }
        long hits = keyedHits;
        assertTrue(hits >= MIN_KEYED_HITS, "the cache served only " + hits + " key-level reads, " + summary);
    }

    /**
     * The bank's readers summed the accounts, and where sqlcache serves snapshot transactions (unless
     * {@code -Dsqlcache.checker.requireSnapshotHits=false}) enough of their reads came from the cache.
     */
    static void bankRan(Report report, Target target, String summary) {
        assertTrue(report.get("bank.snapshotTotals") > 0 && report.get("bank.transfers") > 0,
                "the bank did not run, " + summary);
        if (target.hasSnapshotReads()
                && Boolean.parseBoolean(System.getProperty("sqlcache.checker.requireSnapshotHits", "true"))) {
            assertTrue(report.get("bank.snapshotHits") >= MIN_SNAPSHOT_HITS, "only "
                    + report.get("bank.snapshotHits") + " snapshot reads were served from the cache (at least "
                    + MIN_SNAPSHOT_HITS + " required by sqlcache.checker.requireSnapshotHits), " + summary);
        }
    }
}
