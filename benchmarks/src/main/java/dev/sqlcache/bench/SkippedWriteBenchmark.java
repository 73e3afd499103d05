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

import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * A key-pinned auto-commit UPDATE of a table no JVM caches, which skips its invalidation under a skip permit, next
 * to the same statement on the real driver. What sqlcache adds is its bookkeeping alone (no Redis command): run
 * with {@code -prof gc} to see what it allocates per write (issue #10: such a write builds no row keys).
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
    private CacheStatistics before;
    private long n;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        Properties settings = new Properties();
        settings.setProperty("sqlcache.tablePolicy", "customers=off");
        fixture = Fixture.open(db, settings);
        viaCache = fixture.cached.prepareStatement(PassThroughBenchmark.WRITE);
        direct = fixture.direct.prepareStatement(PassThroughBenchmark.WRITE);
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
    }

    private static int write(PreparedStatement ps, long n) throws SQLException {
        ps.setBigDecimal(1, BigDecimal.valueOf(n % 100_000, 2));
        ps.setInt(2, 1 + (int) (n % Fixture.CUSTOMERS));
        return ps.executeUpdate();
    }

    @Benchmark
    public int skippedWriteSqlcache() throws SQLException {
        return write(viaCache, n++);
    }

    @Benchmark
    public int skippedWriteDirect() throws SQLException {
        return write(direct, n++);
    }

    @TearDown(Level.Trial)
    public void check(BenchmarkParams params) throws Exception {
        try {
            CacheStatistics delta = fixture.statistics().since(before);
            System.out.println(System.lineSeparator() + "sqlcache statistics during " + params.getBenchmark() + " ["
                    + db + "]: " + delta + "; " + Fixture.loadAverage());
            if (params.getBenchmark().endsWith("Sqlcache") && delta.invalidations() != 0) {
                throw new IllegalStateException("every write should skip its invalidation: " + delta);
            }
        } finally {
            fixture.close();
        }
    }
}
