package dev.sqlcache.bench.throughput;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/**
 * What one run of the harness measures and how.
 *
 * @param adminUrl        the database itself (never through a cache): creates the schemas and refreshes planner
 *                        statistics after loading
 * @param adminProperties its login
 * @param schemaPrefix    each target's data lives in schema {@code prefix + target name}
 * @param targets         in the order rounds alternate; the first named {@code direct} is the baseline
 * @param threads         client threads, one connection each
 * @param rounds          measured rounds per target
 * @param roundSeconds    length of a round
 * @param warmupSeconds   length of the warm-up round each target gets before the first measured round; 0 for none
 * @param warmupRoundsMax how many warm-up rounds each target may get: warm-up rounds of every target go on until
 *                        the JIT compiler was nearly idle over one of them ({@link Harness#JIT_QUIET_SHARE}), or
 *                        until this many; 1 for exactly one
 * @param settleSeconds   before every round (warm-ups too): a full collection, then this long idle, so that the
 *                        round starts on a collected heap with no GC cycle under way and pays for none the previous
 *                        target's allocations made due; 0 for neither (each round then runs straight after the last)
 * @param autoCommit      false: each operation is one transaction, committed by the harness
 * @param seed            seeds the client threads (data are always generated from fixed seeds)
 * @param overrunSeconds  how long an operation may run past the end of its round before the target's connections
 *                        are aborted and its figure is void (a hung lock, a proxy that stopped answering)
 * @param environment     facts about the run for the report (machine, versions, commit)
 * @param log             progress messages
 */
record HarnessConfig(String adminUrl, Map<String, String> adminProperties, String schemaPrefix,
                     List<TargetSpec> targets, List<Workload> workloads, int threads, int rounds,
                     double roundSeconds, double warmupSeconds, boolean autoCommit, long seed,
                     double overrunSeconds, Map<String, String> environment, PrintStream log, int warmupRoundsMax,
                     double settleSeconds) {

    HarnessConfig {
        if (threads < 1 || rounds < 1 || roundSeconds <= 0 || warmupSeconds < 0 || overrunSeconds <= 0
                || warmupRoundsMax < 1 || settleSeconds < 0) {
            throw new IllegalArgumentException("threads and rounds must be at least 1, seconds positive");
        }
        targets = List.copyOf(targets);
        workloads = List.copyOf(workloads);
        environment = Map.copyOf(environment);
    }

    /** One warm-up round per target, whatever the JIT still does; rounds straight after each other. */
    HarnessConfig(String adminUrl, Map<String, String> adminProperties, String schemaPrefix,
                  List<TargetSpec> targets, List<Workload> workloads, int threads, int rounds, double roundSeconds,
                  double warmupSeconds, boolean autoCommit, long seed, double overrunSeconds,
                  Map<String, String> environment, PrintStream log) {
        this(adminUrl, adminProperties, schemaPrefix, targets, workloads, threads, rounds, roundSeconds,
                warmupSeconds, autoCommit, seed, overrunSeconds, environment, log, 1, 0);
    }
}
