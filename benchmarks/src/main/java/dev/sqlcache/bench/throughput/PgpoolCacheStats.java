package dev.sqlcache.bench.throughput;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * pgpool-II's query cache counters from {@code SHOW POOL_CACHE}: {@code num_cache_hits} (SELECTs answered from its
 * cache) and {@code num_selects} (SELECTs it sent to the database). Both are pgpool-wide.
 */
record PgpoolCacheStats(long hits, long selects) {

    static PgpoolCacheStats read(Connection pgpool) throws SQLException {
        try (Statement s = pgpool.createStatement(); ResultSet rs = s.executeQuery("show pool_cache")) {
            if (!rs.next()) {
                throw new SQLException("SHOW POOL_CACHE returned no row: is memory_cache_enabled on?");
            }
            return new PgpoolCacheStats(Long.parseLong(rs.getString("num_cache_hits").trim()),
                    Long.parseLong(rs.getString("num_selects").trim()));
        }
    }

    PgpoolCacheStats minus(PgpoolCacheStats earlier) {
        return new PgpoolCacheStats(hits - earlier.hits, selects - earlier.selects);
    }

    PgpoolCacheStats plus(PgpoolCacheStats other) {
        return new PgpoolCacheStats(hits + other.hits, selects + other.selects);
    }

    /** Hits over all SELECTs pgpool saw, as pgpool's own {@code cache_hit_ratio}; NaN when it saw none. */
    double hitRatio() {
        long all = hits + selects;
        return all == 0 ? Double.NaN : (double) hits / all;
    }
}
