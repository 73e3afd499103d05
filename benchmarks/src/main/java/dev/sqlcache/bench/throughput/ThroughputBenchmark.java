package dev.sqlcache.bench.throughput;

import dev.sqlcache.bench.PrivateRedis;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import redis.clients.jedis.RedisClient;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The side-by-side throughput harness: the same workloads against direct PostgreSQL, pgpool-II's query cache and
 * sqlcache (Redis only, with the near cache, with bounded staleness), in one process and alternating rounds.
 * Starts its own pgpool-II and redis-server unless told where they are. Run through {@code benchmarks/throughput.sh}.
 */
@Command(name = "throughput", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Side-by-side throughput of direct PostgreSQL, pgpool-II and sqlcache.")
public final class ThroughputBenchmark implements Callable<Integer> {
    private static final Pattern POSTGRES_URL =
            Pattern.compile("jdbc:postgresql://(\\[[^\\]]+\\]|[^/:?]+)(?::(\\d+))?/([^?]*)(\\?.*)?");
    private static final Set<String> LOOPBACK = Set.of("127.0.0.1", "localhost", "::1", "[::1]");

    @Option(names = "--database-url", description = "PostgreSQL, loopback only (default: ${DEFAULT-VALUE})",
            defaultValue = "jdbc:postgresql://127.0.0.1:5432/bench")
    String databaseUrl;

    @Option(names = "--user", defaultValue = "postgres", description = "database user (default: ${DEFAULT-VALUE})")
    String user;

    @Option(names = "--password", defaultValue = "${env:BENCH_POSTGRES_PASSWORD}",
            description = "database password (default: $BENCH_POSTGRES_PASSWORD, else none)")
    String password;

    @Option(names = "--pgpool", defaultValue = "auto", description = "auto: start a private pgpool-II; off; or the"
            + " JDBC URL of a running one with memory_cache_enabled (default: ${DEFAULT-VALUE})")
    String pgpool;

    @Option(names = "--redis", defaultValue = "auto",
            description = "auto: start a private redis-server; or host:port, loopback only"
                    + " (default: ${DEFAULT-VALUE})")
    String redis;

    @Option(names = "--targets", split = ",", description = "targets in alternation order (default: all of "
            + "direct,pgpool,sqlcache-redis,sqlcache-near,sqlcache-near-stale)")
    List<String> targets = Targets.ALL;

    @Option(names = "--workloads", split = ",", description = "workloads or families (ycsb, epinions, pk-reads,"
            + " join-agg, all); default: all")
    List<String> workloads = List.of("all");

    @Option(names = "--rounds", defaultValue = "5",
            description = "measured rounds per target (default: ${DEFAULT-VALUE})")
    int rounds;

    @Option(names = "--seconds", defaultValue = "10", description = "seconds per round (default: ${DEFAULT-VALUE})")
    double seconds;

    @Option(names = "--warmup", defaultValue = "10",
            description = "seconds of the warm-up round per target (default: ${DEFAULT-VALUE})")
    double warmup;

    @Option(names = "--warmup-rounds-max", defaultValue = "6", description = "warm-up rounds per target at most:"
            + " they go on, alternating, until the JIT compiled for under 2%% of one (default: ${DEFAULT-VALUE};"
            + " 1 for a single warm-up round)")
    int warmupRoundsMax;

    @Option(names = "--settle", defaultValue = "1", description = "before every round: a full collection, then"
            + " this many seconds idle, so that no round pays for the garbage or the GC cycle of the round before it"
            + " (default: ${DEFAULT-VALUE}; 0 for neither)")
    double settle;

    @Option(names = "--threads", defaultValue = "4", description = "client threads (default: ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--transactions", description = "run each operation as one transaction committed by the"
            + " harness (as BenchBase does) instead of under auto-commit (the JDBC default, as YCSB does)")
    boolean transactions;

    @Option(names = "--seed", defaultValue = "42",
            description = "seed of the client threads (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--overrun", defaultValue = "60", description = "seconds an operation may run past the end of"
            + " its round before the target's connections are aborted and its figure void (default: ${DEFAULT-VALUE})")
    double overrun;

    @Option(names = "--redis-setting", description = "a setting of the Redis-only target, repeatable, on top of"
            + " sqlcache.nearCache.maxBytes=0 (e.g. sqlcache.tablePolicy=usertable=on: every read a Redis hit)")
    Map<String, String> redisOnly = new LinkedHashMap<>();

    @Option(names = "--near-setting", description = "a setting of the near-cache targets, repeatable"
            + " (default: sqlcache.nearCache.maxBytes=64mb)")
    Map<String, String> near = new LinkedHashMap<>();

    @Option(names = "--stale-setting", description = "a setting of the bounded-staleness target, repeatable"
            + " (default: sqlcache.tableNearCache=orders=1s)")
    Map<String, String> stale = new LinkedHashMap<>();

    @Option(names = "--out", description = "directory for report.md, rounds.csv, summary.csv and sqlcache.log"
            + " (default: benchmarks/target/throughput/<UTC time>)")
    Path out;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ThroughputBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Matcher db = POSTGRES_URL.matcher(databaseUrl);
        if (!db.matches()) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "--database-url must be jdbc:postgresql://host[:port]/database[?...], not " + databaseUrl);
        }
        String dbHost = db.group(1);
        int dbPort = db.group(2) == null ? 5432 : Integer.parseInt(db.group(2));
        requireLoopback("--database-url", dbHost);
        if (near.isEmpty()) {
            near.put("sqlcache.nearCache.maxBytes", "64mb");
        }
        if (stale.isEmpty()) {
            stale.put("sqlcache.tableNearCache", "orders=1s");
        }
        if (out == null) {
            out = Path.of("benchmarks", "target", "throughput",
                    DateTimeFormatter.ofPattern("yyyy-MM-dd-HHmmss").format(LocalDateTime.now(ZoneOffset.UTC)));
        }
        List<Workload> selected = Workloads.select(workloads);
        Map<String, String> login = new LinkedHashMap<>();
        login.put("user", user);
        if (password != null && !password.isEmpty()) {
            login.put("password", password);
        }
        Files.createDirectories(out);
        logToFile(out.resolve("sqlcache.log"));
        try (OutputStream file = Files.newOutputStream(out.resolve("console.log"));
             PrintStream console = new PrintStream(new Tee(System.out, file), true, StandardCharsets.UTF_8)) {
            createDatabaseIfMissing(db.group(3), login, console);
            return run(db.group(1), dbPort, db.group(3), db.group(4), selected, login, console);
        }
    }

    private int run(String dbHost, int dbPort, String dbName, String dbQuery, List<Workload> selected,
                    Map<String, String> login, PrintStream console) throws Exception {
        PrivateRedis privateRedis = null;
        PrivatePgpool privatePgpool = null;
        try {
            TargetSpec.RedisEndpoint redisEndpoint = null;
            boolean needsRedis = targets.stream().anyMatch(t -> t.startsWith("sqlcache"));
            if (needsRedis && redis.equals("auto")) {
                privateRedis = PrivateRedis.start();
                redisEndpoint = new TargetSpec.RedisEndpoint("127.0.0.1", privateRedis.port, 0);
            } else if (needsRedis) {
                int colon = redis.lastIndexOf(':');
                if (colon < 0) {
                    throw new CommandLine.ParameterException(new CommandLine(this),
                            "--redis must be auto or host:port");
                }
                requireLoopback("--redis", redis.substring(0, colon));
                redisEndpoint = new TargetSpec.RedisEndpoint(redis.substring(0, colon),
                        Integer.parseInt(redis.substring(colon + 1)), 0);
            }
            String pgpoolUrl = null;
            String pgpoolMissing = null;
            if (targets.contains(Targets.PGPOOL)) {
                switch (pgpool) {
                    case "off" -> pgpoolMissing = "pgpool-II not started (--pgpool off)";
                    case "auto" -> {
                        try {
                            privatePgpool = PrivatePgpool.start(dbHost, dbPort, threads + 4);
                            String query = dbQuery == null ? "" : dbQuery;
                            // pgpool-II leaves an internal transaction open after an auto-committed UPDATE sent
                            // with the extended protocol (pgpool issue #172): its row locks then deadlock or hang
                            // concurrent writers. pgjdbc's simple protocol avoids it, and pgpool then also caches
                            // inside transactions.
                            pgpoolUrl = "jdbc:postgresql://127.0.0.1:" + privatePgpool.port + "/" + dbName
                                    + query + (query.isEmpty() ? "?" : "&") + "preferQueryMode=simple";
                        } catch (IOException e) {
                            pgpoolMissing = e.getMessage();
                            console.println("pgpool-II not available: " + e.getMessage());
                        }
                    }
                    default -> {
                        Matcher p = POSTGRES_URL.matcher(pgpool);
                        if (!p.matches()) {
                            throw new CommandLine.ParameterException(new CommandLine(this),
                                    "--pgpool must be auto, off or a jdbc:postgresql:// URL");
                        }
                        requireLoopback("--pgpool", p.group(1));
                        pgpoolUrl = pgpool;
                    }
                }
            }
            List<TargetSpec> specs = Targets.standard(databaseUrl, login, pgpoolUrl, pgpoolMissing, redisEndpoint,
                    redisOnly, near, stale, targets);
            Map<String, String> environment = environment(login, redisEndpoint, pgpoolUrl);
            HarnessConfig config = new HarnessConfig(databaseUrl, login, "bench_", specs, selected, threads, rounds,
                    seconds, warmup, !transactions, seed, overrun, environment, console, warmupRoundsMax,
                    settle);
            console.printf(Locale.ROOT, "throughput: %d workloads x %d targets, %d rounds of %s s + %s s warm-up;"
                    + " results in %s%n", selected.size(), specs.size(), rounds, seconds, warmup, out);
            RunResult run = new Harness(config).run();
            List<Summary> summaries = Summary.of(run);
            ReportWriter.write(run, summaries, out);
            if (privatePgpool != null) {
                Files.writeString(out.resolve("pgpool.log"), privatePgpool.log());
            }
            console.println();
            console.println(ReportWriter.markdown(run, summaries));
            console.println("written: " + out.resolve("report.md") + ", " + out.resolve("rounds.csv") + ", "
                    + out.resolve("summary.csv"));
            boolean failed = run.abortedBecause != null
                    || summaries.stream().anyMatch(s -> s.status().startsWith("failed"));
            return failed ? 1 : 0;
        } finally {
            if (privatePgpool != null) {
                privatePgpool.close();
            }
            if (privateRedis != null) {
                privateRedis.close();
            }
        }
    }

    /**
     * sqlcache's log at INFO and up (its policy's switches above all) and every other library's warnings go to
     * {@code file}, not to the console: the harness's own output stays as it was. slf4j-simple reads these once, when
     * the first logger is made: here, before any driver is loaded. Each line names its thread, and client threads are
     * named after their target ({@code bench-sqlcache-near-0}); {@link RoundRunner} marks each round's start.
     */
    private static void logToFile(Path file) {
        System.setProperty("org.slf4j.simpleLogger.logFile", file.toString());
        System.setProperty("org.slf4j.simpleLogger.log.dev.sqlcache", "info");
    }

    /** The benchmark's own database on the shared server, created on first use. */
    private void createDatabaseIfMissing(String name, Map<String, String> login, PrintStream console)
            throws SQLException {
        Properties properties = new Properties();
        properties.putAll(login);
        try (Connection ignored = DriverManager.getConnection(databaseUrl, properties)) {
            return;
        } catch (SQLException e) {
            if (!"3D000".equals(e.getSQLState())) {
                throw e;
            }
        }
        if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new SQLException("database " + name + " does not exist; create it first", "3D000");
        }
        String maintenance = databaseUrl.replaceFirst("/" + Pattern.quote(name) + "(\\?|$)", "/postgres$1");
        try (Connection c = DriverManager.getConnection(maintenance, properties); Statement s = c.createStatement()) {
            s.execute("create database \"" + name + "\"");
            console.println("created database " + name);
        }
    }

    /** Writes everything to the console and to a file alike. */
    private static final class Tee extends OutputStream {
        private final OutputStream first;
        private final OutputStream second;

        Tee(OutputStream first, OutputStream second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public void write(int b) throws IOException {
            first.write(b);
            second.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            first.write(b, off, len);
            second.write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            first.flush();
            second.flush();
        }
    }

    private void requireLoopback(String option, String host) {
        if (!LOOPBACK.contains(host.toLowerCase(Locale.ROOT))) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    option + ": only loopback hosts are measured here, not " + host);
        }
    }

    /** What a reader needs to compare this run with another: machine, versions, settings, commit. */
    private Map<String, String> environment(Map<String, String> login, TargetSpec.RedisEndpoint redisEndpoint,
                                            String pgpoolUrl) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("machine", Runtime.getRuntime().availableProcessors() + " CPUs (" + cpuModel() + "), "
                + System.getProperty("os.name") + " " + System.getProperty("os.version"));
        env.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        env.put("load at start", MachineLoad.now().raw());
        String commit = System.getenv("BENCH_COMMIT");
        if (commit != null && !commit.isBlank()) {
            env.put("commit", commit);
        }
        Properties properties = new Properties();
        properties.putAll(login);
        try (Connection c = DriverManager.getConnection(databaseUrl, properties)) {
            DatabaseMetaData meta = c.getMetaData();
            env.put("database", meta.getDatabaseProductName() + " " + meta.getDatabaseProductVersion() + " at "
                    + databaseUrl + ", driver " + meta.getDriverName() + " " + meta.getDriverVersion());
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("select current_setting('synchronous_commit'),"
                         + " current_setting('shared_buffers')")) {
                rs.next();
                env.put("database settings", "synchronous_commit=" + rs.getString(1) + ", shared_buffers="
                        + rs.getString(2));
            }
        } catch (SQLException e) {
            env.put("database", "unreachable: " + e.getMessage());
        }
        if (redisEndpoint != null) {
            try (RedisClient client = RedisClient.create(redisEndpoint.host(), redisEndpoint.port())) {
                String info = client.info("server");
                String version = info.lines().filter(l -> l.startsWith("redis_version:")).findFirst()
                        .map(l -> l.substring("redis_version:".length())).orElse("?");
                env.put("redis", "Redis " + version + " at " + redisEndpoint.host() + ":" + redisEndpoint.port()
                        + " (sqlcache targets in logical databases 0, 1, 2)");
            } catch (RuntimeException e) {
                env.put("redis", "unreachable: " + e.getMessage());
            }
        }
        if (pgpoolUrl != null) {
            properties.setProperty("preferQueryMode", "simple");
            try (Connection c = DriverManager.getConnection(pgpoolUrl, properties);
                 Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("show pool_version")) {
                rs.next();
                env.put("pgpool", "pgpool-II " + rs.getString(1) + " at " + pgpoolUrl
                        + " (raw mode, memory_cache_enabled=on, memqcache_method=shmem,"
                        + " memqcache_auto_cache_invalidation=on)");
            } catch (SQLException e) {
                env.put("pgpool", "unreachable: " + e.getMessage());
            }
        }
        return env;
    }

    private static String cpuModel() {
        try (var lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("model name")).findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown model");
        } catch (IOException | RuntimeException e) {
            return "unknown model";
        }
    }
}
