package dev.sqlcache.internal.engine;

import dev.sqlcache.internal.analysis.DatabaseFamily;
import dev.sqlcache.internal.analysis.QueryAnalyzer;
import dev.sqlcache.internal.config.SqlCacheConfig;
import dev.sqlcache.internal.time.Clock;
import dev.sqlcache.stats.BypassReason;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What the policy and the statistics add to a read that passes through as not worth caching (issue #10, session
 * 27), from four client threads as in the throughput harness: {@link CachePolicy#admit} and the bypass's counters
 * ({@code SessionCache.bypass}). {@code shape}: the statement's shape is off and no table ever was; {@code table}:
 * its table is off as a whole (then every read also checks the tables: {@code wholeTableOff}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Threads(4)
public class PolicyBypassBenchmark {

    @Param({"shape", "table"})
    public String off;

    private StatisticsRecorder statistics;
    private CachePolicy policy;
    private QueryPlan plan;
    /** The system's clock, moved forward at set-up so that the table's quiet time has passed. */
    private long offset;

    @Setup
    public void setUp() throws Exception {
        statistics = new StatisticsRecorder();
        Clock clock = new Clock() {
            @Override
            public long nanoTime() {
                return System.nanoTime() + offset;
            }

            @Override
            public void sleep(long millis) {
            }
        };
        policy = new CachePolicy(SqlCacheConfig.load(Map.of(), Map.of("sqlcache.store", "memory")).tablePolicy(),
                clock, true, statistics);
        plan = new QueryPlan(new QueryAnalyzer(DatabaseFamily.POSTGRES, 10).analyze("SELECT v FROM t WHERE id = ?"),
                new String[0], new String[0], false, 1, 300, false, false, statistics.table("t"));
        policy.admit(plan);
        plan.shape().off = true;
        if (off.equals("table")) {
            // An off shape's Redis lookup (a probe) switches its table off once none of its statements was worth a
            // lookup for the quiet time.
            policy.lookedUp(plan, 30_000, false);
            offset = TimeUnit.SECONDS.toNanos(6);
            policy.lookedUp(plan, 30_000, false);
            if (!policy.wholeTableOff(plan)) {
                throw new IllegalStateException("the table should be off");
            }
        }
    }

    /** The policy's part alone. */
    @Benchmark
    public BypassReason admit() {
        return policy.admit(plan);
    }

    /** The statistics' part alone: the two counters every bypass increments. */
    @Benchmark
    public void count() {
        statistics.bypass(BypassReason.NOT_WORTH_CACHING);
        StatisticsRecorder.bypass(plan.tableCounter());
    }

    /** Both, as a pass-through takes them. */
    @Benchmark
    public BypassReason passThrough() {
        BypassReason reason = policy.admit(plan);
        if (reason != null) {
            statistics.bypass(reason);
            StatisticsRecorder.bypass(plan.tableCounter());
        }
        return reason;
    }
}
