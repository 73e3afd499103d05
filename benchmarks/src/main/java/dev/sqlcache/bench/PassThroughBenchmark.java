package dev.sqlcache.bench;

import dev.sqlcache.stats.CacheStatistics;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.Blackhole;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.RedisClient;

/**
 * (b) What sqlcache adds when it cannot answer from the cache: each {@code *Sqlcache} method runs a statement
 * through sqlcache, its {@code *Direct} twin runs the identical statement with identical binds on the real
 * driver, against the same database. Target: Sqlcache at most 1.05 times Direct.
 *
 * <ul>
 *   <li>{@code miss}: a cacheable point query whose second bind value never repeats, so every call misses (the
 *   lookup, the query, capture and encoding; the store is sent off the caller's thread). Its second baseline,
 *   {@code missDirectGet}, is the direct query plus one raw Redis {@code GET} of a missing key: the least a cache
 *   that looks before it queries can do. Target: a miss at most that;</li>
 *   <li>{@code write}: an autocommitted UPDATE (the update, then the invalidation of its table in Redis);</li>
 *   <li>{@code uncacheable}: a query reading {@code current_timestamp}, which sqlcache must pass through.</li>
 * </ul>
 * The trial's statistics are checked in {@link #check}, so a sqlcache figure that took the wrong path is never
 * reported.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class PassThroughBenchmark {
    static final String MISS = "select id, name, city, credit from customers where id = ? and ? >= 0";
    static final String WRITE = "update customers set credit = ? where id = ?";
    static final String UNCACHEABLE = "select id, name, city, current_timestamp from customers where id = ?";

    @Param({"h2", "postgres"})
    public String db;

    private Fixture fixture;
    private Statements viaCache;
    private Statements direct;
    private CacheStatistics before;
    /** A plain client of the fixture's Redis, for {@code missDirectGet}. */
    private RedisClient redis;
    private static final byte[] MISSING = "sql:customers:data:00000000000000000000000000000000"
            .getBytes(StandardCharsets.UTF_8);
    /** Drives the bind values; the miss key includes it, so no key ever repeats within a trial. */
    private long n;
    /**
     * CPU time and allocation of the benchmark thread over the measurement iterations, and their calls: what a call
     * costs the caller's thread alone. {@code -prof gc} counts every thread's allocation, the store's writer thread
     * too, and on a loaded two-core machine a call's time is mostly waiting.
     */
    private long cpuNanos;
    private long allocatedBytes;
    private long measuredCalls;
    private long iterationCpuStart;
    private long iterationAllocatedStart;
    private long iterationCallsStart;

    private static final class Statements {
        final PreparedStatement miss;
        final PreparedStatement write;
        final PreparedStatement uncacheable;

        Statements(Connection c) throws SQLException {
            miss = c.prepareStatement(MISS);
            write = c.prepareStatement(WRITE);
            uncacheable = c.prepareStatement(UNCACHEABLE);
        }
    }

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        java.util.Properties settings = new java.util.Properties();
        // Pinned on: the engine's policy would otherwise stop caching a shape whose entries are never hit (every
        // miss here stores an entry nobody reads) and the trial would measure pass-through reads, not misses.
        settings.setProperty("sqlcache.tablePolicy", "customers=on");
        fixture = Fixture.open(db, settings);
        viaCache = new Statements(fixture.cached);
        direct = new Statements(fixture.direct);
        redis = RedisClient.create("127.0.0.1", fixture.redis.port);
        before = fixture.statistics();
        fixture.resetRedisCounters();
    }

    private static void miss(PreparedStatement ps, long n, Blackhole bh) throws SQLException {
        ps.setInt(1, 1 + (int) (n % Fixture.CUSTOMERS));
        ps.setLong(2, n);
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                bh.consume(rs.getInt(1));
                bh.consume(rs.getString(2));
                bh.consume(rs.getString(3));
                bh.consume(rs.getBigDecimal(4));
            }
        }
    }

    private static int write(PreparedStatement ps, long n) throws SQLException {
        ps.setBigDecimal(1, BigDecimal.valueOf(n % 100_000, 2));
        ps.setInt(2, 1 + (int) (n % Fixture.CUSTOMERS));
        return ps.executeUpdate();
    }

    private static void uncacheable(PreparedStatement ps, long n, Blackhole bh) throws SQLException {
        ps.setInt(1, 1 + (int) (n % Fixture.CUSTOMERS));
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                bh.consume(rs.getInt(1));
                bh.consume(rs.getString(2));
                bh.consume(rs.getString(3));
                bh.consume(rs.getObject(4));
            }
        }
    }

    @Benchmark
    public void missSqlcache(Blackhole bh) throws SQLException {
        miss(viaCache.miss, n++, bh);
    }

    @Benchmark
    public void missDirect(Blackhole bh) throws SQLException {
        miss(direct.miss, n++, bh);
    }

    @Benchmark
    public void missDirectGet(Blackhole bh) throws SQLException {
        bh.consume(redis.get(MISSING));
        miss(direct.miss, n++, bh);
    }

    @Benchmark
    public int writeSqlcache() throws SQLException {
        return write(viaCache.write, n++);
    }

    @Benchmark
    public int writeDirect() throws SQLException {
        return write(direct.write, n++);
    }

    @Benchmark
    public void uncacheableSqlcache(Blackhole bh) throws SQLException {
        uncacheable(viaCache.uncacheable, n++, bh);
    }

    @Benchmark
    public void uncacheableDirect(Blackhole bh) throws SQLException {
        uncacheable(direct.uncacheable, n++, bh);
    }

    private static com.sun.management.ThreadMXBean threads() {
        return (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    }

    /** Runs on the benchmark thread (one thread, a state of the benchmark's scope). */
    @Setup(Level.Iteration)
    public void iterationStarts() {
        iterationCpuStart = threads().getCurrentThreadCpuTime();
        iterationAllocatedStart = threads().getCurrentThreadAllocatedBytes();
        iterationCallsStart = n;
    }

    @TearDown(Level.Iteration)
    public void iterationEnds(org.openjdk.jmh.infra.IterationParams iteration) {
        if (iteration.getType() == org.openjdk.jmh.runner.IterationType.MEASUREMENT) {
            cpuNanos += threads().getCurrentThreadCpuTime() - iterationCpuStart;
            allocatedBytes += threads().getCurrentThreadAllocatedBytes() - iterationAllocatedStart;
            measuredCalls += n - iterationCallsStart;
        }
    }

    @TearDown(Level.Trial)
    public void check(BenchmarkParams params) throws Exception {
        try {
            CacheStatistics delta = fixture.statistics().since(before);
            String name = params.getBenchmark();
            System.out.println(System.lineSeparator() + "sqlcache statistics during " + name + " [" + db + "], " + n
                    + " calls: " + delta + "; " + fixture.redisCommandsPerCall(n) + "; " + Fixture.loadAverage());
            System.out.printf(java.util.Locale.ROOT,
                    "benchmark thread per call during %s [%s]: CPU %.2f us, allocated %d B (%d calls)%n", name, db,
                    measuredCalls == 0 ? 0.0 : cpuNanos / 1000.0 / measuredCalls,
                    measuredCalls == 0 ? 0 : allocatedBytes / measuredCalls, measuredCalls);
            String problem = null;
            if (name.endsWith("missSqlcache") && (delta.hits() != 0 || delta.misses() != n || delta.stores() == 0)) {
                problem = "every call should miss and store";
            } else if (name.endsWith("writeSqlcache") && delta.invalidations() == 0) {
                problem = "the writes should invalidate";
            } else if (name.endsWith("uncacheableSqlcache")
                    && (delta.hits() != 0 || delta.misses() != 0 || delta.totalBypasses() != n)) {
                problem = "every call should pass through";
            } else if (name.endsWith("Direct") && (delta.hits() != 0 || delta.misses() != 0)) {
                problem = "the direct connection must not touch the cache";
            }
            if (problem != null) {
                throw new IllegalStateException(problem + ": " + delta);
            }
        } finally {
            redis.close();
            fixture.close();
        }
    }
}
