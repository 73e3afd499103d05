package dev.sqlcache.bench.throughput;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** The workloads by name, in the order a full run measures them; a family name selects all its variants. */
final class Workloads {
    private static final Map<String, Supplier<Workload>> ALL = new LinkedHashMap<>();

    static {
        ALL.put("ycsb-100-0", () -> new YcsbWorkload(100));
        ALL.put("ycsb-90-10", () -> new YcsbWorkload(90));
        ALL.put("ycsb-50-50", () -> new YcsbWorkload(50));
        ALL.put("epinions-90-10", EpinionsWorkload::new);
        ALL.put("pk-reads-ro", () -> new PkReadsWorkload(0));
        ALL.put("pk-reads-5w", () -> new PkReadsWorkload(5));
        ALL.put("join-agg-ro", () -> new JoinAggregateWorkload(0));
        ALL.put("join-agg-5w", () -> new JoinAggregateWorkload(5));
    }

    private Workloads() {
    }

    static List<String> names() {
        return List.copyOf(ALL.keySet());
    }

    /**
     * Resolves names such as {@code ycsb-90-10}, or families such as {@code ycsb} (every {@code ycsb-*}) and
     * {@code all}.
     */
    static List<Workload> select(List<String> requested) {
        List<Workload> selected = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        for (String name : requested) {
            List<String> matches = ALL.keySet().stream()
                    .filter(n -> name.equals("all") || n.equals(name) || n.startsWith(name + "-"))
                    .toList();
            if (matches.isEmpty()) {
                throw new IllegalArgumentException("unknown workload '" + name + "'; known: " + names()
                        + " (or a family: ycsb, epinions, pk-reads, join-agg, all)");
            }
            for (String match : matches) {
                if (!seen.contains(match)) {
                    seen.add(match);
                    selected.add(ALL.get(match).get());
                }
            }
        }
        return selected;
    }
}
