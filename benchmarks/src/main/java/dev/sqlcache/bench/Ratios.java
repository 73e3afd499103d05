package dev.sqlcache.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads JMH's {@code -rf csv} output and prints, per database, each sqlcache figure against its baseline as a
 * Markdown table: both scores with their 99.9% error, the ratio, the range the ratio could span within those
 * errors, the target and whether it is met. Usage: {@code java -cp benchmarks.jar dev.sqlcache.bench.Ratios
 * results.csv...}; later files win for the same benchmark and database.
 */
public final class Ratios {

    record Pair(String name, String measured, String baseline, String baselineName, double target) {
    }

    static final List<Pair> PAIRS = List.of(
            new Pair("hit, point query", "HitBenchmark.pointHit", "HitBenchmark.pointRaw", "raw GET+decode", 1.10),
            new Pair("hit, 20-row join", "HitBenchmark.joinHit", "HitBenchmark.joinRaw", "raw GET+decode", 1.10),
            new Pair("hit, point query, signed", "HitBenchmark.pointHit+signed", "HitBenchmark.pointRaw+signed",
                    "raw GET+decode", 1.10),
            new Pair("near hit, point query", "HitBenchmark.pointHit+near", "HitBenchmark.pointMap+near",
                    "map lookup + ResultSet", 3.0),
            new Pair("near hit, 20-row join", "HitBenchmark.joinHit+near", "HitBenchmark.joinMap+near",
                    "map lookup + ResultSet", 3.0),
            new Pair("miss, point query", "PassThroughBenchmark.missSqlcache", "PassThroughBenchmark.missDirect",
                    "real driver", 1.05),
            new Pair("miss, point query", "PassThroughBenchmark.missSqlcache", "PassThroughBenchmark.missDirectGet",
                    "real driver + one raw GET", 1.0),
            new Pair("write (UPDATE)", "PassThroughBenchmark.writeSqlcache", "PassThroughBenchmark.writeDirect",
                    "real driver", 1.05),
            new Pair("uncacheable query", "PassThroughBenchmark.uncacheableSqlcache",
                    "PassThroughBenchmark.uncacheableDirect", "real driver", 1.05));

    record Score(double score, double error, String unit) {
    }

    public static void main(String[] args) throws IOException {
        if (args.length == 0) {
            System.err.println("usage: Ratios <jmh results.csv>...");
            System.exit(2);
        }
        Map<String, Score> scores = new LinkedHashMap<>();
        Set<String> dbs = new LinkedHashSet<>();
        for (String file : args) {
            read(Path.of(file), scores, dbs);
        }
        if (scores.isEmpty()) {
            System.err.println("no results in " + String.join(", ", args));
            System.exit(1);
        }

        System.out.println("| db | case | sqlcache | baseline | ratio | ratio within error | target | met |");
        System.out.println("|---|---|---:|---:|---:|---:|---:|---|");
        int met = 0;
        int missing = 0;
        for (String db : dbs) {
            for (Pair pair : PAIRS) {
                Score a = scores.get(db + "/" + pair.measured());
                Score b = scores.get(db + "/" + pair.baseline());
                if (a == null || b == null) {
                    missing++;
                    System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | not run | | %.2f | |%n", db, pair.name(),
                            a == null ? "missing" : figure(a), b == null ? "missing" : figure(b), pair.target());
                    continue;
                }
                double ratio = a.score() / b.score();
                // With one sample JMH gives no error: then the range is unknown, and only the ratio decides.
                boolean errorsKnown = !Double.isNaN(a.error()) && !Double.isNaN(b.error());
                double low = errorsKnown ? Math.max(0, a.score() - a.error()) / (b.score() + b.error()) : ratio;
                double highDenominator = b.score() - b.error();
                String range;
                if (!errorsKnown) {
                    range = "n/a";
                } else if (highDenominator > 0) {
                    range = String.format(Locale.ROOT, "%.2f–%.2f", low, (a.score() + a.error()) / highDenominator);
                } else {
                    range = String.format(Locale.ROOT, "%.2f–inf", low);
                }
                String verdict;
                if (ratio <= pair.target()) {
                    verdict = "yes";
                    met++;
                } else if (low <= pair.target()) {
                    verdict = "no (within error)";
                } else {
                    verdict = "no";
                }
                System.out.printf(Locale.ROOT, "| %s | %s | %s | %s %s | %.2f× | %s | ≤ %.2f× | %s |%n", db,
                        pair.name(), figure(a), figure(b), pair.baselineName(), ratio, range, pair.target(),
                        verdict);
            }
        }
        int total = dbs.size() * PAIRS.size();
        System.out.printf(Locale.ROOT, "%n%d of %d targets met%s.%n", met, total,
                missing == 0 ? "" : ", " + missing + " not measured");
    }

    /** Adds one JMH CSV file's scores, keyed {@code db/Class.method}. */
    private static void read(Path file, Map<String, Score> scores, Set<String> dbs) throws IOException {
        List<String> lines = Files.readAllLines(file);
        if (lines.isEmpty()) {
            return;
        }
        List<String> header = parse(lines.get(0));
        int benchmark = header.indexOf("Benchmark");
        int score = header.indexOf("Score");
        int error = header.indexOf("Score Error (99.9%)");
        int unit = header.indexOf("Unit");
        int dbColumn = header.indexOf("Param: db");
        // HitBenchmark's signed=true trials are kept apart (the targets are read from the unsigned ones).
        int signedColumn = header.indexOf("Param: signed");
        int nearColumn = header.indexOf("Param: near");
        for (String line : lines.subList(1, lines.size())) {
            if (line.isBlank()) {
                continue;
            }
            List<String> f = parse(line);
            String db = dbColumn < 0 ? "" : f.get(dbColumn);
            dbs.add(db);
            String name = f.get(benchmark);
            String shortName = name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1);
            if (signedColumn >= 0 && "true".equals(f.get(signedColumn))) {
                shortName += "+signed";
            }
            if (nearColumn >= 0 && "true".equals(f.get(nearColumn))) {
                shortName += "+near";
            }
            scores.put(db + "/" + shortName, new Score(number(f.get(score)), number(f.get(error)), f.get(unit)));
        }
    }

    private static String figure(Score s) {
        String unit = s.unit().replace("us/op", "µs/op");
        return Double.isNaN(s.error())
                ? String.format(Locale.ROOT, "%.2f %s", s.score(), unit)
                : String.format(Locale.ROOT, "%.2f ± %.2f %s", s.score(), s.error(), unit);
    }

    private static double number(String text) {
        if (text.isEmpty() || text.equalsIgnoreCase("NaN")) {
            return Double.NaN;
        }
        // JMH writes scores with the JVM's default locale; accept a decimal comma too.
        return Double.parseDouble(text.indexOf('.') < 0 ? text.replace(',', '.') : text);
    }

    /** One CSV record as JMH writes it: fields separated by commas, text fields in double quotes. */
    static List<String> parse(String line) {
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    field.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                fields.add(field.toString());
                field.setLength(0);
            } else {
                field.append(c);
            }
        }
        fields.add(field.toString());
        return fields;
    }

    private Ratios() {
    }
}
