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
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * The two paths where sqlcache does not cache a table switched off ({@code sqlcache.tablePolicy=customers=off}),
 * each next to the same statement on the real driver; what sqlcache adds is its bookkeeping alone (no Redis
 * command). Run with {@code -prof gc} to see what it allocates per call (issue #10).
 * <ul>
 *   <li>{@code skippedWrite}: a key-pinned auto-commit UPDATE that skips its invalidation under a skip permit
 *   (such a write builds no row keys);</li>
 *   <li>{@code offRead}: a point query of that table, which passes through (one bypass per call).</li>
 * </ul>
 * The benchmark thread's own CPU time and allocation per call are printed at the end of each trial: the store's
 * and the background's threads are not the caller's cost, and on a loaded machine a call's time is mostly waiting.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class SkippedWriteBenchmark {

    @Param({"h2"})
    public String db;

    private Fixture fixture;
    private PreparedStatement viaCache;
    private PreparedStatement direct;
    private PreparedStatement readViaCache;
    private PreparedStatement readDirect;
    private CacheStatistics before;
    private long n;
    /** The calls made before {@link #before} was taken (the writes that waited for the permit). */
    private long nBefore;
    private final ThreadCost cost = new ThreadCost();

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        Properties settings = new Properties();
        settings.setProperty("sqlcache.tablePolicy", "customers=off");
        fixture = Fixture.open(db, settings);
        viaCache = fixture.cached.prepareStatement(PassThroughBenchmark.WRITE);
        direct = fixture.direct.prepareStatement(PassThroughBenchmark.WRITE);
        readViaCache = fixture.cached.prepareStatement(READ);
        readDirect = fixture.direct.prepareStatement(READ);
        // Writes make the table known; the background then asks for its permit (bounded: 30 s).
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (fixture.statistics().skipPermits() == 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no skip permit within 30 s: " + fixture.statistics());
            }
            write(viaCache, n++);
            Thread.sleep(50);
        }
        before = fixture.statistics();
        nBefore = n;
    }

    private static int write(PreparedStatement ps, long n) throws SQLException {
        ps.setBigDecimal(1, BigDecimal.valueOf(n % 100_000, 2));
        ps.setInt(2, 1 + (int) (n % Fixture.CUSTOMERS));
        return ps.executeUpdate();
    }

    static final String READ = "select id, name, city, credit from customers where id = ?";

    private static void read(PreparedStatement ps, long n, Blackhole bh) throws SQLException {
        ps.setInt(1, 1 + (int) (n % Fixture.CUSTOMERS));
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                bh.consume(rs.getInt(1));
                bh.consume(rs.getString(2));
                bh.consume(rs.getString(3));
                bh.consume(rs.getBigDecimal(4));
            }
        }
    }

    @Benchmark
    public void offReadSqlcache(Blackhole bh) throws SQLException {
        read(readViaCache, n++, bh);
    }

    @Benchmark
    public void offReadDirect(Blackhole bh) throws SQLException {
        read(readDirect, n++, bh);
    }

    @Benchmark
    public int skippedWriteSqlcache() throws SQLException {
        return write(viaCache, n++);
    }

    @Benchmark
    public int skippedWriteDirect() throws SQLException {
        return write(direct, n++);
    }

    @Setup(Level.Iteration)
    public void iterationStarts() {
        cost.iterationStarts(n);
    }

    @TearDown(Level.Iteration)
    public void iterationEnds(IterationParams iteration) {
        cost.iterationEnds(n, iteration.getType() == IterationType.MEASUREMENT);
    }

    @TearDown(Level.Trial)
    public void check(BenchmarkParams params) throws Exception {
        try {
            CacheStatistics delta = fixture.statistics().since(before);
            String name = params.getBenchmark();
            System.out.println(System.lineSeparator() + "sqlcache statistics during " + name + " [" + db + "]: "
                    + delta + "; " + Fixture.loadAverage());
            System.out.println("benchmark thread per call during " + name + " [" + db + "]: " + cost);
            if (name.endsWith("skippedWriteSqlcache") && delta.invalidations() != 0) {
                throw new IllegalStateException("every write should skip its invalidation: " + delta);
            }
            if (name.endsWith("offReadSqlcache")
                    && (delta.hits() != 0 || delta.misses() != 0 || delta.totalBypasses() != n - nBefore)) {
                throw new IllegalStateException("every read should pass through: " + delta);
            }
        } finally {
            fixture.close();
        }
    }
}
