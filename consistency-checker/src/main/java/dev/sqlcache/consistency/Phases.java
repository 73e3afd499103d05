package dev.sqlcache.consistency;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The fraction of reads served from the cache before, during and after each fault of a run, and how long after a
 * fault's end the first hit came, from the answers {@link Report#answered} counted per tenth of a second and the
 * faults {@link Report#fault} recorded. Added to the merged report as {@code phase.*} counters: per phase
 * {@code phase.NN <name>.reads}, {@code .hits} and {@code .longestWithoutHitMillis}; per fault {@code phase.NN <name>.resumedAfterMillis} (-1: no hit
 * after it).
 */
final class Phases {

    static final long TICK_MILLIS = 100;
    static final String ANSWERS = "at.answers.";
    static final String HITS = "at.hits.";
    static final String WINDOW = "window.";
    static final String PHASE = "phase.";

    private record Fault(String name, long start, long end) {
    }

    private Phases() {
    }

    /** Adds the phases' counters to {@code merged} (the reports of every JVM of the run, and its faults). */
    static void addTo(Report merged) {
        Map<String, Long> counters = merged.counters();
        List<Fault> faults = new ArrayList<>();
        counters.forEach((k, v) -> {
            if (k.startsWith(WINDOW) && k.endsWith(".start")) {
                String name = k.substring(WINDOW.length(), k.length() - ".start".length());
                faults.add(new Fault(name, v, counters.getOrDefault(WINDOW + name + ".end", v)));
            }
        });
        if (faults.isEmpty()) {
            return;
        }
        faults.sort(Comparator.comparingLong(Fault::start));
        int n = 0;
        long from = Long.MIN_VALUE;
        String previous = null;
        for (Fault fault : faults) {
            phase(merged, counters, n++, (previous == null ? "" : "after " + previous + ", ") + "before "
                    + fault.name(), from, fault.start());
            phase(merged, counters, n++, "during " + fault.name(), fault.start(), fault.end());
            from = fault.end();
            previous = fault.name();
            merged.add(String.format("%s%02d %s.resumedAfterMillis", PHASE, n - 1, fault.name()),
                    firstHitAfter(counters, fault.end()));
        }
        phase(merged, counters, n, "after " + faults.get(faults.size() - 1).name(), from, Long.MAX_VALUE);
    }

    /**
     * Counts the answers and hits of the ticks that start in [from, to), and the longest stretch of them without a
     * hit (a fence shows there, when it comes some time after the fault, as after a JVM is killed).
     */
    private static void phase(Report merged, Map<String, Long> counters, int n, String name, long from, long to) {
        long reads = 0;
        long hits = 0;
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (Map.Entry<String, Long> e : counters.entrySet()) {
            if (e.getKey().startsWith(ANSWERS)) {
                long tick = Long.parseLong(e.getKey().substring(ANSWERS.length()));
                long at = tick * TICK_MILLIS;
                if (at >= from && at < to) {
                    reads += e.getValue();
                    hits += counters.getOrDefault(HITS + tick, 0L);
                    first = Math.min(first, tick);
                    last = Math.max(last, tick);
                }
            }
        }
        long longestGap = 0;
        long lastHit = first - 1;
        for (long tick = first; tick <= last; tick++) {
            if (counters.getOrDefault(HITS + tick, 0L) > 0) {
                longestGap = Math.max(longestGap, tick - lastHit - 1);
                lastHit = tick;
            }
        }
        longestGap = Math.max(longestGap, last - lastHit);
        String prefix = String.format("%s%02d %s", PHASE, n, name);
        merged.add(prefix + ".reads", reads);
        merged.add(prefix + ".hits", hits);
        merged.add(prefix + ".longestWithoutHitMillis", reads == 0 ? 0 : longestGap * TICK_MILLIS);
    }

    /** Milliseconds from {@code end} to the start of the first tick after it with a hit; -1 if none. */
    private static long firstHitAfter(Map<String, Long> counters, long end) {
        long first = Long.MAX_VALUE;
        for (Map.Entry<String, Long> e : counters.entrySet()) {
            if (e.getKey().startsWith(HITS) && e.getValue() > 0) {
                long at = Long.parseLong(e.getKey().substring(HITS.length())) * TICK_MILLIS;
                if (at >= end) {
                    first = Math.min(first, at);
                }
            }
        }
        return first == Long.MAX_VALUE ? -1 : first - end;
    }

    /** One line per phase: hits/reads and the fraction; one per fault: when hits resumed. */
    static String describe(Map<String, Long> counters) {
        StringBuilder out = new StringBuilder();
        counters.forEach((k, v) -> {
            if (k.startsWith(PHASE) && k.endsWith(".reads")) {
                String phase = k.substring(PHASE.length(), k.length() - ".reads".length());
                long hits = counters.getOrDefault(PHASE + phase + ".hits", 0L);
                out.append(String.format("%n  phase %s: %d/%d reads from the cache (%.1f%%), at most %d ms without a "
                                + "hit", phase, hits, v, v == 0 ? 0.0 : 100.0 * hits / v,
                        counters.getOrDefault(PHASE + phase + ".longestWithoutHitMillis", 0L)));
            } else if (k.startsWith(PHASE) && k.endsWith(".resumedAfterMillis")) {
                String fault = k.substring(PHASE.length(), k.length() - ".resumedAfterMillis".length());
                out.append(String.format("%n  phase %s: %s", fault, v < 0 ? "no hit after its end"
                        : "first hit " + v + " ms after its end"));
            }
        });
        return out.toString();
    }
}
