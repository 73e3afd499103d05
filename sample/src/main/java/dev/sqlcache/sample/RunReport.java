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

    private static final String ROW = "  %-26s %10s %9s %11s %11s%n";

    private final PrintStream out;

    RunReport(PrintStream out) {
        this.out = out;
    }

    void print(RunResult run, String detail) {
        out.println();
        out.printf(Locale.ROOT, "%s (%s, %d thread%s)%n", run.label(), detail, run.threads(),
                run.threads() == 1 ? "" : "s");
        out.printf(Locale.ROOT, ROW, "statement", "count", "hit ratio", "median us", "p99 us");
        for (Operation operation : Operation.values()) {
            LatencyStats stats = run.of(operation);
            if (stats.count() > 0) {
                RunResult.Outcomes outcomes = run.outcomes().get(operation);
                String ratio = outcomes == null ? "-" : percent(outcomes.hitRatio());
                row(operation.label(), stats, ratio);
            }
        }
        row("all statements", run.overall(), run.cache() == null ? "-" : percent(run.cache().hitRatio()));
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
        out.printf(Locale.ROOT, "%s vs %s (%d thread%s)%n", cached.label(), direct.label(), cached.threads(),
                cached.threads() == 1 ? "" : "s");
        out.printf(Locale.ROOT, "  median latency  %,10.1f us -> %,10.1f us   %s%n", d.medianMicros(),
                c.medianMicros(), speedUp(d.medianNanos(), c.medianNanos()));
        out.printf(Locale.ROOT, "  p99 latency     %,10.1f us -> %,10.1f us   %s%n", d.p99Micros(), c.p99Micros(),
                speedUp(d.p99Nanos(), c.p99Nanos()));
        out.printf(Locale.ROOT, "  throughput      %,10.0f /s -> %,10.0f /s   %s%n", direct.throughputPerSecond(),
                cached.throughputPerSecond(), ratio(cached.throughputPerSecond(), direct.throughputPerSecond()));
        for (Operation operation : Operation.values()) {
            LatencyStats od = direct.of(operation);
            LatencyStats oc = cached.of(operation);
            if (od.count() > 0 && oc.count() > 0 && !operation.isWrite()) {
                out.printf(Locale.ROOT, "  median %-26s %s%n", operation.label(),
                        speedUp(od.medianNanos(), oc.medianNanos()));
            }
        }
        if (direct.fingerprints().length > 0 && cached.fingerprints().length > 0) {
            int same = identicalAnswers(direct, cached);
            out.printf(Locale.ROOT, "  answers         %,d of %,d identical to the direct run%n", same,
                    direct.fingerprints().length);
        }
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

    private void row(String label, LatencyStats stats, String hitRatio) {
        out.printf(Locale.ROOT, ROW, label, String.format(Locale.ROOT, "%,d", stats.count()), hitRatio,
                String.format(Locale.ROOT, "%,.1f", stats.medianMicros()),
                String.format(Locale.ROOT, "%,.1f", stats.p99Micros()));
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
