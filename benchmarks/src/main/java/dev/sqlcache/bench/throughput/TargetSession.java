package dev.sqlcache.bench.throughput;

import dev.sqlcache.driver.SqlCacheConnection;
import dev.sqlcache.stats.CacheStatistics;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Supplier;

/**
 * A target opened for one workload: one connection and one workload client per thread, kept for every round as a
 * pool would keep them, plus whatever counts what the target did (sqlcache's statistics, Redis's command counts,
 * pgpool's cache counters).
 */
final class TargetSession implements AutoCloseable {
    final TargetSpec spec;
    final List<Connection> connections = new ArrayList<>();
    /** Per thread, the connection its writes run on: the reading one unless the target writes from elsewhere. */
    final List<Connection> writers = new ArrayList<>();
    final List<Workload.Client> clients = new ArrayList<>();
    final boolean autoCommit;
    private Supplier<CacheStatistics> statistics;
    private RedisCommandStats redis;
    private Connection pgpoolProbe;
    private final PostgresCpu postgres;

    private TargetSession(TargetSpec spec, boolean autoCommit) {
        this.spec = spec;
        this.autoCommit = autoCommit;
        this.postgres = new PostgresCpu(PostgresCpu.databaseOf(spec.loadUrl()));
    }

    /**
     * Opens {@code threads} connections to the target's schema, READ COMMITTED, and prepares the workload's
     * statements on each.
     *
     * @throws SQLException when the target cannot be used: the caller reports it as not available
     */
    static TargetSession open(TargetSpec spec, String schema, Workload workload, int threads, boolean autoCommit)
            throws SQLException {
        TargetSession session = new TargetSession(spec, autoCommit);
        try {
            for (int i = 0; i < threads; i++) {
                Connection c = connect(spec, schema, Map.of());
                session.connections.add(c);
                c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
                c.setAutoCommit(autoCommit);
                Connection w = c;
                if (spec.writer() != null) {
                    w = connect(spec, schema, spec.writer());
                    w.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
                    w.setAutoCommit(autoCommit);
                }
                session.writers.add(w);
                session.clients.add(workload.client(c, w));
            }
            if (spec.isSqlcache()) {
                SqlCacheConnection sqlcache = session.connections.get(0).unwrap(SqlCacheConnection.class);
                if (!sqlcache.cacheHealthy()) {
                    throw new SQLException("sqlcache's store " + sqlcache.cacheStore() + " is not healthy", "08001");
                }
                session.statistics = sqlcache.statisticsSource();
            }
            if (spec.redis() != null) {
                session.redis = new RedisCommandStats(spec.redis());
            }
            if (spec.pgpool()) {
                // SHOW POOL_CACHE is pgpool's own command: sent as a simple query, it never reaches PostgreSQL.
                session.pgpoolProbe = connect(spec, schema, Map.of("preferQueryMode", "simple"));
                PgpoolCacheStats.read(session.pgpoolProbe);
            }
            return session;
        } catch (SQLException | RuntimeException e) {
            session.close();
            throw e;
        }
    }

    /** A connection to the target's schema, with {@code extra} driver properties on top of the target's. */
    static Connection connect(TargetSpec spec, String schema, Map<String, String> extra) throws SQLException {
        return connect(spec.url(), spec, schema, extra);
    }

    /** A connection to where the target's tables are loaded (usually the target itself). */
    static Connection connectForLoading(TargetSpec spec, String schema, Map<String, String> extra)
            throws SQLException {
        return connect(spec.loadUrl(), spec, schema, extra);
    }

    private static Connection connect(String url, TargetSpec spec, String schema, Map<String, String> extra)
            throws SQLException {
        Properties properties = new Properties();
        properties.putAll(spec.properties());
        properties.putAll(extra);
        return DriverManager.getConnection(SchemaUrls.withSchema(url, schema), properties);
    }

    /** sqlcache's counters now, or null for a target that is not sqlcache. */
    CacheStatistics statistics() {
        return statistics == null ? null : statistics.get();
    }

    /** Redis's command counts now, or an empty map for a target without Redis. */
    Map<String, Long> redisCommands() {
        return redis == null ? Map.of() : redis.read();
    }

    /** CPU time used so far by this JVM, the target's Redis and the database's backends; the JIT's time. */
    CpuUse cpu() {
        return new CpuUse(CpuUse.processNanos(), redis == null ? CpuUse.UNKNOWN : redis.cpuMicros(),
                postgres.nanos(), CpuUse.jitMillisNow());
    }

    /** pgpool's cache counters now, or null for a target that is not pgpool. */
    PgpoolCacheStats pgpoolCache() throws SQLException {
        return pgpoolProbe == null ? null : PgpoolCacheStats.read(pgpoolProbe);
    }

    /** Closes every connection at once, even under a thread blocked in it. */
    void abort() {
        for (Connection c : all()) {
            try {
                c.abort(Runnable::run);
            } catch (SQLException | RuntimeException ignored) {
                // already closed or broken: the thread using it fails either way
            }
        }
    }

    @Override
    public void close() {
        for (Workload.Client client : clients) {
            try {
                client.close();
            } catch (SQLException ignored) {
                // the connection is closed next anyway
            }
        }
        for (Connection c : all()) {
            closeQuietly(c);
        }
        closeQuietly(pgpoolProbe);
        if (redis != null) {
            redis.close();
        }
    }

    /** Every connection once, reading and writing. */
    private List<Connection> all() {
        List<Connection> all = new ArrayList<>(connections);
        for (Connection w : writers) {
            if (!all.contains(w)) {
                all.add(w);
            }
        }
        return all;
    }

    private static void closeQuietly(Connection c) {
        if (c == null) {
            return;
        }
        try {
            if (!c.getAutoCommit()) {
                c.rollback();
            }
            c.close();
        } catch (SQLException ignored) {
            // a target that failed mid-round may leave a broken connection; nothing more to do with it
        }
    }
}
