package dev.sqlcache.bench.throughput;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The throughput targets of issues #10 and #13, as ratios of median throughputs measured in the same run. The
 * harness only says whether each is met; why a figure is what it is must be read from the counters beside it.
 */
final class Goals {

    /** {@code target} must reach {@code minRatio} times {@code baseline}'s throughput on {@code workload}. */
    record Goal(String issue, String workload, String target, String baseline, double minRatio, String note) {
    }

    /** One goal evaluated: the measured ratio, or why there is none. */
    record Outcome(Goal goal, double ratio, String verdict) {
    }

    static final List<Goal> ALL = List.of(
            new Goal("#10", "ycsb-100-0", Targets.SQLCACHE_REDIS, Targets.DIRECT, 1.1, "read-only"),
            new Goal("#10", "ycsb-90-10", Targets.SQLCACHE_REDIS, Targets.DIRECT, 1.0, ""),
            new Goal("#10", "ycsb-50-50", Targets.SQLCACHE_REDIS, Targets.DIRECT, 0.9, ""),
            new Goal("#10", "epinions-90-10", Targets.SQLCACHE_REDIS, Targets.DIRECT, 0.9, ""),
            new Goal("#13", "pk-reads-ro", Targets.SQLCACHE_NEAR, Targets.DIRECT, 3.0, ""),
            new Goal("#13", "pk-reads-ro", Targets.SQLCACHE_NEAR, Targets.PGPOOL, 5.0, ""),
            new Goal("#13", "pk-reads-ro", Targets.SQLCACHE_REDIS, Targets.DIRECT, 1.0, ""),
            new Goal("#13", "ycsb-90-10", Targets.SQLCACHE_NEAR, Targets.DIRECT, 2.0, ""),
            new Goal("#13", "join-agg-ro", Targets.SQLCACHE_NEAR, Targets.DIRECT, 100.0, ""),
            new Goal("#13", "join-agg-5w", Targets.SQLCACHE_NEAR, Targets.DIRECT, 1.5, "strictly consistent"),
            new Goal("#13", "join-agg-5w", Targets.SQLCACHE_NEAR_STALE, Targets.DIRECT, 10.0,
                    "orders opted into bounded staleness"));

    private Goals() {
    }

    static List<Outcome> evaluate(List<Summary> summaries) {
        List<Outcome> outcomes = new ArrayList<>();
        for (Goal goal : ALL) {
            Summary target = find(summaries, goal.workload(), goal.target());
            Summary baseline = find(summaries, goal.workload(), goal.baseline());
            if (target == null || baseline == null) {
                continue;
            }
            if (!target.ok()) {
                outcomes.add(new Outcome(goal, Double.NaN, "not measured: " + goal.target() + " " + target.status()));
            } else if (!baseline.ok()) {
                outcomes.add(new Outcome(goal, Double.NaN,
                        "not measured: " + goal.baseline() + " " + baseline.status()));
            } else {
                double ratio = target.medianOpsPerSecond() / baseline.medianOpsPerSecond();
                outcomes.add(new Outcome(goal, ratio, ratio >= goal.minRatio() ? "met" : "NOT met"));
            }
        }
        return outcomes;
    }

    private static Summary find(List<Summary> summaries, String workload, String target) {
        return summaries.stream().filter(s -> s.workload().equals(workload) && s.target().equals(target))
                .findFirst().orElse(null);
    }

    static String describe(Goal goal) {
        return String.format(Locale.ROOT, "≥ %s× %s%s", trim(goal.minRatio()), goal.baseline(),
                goal.note().isEmpty() ? "" : " (" + goal.note() + ")");
    }

    private static String trim(double value) {
        return value == Math.rint(value) && value >= 10 ? Long.toString((long) value)
                : String.format(Locale.ROOT, "%.1f", value);
    }
}
