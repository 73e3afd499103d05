package dev.sqlcache.consistency;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** What one workload process saw; written to a file by a forked JVM and merged by the test. */
public final class Report {

    private static final int KEPT = 10;

    private final Map<String, AtomicLong> counters = new ConcurrentHashMap<>();
    private final List<String> violations = new ArrayList<>();
    private final List<String> errors = new ArrayList<>();

    public void count(String name) {
        add(name, 1);
    }

    public void add(String name, long amount) {
        counters.computeIfAbsent(name, k -> new AtomicLong()).addAndGet(amount);
    }

    /** One statement the workload sent that reads or writes {@code table}: the denominator of database work. */
    public void sent(String table) {
        add("sent." + table, 1);
    }

    public void sent(String table, int statements) {
        add("sent." + table, statements);
    }

    /**
     * One read answered, from the cache or not, counted in its tenth of a second of wall-clock time (shared by the
     * JVMs of a run on one machine), so that {@link Phases} can tell the fraction served from the cache around each
     * fault after the reports are merged.
     */
    public void answered(boolean hit) {
        long tick = System.currentTimeMillis() / Phases.TICK_MILLIS;
        add(Phases.ANSWERS + tick, 1);
        if (hit) {
            add(Phases.HITS + tick, 1);
        }
    }

    /** A fault of the run from {@code startMillis} to {@code endMillis} (wall-clock), for {@link Phases}. */
    public void fault(String name, long startMillis, long endMillis) {
        add(Phases.WINDOW + name + ".start", startMillis);
        add(Phases.WINDOW + name + ".end", endMillis);
    }

    public long get(String name) {
        AtomicLong value = counters.get(name);
        return value == null ? 0 : value.get();
    }

    /** Where each violation is also printed as it happens ({@link #ECHOED}), or null. */
    private volatile java.io.PrintStream echo;

    /** How an echoed violation line starts: {@code VIOLATION-NOW <kind> <detail>}. */
    public static final String ECHOED = "VIOLATION-NOW ";

    /**
     * Prints every violation to {@code out} as it happens, so that a JVM killed before it writes its report still
     * leaves them behind (its log is read by {@link #readEchoed}).
     */
    public void echoViolationsTo(java.io.PrintStream out) {
        this.echo = out;
    }

    /** The violations a JVM echoed into its log before it died, as a report of violations alone. */
    public static Report readEchoed(Path log) throws IOException {
        Report report = new Report();
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            if (line.startsWith(ECHOED)) {
                String[] parts = line.substring(ECHOED.length()).split(" ", 2);
                report.violation(parts[0], parts.length > 1 ? parts[1] : "");
            }
        }
        return report;
    }

    /** A cached answer that was wrong. {@code kind} groups them: stale point read, broken invariant ... */
    public void violation(String kind, String detail) {
        java.io.PrintStream out = echo;
        if (out != null) {
            out.println(ECHOED + kind + " " + detail.replace('\n', ' '));
            out.flush();
        }
        count("violations");
        count("violation." + kind);
        long ofKind = get("violation." + kind);
        synchronized (violations) {
            if (ofKind <= 3 && violations.size() < 3 * KEPT) {
                violations.add("[" + kind + "] at " + java.time.LocalTime.now() + " " + detail);
            }
        }
    }

    /** A wrong answer that came from the database itself, not from the cache: reported, not a violation. */
    public void anomaly(String kind, String detail) {
        count("databaseAnomalies");
        count("anomaly." + kind);
        synchronized (errors) {
            if (get("anomaly." + kind) <= 3) {
                errors.add("database anomaly [" + kind + "] " + detail);
            }
        }
    }

    /** An exception the application saw that it would not have seen without sqlcache (or at all). */
    public void error(String detail) {
        count("errors");
        synchronized (errors) {
            if (errors.size() < KEPT) {
                errors.add(detail);
            }
        }
    }

    public List<String> violations() {
        synchronized (violations) {
            return List.copyOf(violations);
        }
    }

    /** Errors, then database anomalies, as recorded. */
    public List<String> errors() {
        synchronized (errors) {
            return List.copyOf(errors);
        }
    }

    public Map<String, Long> counters() {
        Map<String, Long> out = new TreeMap<>();
        counters.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    public void merge(Report other) {
        other.counters().forEach(this::add);
        synchronized (violations) {
            for (String v : other.violations()) {
                if (violations.size() < 6 * KEPT) {
                    violations.add(v);
                }
            }
        }
        synchronized (errors) {
            for (String e : other.errors()) {
                if (errors.size() < 2 * KEPT) {
                    errors.add(e);
                }
            }
        }
    }

    public double hitRatio() {
        long hits = get("cache.hits");
        long misses = get("cache.misses");
        return hits + misses == 0 ? 0 : (double) hits / (hits + misses);
    }

    public void write(Path file) throws IOException {
        Properties p = new Properties();
        counters().forEach((k, v) -> p.setProperty("counter." + k, Long.toString(v)));
        List<String> v = violations();
        for (int i = 0; i < v.size(); i++) {
            p.setProperty("violation." + i, v.get(i));
        }
        List<String> e = errors();
        for (int i = 0; i < e.size(); i++) {
            p.setProperty("error." + i, e.get(i));
        }
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            p.store(w, "sqlcache consistency workload report");
        }
    }

    public static Report read(Path file) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        Report report = new Report();
        for (String name : new TreeMap<>(p).keySet().stream().map(Object::toString).toList()) {
            String value = p.getProperty(name);
            if (name.startsWith("counter.")) {
                report.add(name.substring("counter.".length()), Long.parseLong(value));
            } else if (name.startsWith("violation.")) {
                report.violations.add(value);
            } else if (name.startsWith("error.")) {
                report.errors.add(value);
            }
        }
        return report;
    }

    public String summary() {
        StringBuilder out = new StringBuilder();
        Map<String, Long> c = counters();
        out.append(String.format("operations=%d reads=%d writes=%d hits=%d (near %d) misses=%d stores=%d bypasses=%d "
                        + "hitRatio=%.1f%% redisErrors=%d dbConflicts=%d errors=%d violations=%d skippedWrites=%d",
                c.getOrDefault("reads", 0L) + c.getOrDefault("writes", 0L), c.getOrDefault("reads", 0L),
                c.getOrDefault("writes", 0L), c.getOrDefault("cache.hits", 0L),
                c.getOrDefault("cache.nearHits", 0L), c.getOrDefault("cache.misses", 0L),
                c.getOrDefault("cache.stores", 0L), c.getOrDefault("cache.bypasses", 0L), 100 * hitRatio(),
                c.getOrDefault("cache.redisErrors", 0L), c.getOrDefault("dbConflicts", 0L),
                c.getOrDefault("errors", 0L), c.getOrDefault("violations", 0L),
                c.getOrDefault("cache.skippedWrites", 0L)));
        long snapshotReads = c.getOrDefault("bank.snapshotReads", 0L);
        if (snapshotReads + c.getOrDefault("bank.naiveReads", 0L) > 0) {
            out.append(String.format("%n  bank: totals=%d snapshotReads=%d snapshotHits=%d (%.1f%% of snapshot reads "
                            + "from the cache) naiveTotals=%d transfers=%d",
                    c.getOrDefault("bank.snapshotTotals", 0L), snapshotReads, c.getOrDefault("bank.snapshotHits", 0L),
                    snapshotReads == 0 ? 0 : 100.0 * c.getOrDefault("bank.snapshotHits", 0L) / snapshotReads,
                    c.getOrDefault("bank.naiveTotals", 0L), c.getOrDefault("bank.transfers", 0L)));
        }
        StringBuilder families = new StringBuilder();
        c.forEach((k, v) -> {
            if (k.startsWith("answers.")) {
                String family = k.substring("answers.".length());
                families.append(' ').append(family).append('=').append(c.getOrDefault("hits." + family, 0L))
                        .append('/').append(v);
            }
        });
        if (families.length() > 0) {
            out.append("\n  hits/answers per read:").append(families);
        }
        c.forEach((k, v) -> {
            if (k.startsWith("violation.") || k.startsWith("anomaly.") || k.startsWith("faults.") || k.startsWith("bypass.")
                    || k.startsWith("scans.")) {
                out.append("\n  ").append(k).append('=').append(v);
            }
        });
        out.append(Phases.describe(c));
        for (String v : violations()) {
            out.append("\n  VIOLATION ").append(v);
        }
        for (String e : errors()) {
            out.append("\n  ERROR ").append(e);
        }
        return out.toString();
    }
}
