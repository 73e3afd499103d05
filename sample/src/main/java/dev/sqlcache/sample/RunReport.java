package dev.sqlcache.sample;

import dev.sqlcache.stats.CacheStatistics;

import java.io.PrintStream;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Prints what a run measured as a table, and how two runs compare. Plain text on stdout: the numbers are the
 * point of the sample, so they are printed, not logged.
 */
final class RunReport {

    private static final String ROW = "  %-26s %8s %9s %11s %11s %14s%n";

    private final PrintStream out;

    RunReport(PrintStream out) {
        this.out = out;
    }

    void print(RunResult run, String detail) {
        out.println();
        out.printf(Locale.ROOT, "%s (%s, %d thread%s)%n", run.label(), detail, run.threads(),
                run.threads() == 1 ? "" : "s");
        out.printf(Locale.ROOT, ROW, "statement", "count", "hit ratio", "median us", "p99 us", "hit median us");
        for (Operation operation : Operation.values()) {
            LatencyStats stats = run.of(operation);
            if (stats.count() > 0) {
                RunResult.Outcomes outcomes = run.outcomes().get(operation);
                LatencyStats hits = run.hitsOf(operation);
                row(operation.label(), stats, outcomes == null ? "-" : percent(outcomes.hitRatio()),
                        hits.count() == 0 ? "-" : micros(hits.medianMicros()));
            }
        }
        row("all statements", run.overall(), run.cache() == null ? "-" : percent(run.cache().hitRatio()), "");
        if (run.cache() != null && run.outcomes().isEmpty()) {
            // Threads share the cache's counters, so a run on several threads cannot tell which statement hit.
            out.println("  (hit ratio by statement: measured on one thread only, see the run above; here only for"
                    + " all statements)");
        }
        out.printf(Locale.ROOT, "  throughput %,.0f statements/s (%,d statements in %.2f s)%n",
                run.throughputPerSecond(), run.statements(), run.wallNanos() / 1e9);
        if (run.cache() != null) {
            out.println("  cache " + counters(run.cache()));
        }
    }

    /** The counters in one line, bypasses broken down by reason so that a low hit ratio explains itself. */
    static String counters(CacheStatistics stats) {
        String reasons = stats.bypasses().entrySet().stream()
                .map(e -> e.getKey().name().toLowerCase(Locale.ROOT) + " " + e.getValue())
                .collect(Collectors.joining(", "));
        return String.format(Locale.ROOT, "hits %,d  misses %,d  stores %,d  bypasses %,d%s  invalidations %,d"
                        + "  redis errors %,d",
                stats.hits(), stats.misses(), stats.stores(), stats.totalBypasses(),
                reasons.isEmpty() ? "" : " (" + reasons + ")", stats.invalidations(), stats.redisErrors());
    }

    /** How the cached run did against the direct one, and whether it got the same answers. */
    void compare(RunResult direct, RunResult cached) {
        LatencyStats d = direct.overall();
        LatencyStats c = cached.overall();
        out.println();
        out.printf(Locale.ROOT, "%s vs %s (%d thread%s, the same %,d statements)%n", cached.label(), direct.label(),
                cached.threads(), cached.threads() == 1 ? "" : "s", cached.statements());
        out.printf(Locale.ROOT, "  median latency  %,10.1f us -> %,10.1f us   %s%n", d.medianMicros(),
                c.medianMicros(), speedUp(d.medianNanos(), c.medianNanos()));
        out.printf(Locale.ROOT, "  p99 latency     %,10.1f us -> %,10.1f us   %s%n", d.p99Micros(), c.p99Micros(),
                speedUp(d.p99Nanos(), c.p99Nanos()));
        out.printf(Locale.ROOT, "  throughput      %,10.0f /s -> %,10.0f /s   %s%n", direct.throughputPerSecond(),
                cached.throughputPerSecond(), ratio(cached.throughputPerSecond(), direct.throughputPerSecond()));
        if (cached.cache() != null) {
            long reachedDatabase = cached.statements() - cached.cache().hits();
            out.printf(Locale.ROOT, "  statements H2 executed %,d -> %,d (%,d answered from the cache)%n",
                    direct.statements(), reachedDatabase, cached.cache().hits());
        }
        if (!cached.hitLatencies().isEmpty()) {
            out.println("  a read answered from the cache vs the same read on H2 (medians):");
            for (Operation operation : Operation.values()) {
                LatencyStats od = direct.of(operation);
                LatencyStats hits = cached.hitsOf(operation);
                if (od.count() > 0 && hits.count() > 0) {
                    out.printf(Locale.ROOT, "    %-26s %,10.1f us -> %,10.1f us   %s%n", operation.label(),
                            od.medianMicros(), hits.medianMicros(), speedUp(od.medianNanos(), hits.medianNanos()));
                }
            }
        }
        explainHitCost(direct, cached);
        if (direct.fingerprints().length > 0 && cached.fingerprints().length > 0) {
            int same = identicalAnswers(direct, cached);
            out.printf(Locale.ROOT, "  answers         %,d of %,d identical to the direct run%n", same,
                    direct.fingerprints().length);
        }
    }

    /**
     * A hit costs about the same whatever the query (a trip to the store and decoding), so whether it wins depends
     * on what the database would have spent: said in numbers from this run, since in-process H2 is faster than
     * any networked database and can beat a hit on its cheapest reads.
     */
    private void explainHitCost(RunResult direct, RunResult cached) {
        double cheapestHit = Double.MAX_VALUE;
        double dearestHit = 0;
        StringBuilder wins = new StringBuilder();
        StringBuilder losses = new StringBuilder();
        for (Operation operation : Operation.values()) {
            LatencyStats hits = cached.hitsOf(operation);
            LatencyStats od = direct.of(operation);
            if (hits.count() == 0 || od.count() == 0) {
                continue;
            }
            cheapestHit = Math.min(cheapestHit, hits.medianMicros());
            dearestHit = Math.max(dearestHit, hits.medianMicros());
            StringBuilder list = hits.medianNanos() < od.medianNanos() ? wins : losses;
            list.append(list.length() == 0 ? "" : ", ").append(operation.label());
        }
        if (dearestHit == 0) {
            return;
        }
        out.printf(Locale.ROOT, "  a hit took %,.0f-%,.0f us here whatever the query; it beat H2 on: %s; H2 in this "
                        + "JVM was quicker on: %s%n", cheapestHit, dearestHit,
                wins.length() == 0 ? "none" : wins, losses.length() == 0 ? "none" : losses);
    }

    /** Answers, step by step, that hash alike in both runs. */
    static int identicalAnswers(RunResult a, RunResult b) {
        int n = Math.min(a.fingerprints().length, b.fingerprints().length);
        int same = 0;
        for (int i = 0; i < n; i++) {
            if (a.fingerprints()[i] == b.fingerprints()[i]) {
                same++;
            }
        }
        return same;
    }

    private void row(String label, LatencyStats stats, String hitRatio, String hitMedian) {
        out.printf(Locale.ROOT, ROW, label, String.format(Locale.ROOT, "%,d", stats.count()), hitRatio,
                micros(stats.medianMicros()), micros(stats.p99Micros()), hitMedian);
    }

    private static String micros(double value) {
        return String.format(Locale.ROOT, "%,.1f", value);
    }

    private static String percent(double ratio) {
        return ratio < 0 ? "-" : String.format(Locale.ROOT, "%.1f%%", ratio * 100);
    }

    /** "3.2x faster" or "1.4x slower": a latency that went down is a speed-up. */
    private static String speedUp(long beforeNanos, long afterNanos) {
        if (afterNanos <= 0 || beforeNanos <= 0) {
            return "";
        }
        double factor = (double) beforeNanos / afterNanos;
        return factor >= 1
                ? String.format(Locale.ROOT, "%.1fx faster", factor)
                : String.format(Locale.ROOT, "%.1fx slower", 1 / factor);
    }

    private static String ratio(double after, double before) {
        return before <= 0 ? "" : String.format(Locale.ROOT, "%.2fx", after / before);
    }
}
