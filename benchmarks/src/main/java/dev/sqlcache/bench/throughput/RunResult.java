package dev.sqlcache.bench.throughput;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Everything one run measured, raw: the rounds, and which targets could not run which workload and why. */
final class RunResult {
    final HarnessConfig config;
    final Instant started = Instant.now();
    Instant finished;
    final List<RoundResult> rounds = new ArrayList<>();
    /** workload name, then target name, to the reason it was not measured. */
    final Map<String, Map<String, String>> notAvailable = new LinkedHashMap<>();
    /** Set when the run stopped early; the rounds up to then are still reported. */
    String abortedBecause;

    RunResult(HarnessConfig config) {
        this.config = config;
    }

    void notAvailable(String workload, String target, String why) {
        notAvailable.computeIfAbsent(workload, w -> new LinkedHashMap<>()).put(target, why);
    }

    String whyNotAvailable(String workload, String target) {
        return notAvailable.getOrDefault(workload, Map.of()).get(target);
    }
}
