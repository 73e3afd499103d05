package dev.sqlcache.bench;

import dev.sqlcache.driver.SqlCacheConnection;
import dev.sqlcache.stats.CacheStatistics;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

import redis.clients.jedis.Protocol;
import redis.clients.jedis.RedisClient;

/**
 * One database (H2 in memory, or a private schema in the local PostgreSQL) with the benchmark tables, one private
 * Redis, and two connections to the same database: {@link #direct} through the real driver and {@link #cached}
 * through {@code jdbc:sqlcache:}. Opened per JMH trial, that is per fork.
 *
 * <p>Tables: {@code customers} (500 rows) and {@code orders} (10,000 rows, 20 per customer).
 */
final class Fixture implements AutoCloseable {
    static final int CUSTOMERS = 500;
    static final int ORDERS_PER_CUSTOMER = 20;

    /** PostgreSQL to use; the default is the machine's local server (trust auth). Only loopback belongs here. */
    static final String POSTGRES_URL = System.getenv().getOrDefault("BENCH_POSTGRES_URL",
            "jdbc:postgresql://127.0.0.1:5432/test");
    static final String POSTGRES_USER = System.getenv().getOrDefault("BENCH_POSTGRES_USER", "postgres");

    final String db;
    final PrivateRedis redis;
    final String realUrl;
    final Connection direct;
    final Connection cached;
    private final String schema;

    private Fixture(String db, PrivateRedis redis, String realUrl, String schema, Connection direct,
                    Connection cached) {
        this.db = db;
        this.redis = redis;
        this.realUrl = realUrl;
        this.schema = schema;
        this.direct = direct;
        this.cached = cached;
    }

    static Fixture open(String db) throws Exception {
        return open(db, new Properties());
    }

    /** @param settings more {@code sqlcache.*} settings for the cached connection */
    static Fixture open(String db, Properties settings) throws Exception {
        PrivateRedis redis = PrivateRedis.start();
        try {
            String realUrl;
            String schema = null;
            Properties real = new Properties();
            switch (db) {
                case "h2" -> realUrl = "jdbc:h2:mem:sqlcache_bench;DB_CLOSE_DELAY=-1";
                case "postgres" -> {
                    // A schema of this fork's own: other users of the shared server and earlier runs never collide.
                    schema = "sqlcache_bench_" + ProcessHandle.current().pid() + "_" + System.nanoTime() % 100_000;
                    real.setProperty("user", POSTGRES_USER);
                    try (Connection admin = DriverManager.getConnection(POSTGRES_URL, real);
                         Statement s = admin.createStatement()) {
                        s.execute("create schema " + schema);
                    }
                    realUrl = POSTGRES_URL + (POSTGRES_URL.contains("?") ? "&" : "?") + "currentSchema=" + schema;
                }
                default -> throw new IllegalArgumentException("db must be h2 or postgres, not " + db);
            }
            Connection direct = DriverManager.getConnection(realUrl, real);
            createTables(direct);

            Properties cacheInfo = new Properties();
            cacheInfo.putAll(real);
            cacheInfo.setProperty("sqlcache.store", "redis");
            cacheInfo.setProperty("sqlcache.redis.host", "127.0.0.1");
            cacheInfo.setProperty("sqlcache.redis.port", Integer.toString(redis.port));
            cacheInfo.setProperty("sqlcache.ttl", "300");
            cacheInfo.putAll(settings);
            // Found through META-INF/services/java.sql.Driver in the uber-jar, exactly as an application would.
            Connection cached = DriverManager.getConnection("jdbc:sqlcache:" + realUrl.substring("jdbc:".length()),
                    cacheInfo);
            SqlCacheConnection sc = cached.unwrap(SqlCacheConnection.class);
            if (!sc.cacheHealthy()) {
                throw new IllegalStateException("sqlcache reports its store unhealthy: " + sc.cacheStore());
            }
            return new Fixture(db, redis, realUrl, schema, direct, cached);
        } catch (Exception | Error e) {
            redis.close();
            throw e;
        }
    }

    private static void createTables(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("create table customers (id integer primary key, name varchar(40) not null,"
                    + " city varchar(40) not null, credit numeric(10,2) not null)");
            s.execute("create table orders (id integer primary key, customer_id integer not null,"
                    + " amount numeric(10,2) not null, status varchar(12) not null)");
            s.execute("create index orders_customer on orders (customer_id)");
        }
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try (PreparedStatement ps = c.prepareStatement("insert into customers values (?, ?, ?, ?)")) {
            for (int id = 1; id <= CUSTOMERS; id++) {
                ps.setInt(1, id);
                ps.setString(2, "customer " + id);
                ps.setString(3, "city " + id % 37);
                ps.setBigDecimal(4, java.math.BigDecimal.valueOf(id * 7L % 10_000, 2));
                ps.addBatch();
            }
            ps.executeBatch();
        }
        try (PreparedStatement ps = c.prepareStatement("insert into orders values (?, ?, ?, ?)")) {
            int orders = CUSTOMERS * ORDERS_PER_CUSTOMER;
            for (int id = 1; id <= orders; id++) {
                ps.setInt(1, id);
                ps.setInt(2, 1 + (id - 1) % CUSTOMERS);
                ps.setBigDecimal(3, java.math.BigDecimal.valueOf(id * 13L % 100_000, 2));
                ps.setString(4, id % 5 == 0 ? "shipped" : "open");
                ps.addBatch();
                if (id % 1000 == 0) {
                    ps.executeBatch();
                }
            }
            ps.executeBatch();
        }
        c.commit();
        c.setAutoCommit(autoCommit);
        if (c.getMetaData().getDatabaseProductName().toLowerCase(java.util.Locale.ROOT).contains("postgres")) {
            try (Statement s = c.createStatement()) {
                s.execute("analyze customers");
                s.execute("analyze orders");
            }
        }
    }

    /**
     * The machine's load, printed beside each trial's statistics: on a shared 2-core machine a figure measured
     * while other work ran is not comparable, and this is how to tell.
     */
    static String loadAverage() {
        try {
            return "load average " + java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim();
        } catch (java.io.IOException | RuntimeException e) {
            return "load average unknown";
        }
    }

    /** Zeroes the private Redis's command counters, so {@link #redisCommandsPerCall} sees only measured calls. */
    void resetRedisCounters() {
        try (RedisClient client = RedisClient.create("127.0.0.1", redis.port)) {
            client.sendCommand(Protocol.Command.CONFIG, "RESETSTAT");
        }
    }

    /**
     * Redis commands per benchmark call since {@link #resetRedisCounters}, from {@code INFO commandstats}, e.g.
     * {@code mget=1.00 evalsha=1.00}: the round trips a path costs, which no amount of machine load changes.
     * Commands a Lua script runs (the GET and SET inside EVALSHA) are counted too, without a round trip each.
     */
    String redisCommandsPerCall(long calls) {
        StringBuilder out = new StringBuilder("redis commands per call:");
        try (RedisClient client = RedisClient.create("127.0.0.1", redis.port)) {
            for (String line : client.info("commandstats").split("\\R")) {
                // cmdstat_mget:calls=123,usec=...
                if (!line.startsWith("cmdstat_")) {
                    continue;
                }
                String command = line.substring("cmdstat_".length(), line.indexOf(':'));
                // Connection set-up and this method's own commands are not the path being measured.
                if (command.equals("info") || command.startsWith("config") || command.equals("hello")
                        || command.startsWith("client")) {
                    continue;
                }
                int from = line.indexOf("calls=") + "calls=".length();
                long count = Long.parseLong(line.substring(from, line.indexOf(',', from)));
                out.append(String.format(java.util.Locale.ROOT, " %s=%.2f", command,
                        calls == 0 ? 0.0 : (double) count / calls));
            }
        }
        return out.toString();
    }

    CacheStatistics statistics() throws SQLException {
        return cached.unwrap(SqlCacheConnection.class).statistics();
    }

    @Override
    public void close() throws Exception {
        try {
            cached.close();
            if (schema != null) {
                try (Statement s = direct.createStatement()) {
                    s.execute("drop schema " + schema + " cascade");
                }
            }
            direct.close();
        } finally {
            redis.close();
        }
    }
}
