package dev.sqlcache.internal.store;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import redis.clients.jedis.ClientSetInfoConfig;
import redis.clients.jedis.Connection;
import redis.clients.jedis.ConnectionFactory;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.DefaultJedisSocketFactory;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.providers.ConnectionProvider;
import redis.clients.jedis.providers.PooledConnectionProvider;

/**
 * What lending a connection costs the calling thread's CPU, Jedis's commons-pool2 provider (configured as sqlcache
 * configured it) against {@link LeanConnectionPool}: borrow + return alone, and around one {@code PING}. CPU time,
 * not wall time, so that a busy machine's waiting does not count. In this package because the pool is
 * package-private. Against a redis-server on a loopback port of your own:
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.sqlcache.internal.store.PoolCost PORT 400000
 * </pre>
 */
public final class PoolCost {

    private PoolCost() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int calls = Integer.parseInt(args[1]);
        DefaultJedisClientConfig config = DefaultJedisClientConfig.builder().clientName("sqlcache")
                .clientSetInfoConfig(ClientSetInfoConfig.DISABLED).connectionTimeoutMillis(1000)
                .socketTimeoutMillis(500).build();
        HostAndPort address = new HostAndPort("127.0.0.1", port);
        for (int round = 0; round < 3; round++) {
            try (ConnectionProvider commons = new PooledConnectionProvider(
                         new ConnectionFactory(new DefaultJedisSocketFactory(address, config), config), poolConfig());
                 ConnectionProvider lean = new LeanConnectionPool(new DefaultJedisSocketFactory(address, config),
                         config, 16, 1000)) {
                for (ConnectionProvider pool : new ConnectionProvider[] {commons, lean}) {
                    String name = pool == lean ? "LeanConnectionPool" : "commons-pool2     ";
                    cpuPerCall(pool, calls / 4, false); // warm-up
                    System.out.printf("round %d %s borrow+return: %.3f us CPU%n", round, name,
                            cpuPerCall(pool, calls, false));
                    cpuPerCall(pool, calls / 20, true);
                    System.out.printf("round %d %s borrow+PING+return: %.3f us CPU%n", round, name,
                            cpuPerCall(pool, calls / 10, true));
                }
            }
        }
    }

    /** As {@code RedisCommands} configured commons-pool2 before {@link LeanConnectionPool}. */
    private static ConnectionPoolConfig poolConfig() {
        ConnectionPoolConfig config = new ConnectionPoolConfig();
        config.setMaxTotal(16);
        config.setMaxIdle(16);
        config.setMinIdle(0);
        config.setBlockWhenExhausted(true);
        config.setMaxWait(Duration.ofMillis(1000));
        config.setTestOnBorrow(false);
        config.setJmxEnabled(false);
        config.setTimeBetweenEvictionRuns(Duration.ofMillis(-1));
        return config;
    }

    private static double cpuPerCall(ConnectionProvider pool, int calls, boolean ping) {
        var threads = ManagementFactory.getThreadMXBean();
        long start = threads.getCurrentThreadCpuTime();
        for (int i = 0; i < calls; i++) {
            try (Connection connection = pool.getConnection()) {
                if (ping) {
                    connection.ping();
                }
            }
        }
        return (threads.getCurrentThreadCpuTime() - start) / 1000.0 / calls;
    }
}
