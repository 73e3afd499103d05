package dev.sqlcache.bench;

import dev.sqlcache.internal.codec.CachedResult;
import dev.sqlcache.internal.codec.ColumnsMemo;
import dev.sqlcache.internal.codec.EntryBinding;
import dev.sqlcache.internal.codec.EntrySigner;
import dev.sqlcache.internal.codec.ResultCodec;
import dev.sqlcache.internal.resultset.CachedResultSet;
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
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;
import org.openjdk.jmh.infra.Blackhole;
import redis.clients.jedis.RedisClient;

import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * (a) What a hit costs compared with the least any Redis-backed cache must do: one GET of the entry, decoding it
 * and walking its rows. {@code *Hit} runs the query through sqlcache (one round trip: GETRANGE of the entry and an
 * MGET of the version tokens, pipelined, once the statement's lookups found entries (an EXISTS before, and PTTLs
 * around the entry with {@code near=true}); token check, decode, the ResultSet and its getters); {@code *Raw} GETs
 * the very same entry with Jedis and decodes it
 * with the same codec, checking the entry's binding to its key but no MAC. Target: Hit at most 1.10 times Raw, also
 * with {@code signed=true} ({@code sqlcache.signingKey} set: the hit also checks the entry's HMAC-SHA256).
 *
 * <p>{@code point}: a prepared primary-key lookup, one row of four columns. {@code join}: 20 rows of a two-table
 * join. The bind values never change, so after the warm-up in {@link #setUp} every sqlcache call is a hit; the
 * trial's statistics are checked in {@link #check} so a figure that was not a hit is never reported.
 *
 * <p>{@code *Check} is the codec's share of a hit alone, no network: the entry {@code *Raw} GETs, read once in
 * {@link #setUp}, checked and decoded as a hit does it (MAC with {@code signed=true}, else the CRC32C; binding;
 * the recorded version tokens compared with the current ones; rows decoded, columns from the statement's memo).
 * {@code signed=true} against {@code signed=false} is what signing costs, with no round trip's noise around it.
 *
 * <p>{@code *Map} is the least an in-process cache can do, the baseline of a near hit ({@code -p near=true}):
 * a {@code ConcurrentHashMap} lookup of the decoded entry under a constant key, then the same {@link CachedResultSet}
 * and getters a hit builds. Target: a near {@code *Hit} at most 3 times {@code *Map}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class HitBenchmark {
    static final String POINT = "select id, name, city, credit from customers where id = ?";
    static final String JOIN = "select o.id, o.amount, o.status, c.name from orders o"
            + " join customers c on c.id = o.customer_id where o.customer_id = ? order by o.id";
    static final int POINT_ID = 42;
    static final int JOIN_CUSTOMER = 7;
    /** The engine's index of the write sequence among a read's tokens: ordinary reads ignore it, as a hit does. */
    private static final int SEQUENCE_INDEX = 2;
    private static final String ENTRY_PATTERN = "sql:*:data:*";
    private static final String SIGNING_KEY = "benchmark-signing-key-0123456789abcdef";

    @Param({"h2", "postgres"})
    public String db;

    /** Whether {@code sqlcache.signingKey} is set. */
    @Param({"false", "true"})
    public boolean signed;

    /**
     * Whether the near cache is on (the driver's default): then a hit is a copy in process, not a Redis round trip.
     * Off by default here, so that {@code *Hit} measures the Redis path against {@code *Raw}; {@code -p near=true}
     * measures the near hit (with {@code -prof gc}: what it allocates).
     */
    @Param({"false"})
    public boolean near;

    private Fixture fixture;
    private PreparedStatement point;
    private PreparedStatement join;
    private RedisClient redis;
    private byte[] pointKey;
    private byte[] joinKey;
    private byte[] pointBinding;
    private byte[] joinBinding;
    private CacheStatistics before;
    /** The decoded entries under their keys: what {@code *Map} looks up. */
    private final ConcurrentHashMap<String, CachedResult> map = new ConcurrentHashMap<>();
    /** What {@code *Check} reads: the entries, the tokens they record, the signer and the statements' memos. */
    private byte[] pointEntry;
    private byte[] joinEntry;
    private String[] pointTokens;
    private String[] joinTokens;
    private EntrySigner signer;
    private final ColumnsMemo pointMemo = new ColumnsMemo();
    private final ColumnsMemo joinMemo = new ColumnsMemo();
    private String pointKeyText;
    private String joinKeyText;
    /** Benchmark calls in this trial, to turn Redis's command counters into commands per call. */
    private long calls;
    /**
     * CPU time of the benchmark thread over the measurement iterations, and their calls: what a call costs this
     * process's CPU, which waiting for Redis or for a core taken by other work does not change the way it changes
     * the time a call takes.
     */
    private long cpuNanos;
    private long cpuCalls;
    private long iterationCpuStart;
    private long iterationCallsStart;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        java.util.Properties settings = new java.util.Properties();
        // Pinned on: the engine's measurements would otherwise send these reads straight to a local H2, which
        // answers faster than a Redis round trip (NOT_WORTH_CACHING), and the trial would measure no hit.
        settings.setProperty("sqlcache.tablePolicy", "customers=on,orders=on");
        if (signed) {
            settings.setProperty("sqlcache.signingKey", SIGNING_KEY);
        }
        if (!near) {
            settings.setProperty("sqlcache.nearCache.maxBytes", "0");
        }
        fixture = Fixture.open(db, settings);
        point = fixture.cached.prepareStatement(POINT);
        join = fixture.cached.prepareStatement(JOIN);
        redis = RedisClient.create("127.0.0.1", fixture.redis.port);
        pointKey = warm(point, POINT_ID, 1);
        joinKey = warm(join, JOIN_CUSTOMER, Fixture.ORDERS_PER_CUSTOMER);
        Set<String> databases = redis.keys("sql:_database:version:*");
        if (databases.size() != 1) {
            throw new IllegalStateException("expected one database version key, found " + databases);
        }
        String database = databases.iterator().next();
        pointBinding = EntryBinding.of(new String(pointKey, StandardCharsets.UTF_8), database);
        joinBinding = EntryBinding.of(new String(joinKey, StandardCharsets.UTF_8), database);
        pointKeyText = new String(pointKey, StandardCharsets.UTF_8);
        joinKeyText = new String(joinKey, StandardCharsets.UTF_8);
        signer = signed ? new EntrySigner(List.of(SIGNING_KEY.getBytes(StandardCharsets.UTF_8))) : null;
        pointEntry = redis.get(pointKey);
        joinEntry = redis.get(joinKey);
        pointTokens = ResultCodec.readTokens(pointEntry, pointBinding, signer);
        joinTokens = ResultCodec.readTokens(joinEntry, joinBinding, signer);
        map.put(pointKeyText, ResultCodec.decode(redis.get(pointKey), pointBinding, null));
        map.put(joinKeyText, ResultCodec.decode(redis.get(joinKey), joinBinding, null));
        before = fixture.statistics();
        fixture.resetRedisCounters();
        calls = 0;
    }

    /** Runs the query once (a miss that stores), finds the one entry it stored, and checks the next run hits. */
    private byte[] warm(PreparedStatement statement, int bind, int expectedRows) throws SQLException {
        Set<String> existing = new HashSet<>(redis.keys(ENTRY_PATTERN));
        statement.setInt(1, bind);
        int rows = drain(statement);
        if (rows != expectedRows) {
            throw new IllegalStateException("expected " + expectedRows + " rows, got " + rows);
        }
        // Entries are stored off the caller's thread: wait for this one to land.
        Set<String> stored = new HashSet<>();
        for (long deadline = System.nanoTime() + 10_000_000_000L; stored.isEmpty() && System.nanoTime() < deadline; ) {
            stored = new HashSet<>(redis.keys(ENTRY_PATTERN));
            stored.removeAll(existing);
            if (stored.isEmpty()) {
                Thread.onSpinWait();
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        if (stored.size() != 1) {
            throw new IllegalStateException("the first run should store exactly one " + ENTRY_PATTERN
                    + " entry, found " + stored + "; statistics " + fixture.statistics());
        }
        long hits = fixture.statistics().hits();
        drain(statement);
        if (fixture.statistics().hits() != hits + 1) {
            throw new IllegalStateException("the second run was not a hit; statistics " + fixture.statistics());
        }
        return stored.iterator().next().getBytes(StandardCharsets.UTF_8);
    }

    private static int drain(PreparedStatement statement) throws SQLException {
        int rows = 0;
        try (ResultSet rs = statement.executeQuery()) {
            while (rs.next()) {
                rows++;
            }
        }
        return rows;
    }

    @Benchmark
    public void pointHit(Blackhole bh) throws SQLException {
        calls++;
        point.setInt(1, POINT_ID);
        try (ResultSet rs = point.executeQuery()) {
            while (rs.next()) {
                bh.consume(rs.getInt(1));
                bh.consume(rs.getString(2));
                bh.consume(rs.getString(3));
                bh.consume(rs.getBigDecimal(4));
            }
        }
    }

    @Benchmark
    public void pointRaw(Blackhole bh) {
        calls++;
        walk(ResultCodec.decode(redis.get(pointKey), pointBinding, null), bh);
    }

    @Benchmark
    public void joinHit(Blackhole bh) throws SQLException {
        calls++;
        join.setInt(1, JOIN_CUSTOMER);
        try (ResultSet rs = join.executeQuery()) {
            while (rs.next()) {
                bh.consume(rs.getInt(1));
                bh.consume(rs.getBigDecimal(2));
                bh.consume(rs.getString(3));
                bh.consume(rs.getString(4));
            }
        }
    }

    @Benchmark
    public void joinRaw(Blackhole bh) {
        calls++;
        walk(ResultCodec.decode(redis.get(joinKey), joinBinding, null), bh);
    }

    @Benchmark
    public void pointCheck(Blackhole bh) {
        calls++;
        walk(ResultCodec.decodeIfCurrent(pointEntry, pointBinding, pointTokens, signer, SEQUENCE_INDEX, null,
                pointMemo), bh);
    }

    @Benchmark
    public void joinCheck(Blackhole bh) {
        calls++;
        walk(ResultCodec.decodeIfCurrent(joinEntry, joinBinding, joinTokens, signer, SEQUENCE_INDEX, null,
                joinMemo), bh);
    }

    @Benchmark
    public void pointMap(Blackhole bh) throws SQLException {
        calls++;
        try (ResultSet rs = new CachedResultSet(map.get(pointKeyText), null, ResultSet.TYPE_FORWARD_ONLY,
                ResultSet.HOLD_CURSORS_OVER_COMMIT)) {
            while (rs.next()) {
                bh.consume(rs.getInt(1));
                bh.consume(rs.getString(2));
                bh.consume(rs.getString(3));
                bh.consume(rs.getBigDecimal(4));
            }
        }
    }

    @Benchmark
    public void joinMap(Blackhole bh) throws SQLException {
        calls++;
        try (ResultSet rs = new CachedResultSet(map.get(joinKeyText), null, ResultSet.TYPE_FORWARD_ONLY,
                ResultSet.HOLD_CURSORS_OVER_COMMIT)) {
            while (rs.next()) {
                bh.consume(rs.getInt(1));
                bh.consume(rs.getBigDecimal(2));
                bh.consume(rs.getString(3));
                bh.consume(rs.getString(4));
            }
        }
    }

    private static void walk(CachedResult result, Blackhole bh) {
        int columns = result.columnCount();
        for (int row = 0, rows = result.rowCount(); row < rows; row++) {
            for (int column = 0; column < columns; column++) {
                bh.consume(result.value(row, column));
            }
        }
    }

    /** Runs on the benchmark thread (one thread, a state of the benchmark's scope). */
    @Setup(Level.Iteration)
    public void iterationStarts() {
        iterationCpuStart = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        iterationCallsStart = calls;
    }

    @TearDown(Level.Iteration)
    public void iterationEnds(IterationParams iteration) {
        if (iteration.getType() == IterationType.MEASUREMENT) {
            cpuNanos += java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime()
                    - iterationCpuStart;
            cpuCalls += calls - iterationCallsStart;
        }
    }

    @TearDown(Level.Trial)
    public void check(BenchmarkParams params) throws Exception {
        try {
            CacheStatistics delta = fixture.statistics().since(before);
            System.out.println(System.lineSeparator() + "sqlcache statistics during " + params.getBenchmark() + " [" + db
                    + "]: " + delta + "; " + fixture.redisCommandsPerCall(calls) + "; " + Fixture.loadAverage());
            System.out.printf(java.util.Locale.ROOT, "benchmark thread CPU per call during %s [%s]: %.2f us (%d calls)%n",
                    params.getBenchmark(), db, cpuCalls == 0 ? 0.0 : cpuNanos / 1000.0 / cpuCalls, cpuCalls);
            if (params.getBenchmark().endsWith("Hit") && (delta.misses() != 0 || delta.hits() == 0
                    || delta.totalBypasses() != 0)) {
                throw new IllegalStateException("not every call was a hit: " + delta);
            }
        } finally {
            redis.close();
            fixture.close();
        }
    }
}
