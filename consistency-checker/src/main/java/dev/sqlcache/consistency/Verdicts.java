package dev.sqlcache.consistency;

import java.sql.ResultSet;

/**
 * Judges the answers of one reader thread: remembers which result set answered its last query, and files a wrong
 * answer as a violation when the cache served it ({@code CachedResultSet}), as a database anomaly otherwise (the
 * database answered: a miss or a bypass, e.g. H2's REPEATABLE READ). Counts answers and hits per family of reads,
 * so that the report shows which checks the cache actually took part in.
 */
final class Verdicts {

    private final Report report;
    private String servedBy = "?";

    Verdicts(Report report) {
        this.report = report;
    }

    /** The next checks judge the answer of this result set, of a read of this family. */
    void served(ResultSet rs, String family) {
        servedBy = rs.getClass().getSimpleName();
        report.count("answers." + family);
        boolean hit = hit();
        if (hit) {
            report.count("hits." + family);
        }
        report.answered(hit);
    }

    boolean hit() {
        return servedBy.contains("Cached");
    }

    void violation(String kind, String detail) {
        if (hit()) {
            report.violation(kind, detail + " [served by " + servedBy + "]");
        } else {
            report.anomaly(kind, detail + " [served by " + servedBy + "]");
        }
    }
}
