package dev.sqlcache.internal.runtime;

import dev.sqlcache.internal.config.InvalidConfigurationException;
import dev.sqlcache.internal.config.SqlCacheConfig;
import dev.sqlcache.internal.engine.CacheEngine;
import dev.sqlcache.internal.engine.CacheSession;
import dev.sqlcache.internal.engine.Execution;
import dev.sqlcache.internal.engine.QueryOutcome;
import dev.sqlcache.internal.store.CacheStore;
import dev.sqlcache.stats.BypassReason;
import dev.sqlcache.stats.CacheStatistics;
import dev.sqlcache.testing.CutOffStore;
import dev.sqlcache.testing.ManualTime;
import org.h2.tools.SimpleResultSet;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.HashMap;
import java.util.Map;

/**
 * One JVM of an engine test: a runtime on a shared in-process store (through a view the test can cut off), on the
 * test's clock, with its own background lane, and sessions that read and write a tiny "database" of named
 * counters shared by every simulated JVM. No JDBC driver and no sleeps: what takes seconds in production takes
 * microseconds, and every interleaving is reproducible.
 */
final class SimulatedJvm {

    /** The database every simulated JVM reads and writes: one integer per table. */
    static final class Database {
        final Map<String, Integer> values = new HashMap<>();
        /** Runs inside every query: a test's way to make the database take (manual) time. */
        Runnable work = () -> { };

        ResultSet select(String table) {
            work.run();
            SimpleResultSet rs = new SimpleResultSet();
            rs.addColumn("V", Types.INTEGER, 10, 0);
            rs.addRow(values.getOrDefault(table, 0));
            return rs;
        }
    }

    private static final String URL = "jdbc:h2:mem:simulated";
    private final Database database;
    final CutOffStore store;
    final ManualTime.Lane lane;
    final CacheRuntime runtime;
    final CacheEngine engine;
    private final SqlCacheConfig config;

    SimulatedJvm(CacheStore shared, Database database, ManualTime time, Map<String, String> settings) {
        this(shared, database, time, settings, URL);
    }

    /** @param url the database URL the engine is for: its family decides, say, which snapshots it may pin */
    SimulatedJvm(CacheStore shared, Database database, ManualTime time, Map<String, String> settings, String url) {
        this(shared, database, time, settings, url, false);
    }

    /** @param cutOff whether the store is cut off before the runtime starts (its first join fails: never joined) */
    SimulatedJvm(CacheStore shared, Database database, ManualTime time, Map<String, String> settings, String url,
                 boolean cutOff) {
        this.database = database;
        this.store = new CutOffStore(shared);
        if (cutOff) {
            store.cut();
        }
        this.lane = time.lane();
        try {
            Map<String, String> all = new HashMap<>(Map.of("sqlcache.store", "memory"));
            all.putAll(settings);
            this.config = SqlCacheConfig.load(Map.of(), all);
        } catch (InvalidConfigurationException e) {
            throw new IllegalArgumentException(e);
        }
        this.runtime = new CacheRuntime(RuntimeKey.of(config), store, time, lane, Runnable::run);
        runtime.start();
        this.engine = runtime.engine(config, url);
    }

    /** A connection's session, in auto-commit at READ COMMITTED. */
    Session session() {
        return session(true, Connection.TRANSACTION_READ_COMMITTED);
    }

    Session session(boolean autoCommit, int isolation) {
        return session(autoCommit, isolation, false);
    }

    /** @param idle see {@link FixedSession#open} */
    Session session(boolean autoCommit, int isolation, boolean idle) {
        return new Session(FixedSession.open(engine, autoCommit, isolation, idle));
    }

    /** An auto-commit session whose driver reports the server's transaction as {@code transactionOpen} says. */
    Session session(java.util.function.Supplier<Boolean> transactionOpen) {
        return new Session(FixedSession.open(engine, true, Connection.TRANSACTION_READ_COMMITTED, false,
                transactionOpen));
    }

    CacheStatistics statistics() {
        return engine.statistics();
    }

    /** Killed: no more renewals, no leave, nothing delivered. */
    void kill() {
        lane.stop();
    }

    /** A clean stop: what a last release does. */
    void close() {
        lane.stop();
        runtime.close();
    }

    /** One connection. */
    final class Session {
        final CacheSession cache;

        Session(CacheSession cache) {
            this.cache = cache;
        }

        /** Reads a counter through the cache, as an application reading every row would. */
        int read(String table) throws SQLException {
            String sql = "select v from " + table;
            Execution execution = Execution.query(cache.plan(sql), null, 0, 0, true);
            QueryOutcome outcome = cache.query(execution, () -> database.select(table));
            if (outcome instanceof QueryOutcome.Hit hit) {
                return ((Number) hit.result().value(0, 0)).intValue();
            }
            QueryOutcome.Ran ran = (QueryOutcome.Ran) outcome;
            ResultSet rs = ran.resultSet();
            rs.next();
            int value = rs.getInt(1);
            if (ran.capture() != null) {
                ran.capture().row(rs);
                if (!rs.next()) {
                    ran.capture().end();
                }
            }
            return value;
        }

        /** Sets a counter, through the cache's write path. */
        void write(String table, int value) throws SQLException {
            String sql = "update " + table + " set v = ?";
            cache.execute(Execution.statement(cache.plan(sql)), () -> database.values.put(table, value));
        }

        void commit() throws SQLException {
            cache.commit(() -> { });
        }

        /** Commits, {@code databaseCommit} standing for the database's commit (before the cache's end of it). */
        void commit(dev.sqlcache.internal.engine.SqlRun databaseCommit) throws SQLException {
            cache.commit(databaseCommit);
        }

        void rollback() throws SQLException {
            cache.rollback(() -> { });
        }

        void begin() throws SQLException {
            cache.setAutoCommit(false, () -> { });
        }

        void close() {
            cache.close();
        }
    }

    /** How many reads bypassed for a reason. */
    long bypasses(BypassReason reason) {
        return statistics().bypasses().getOrDefault(reason, 0L);
    }
}
