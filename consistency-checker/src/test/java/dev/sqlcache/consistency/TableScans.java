package dev.sqlcache.consistency;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The work PostgreSQL did on some tables, from {@code pg_stat_user_tables}: sequential plus index scans started.
 * Without a cache every statement that reads or writes a table starts about one scan of it, so scans per statement
 * sent is the share of the statements the database still had to execute. A backend reports its counts when its
 * transaction ends (at most once a second) and when it exits, so {@link #settled} waits until they stop moving.
 */
final class TableScans {

    private TableScans() {
    }

    static Map<String, Long> read(Connection raw, String... tables) throws SQLException {
        Map<String, Long> scans = new LinkedHashMap<>();
        Arrays.stream(tables).forEach(t -> scans.put(t, 0L));
        try (PreparedStatement p = raw.prepareStatement("SELECT relname, COALESCE(seq_scan, 0) + COALESCE(idx_scan, 0) "
                + "FROM pg_stat_user_tables WHERE schemaname = current_schema() AND relname = ANY(?)")) {
            p.setArray(1, raw.createArrayOf("text", tables));
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    scans.put(rs.getString(1), rs.getLong(2));
                }
            }
        }
        return scans;
    }

    /** The counts once two readings a second apart agree (at most ten seconds), after the workload's backends exited. */
    static Map<String, Long> settled(Connection raw, String... tables) throws SQLException, InterruptedException {
        Map<String, Long> last = read(raw, tables);
        for (int i = 0; i < 10; i++) {
            Thread.sleep(1_000);
            Map<String, Long> now = read(raw, tables);
            if (now.equals(last)) {
                return now;
            }
            last = now;
        }
        return last;
    }
}
