package dev.sqlcache.driver;

import dev.sqlcache.stats.CacheStatistics;
import dev.sqlcache.testing.RedisClusterFixture;
import dev.sqlcache.testing.RedisServerFixture;
import dev.sqlcache.testing.RespClient;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Settings that make every Redis call fail, whatever the moment: statements keep working on the database, the cause
 * and the setting to fix are logged once at ERROR, and no write waits for the fence (this JVM never joined the
 * membership: there is nobody it could keep off the cache by waiting). Counted, not timed.
 */
class RedisMisconfigurationTest extends RedisBackedTest {

    private static final String PASSWORD = "misconfigured-test-password";
    private static final int ROUNDS = 8;

    @Test
    void anAclUserWithoutEvalsha() throws Exception {
        setUser("sqlcache_noscripts", "~sql:*", "+get");
        Properties settings = settings("sqlcache.redis.username", "sqlcache_noscripts",
                "sqlcache.redis.password", PASSWORD);
        long[] refused = new long[2];
        String log = worksOnTheDatabase(settings, "mis_noscripts", () -> {
            // The writes' ends are owed and retried in the background: not a hundred times a second while the
            // server refuses them for good (at most one a second, so about 2 in these 2 s; 10 ms apart, 200).
            refused[0] = rejectedScriptCalls();
            Thread.sleep(2_000);
            refused[1] = rejectedScriptCalls();
        });
        assertTrue(log.contains("NOPERM") && log.contains("evalsha"), log);
        assertTrue(log.contains("Securing Redis"), log);
        System.out.println("RedisMisconfigurationTest: " + (refused[1] - refused[0])
                + " background deliveries refused in 2 s");
        assertTrue(refused[1] - refused[0] <= 20, (refused[1] - refused[0]) + " deliveries refused in 2 s");
    }

    private static long rejectedScriptCalls() {
        String stats = String.valueOf(RespClient.call(redis.port(), "INFO", "commandstats"));
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("cmdstat_evalsha:.*?rejected_calls=(\\d+)").matcher(stats);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    @Test
    void anAclUserWithoutSqlcachesKeys() throws Exception {
        setUser("sqlcache_nokeys", "~app:*", "+evalsha", "+eval", "+get", "+set", "+incr", "+del", "+exists", "+mget",
                "+strlen", "+persist", "+pexpire", "+pttl", "+zadd", "+zrange", "+zrangebyscore", "+zrem",
                "+zremrangebyscore", "+zscore", "+time", "+info");
        Properties settings = settings("sqlcache.redis.username", "sqlcache_nokeys",
                "sqlcache.redis.password", PASSWORD);
        String log = worksOnTheDatabase(settings, "mis_nokeys");
        assertTrue(log.contains("NOPERM") && log.contains("key"), log);
    }

    @Test
    void aClusterNodeGivenAsASingleServer() throws Exception {
        try (RedisClusterFixture cluster = RedisClusterFixture.start()) {
            Properties settings = new Properties();
            settings.setProperty("sqlcache.redis.host", "127.0.0.1");
            settings.setProperty("sqlcache.redis.port", Integer.toString(cluster.port()));
            String log = worksOnTheDatabase(settings, "mis_cluster");
            assertTrue(log.contains("Redis Cluster node") && log.contains("sqlcache.redis.cluster"), log);
        }
    }

    @Test
    void aSentinelPortGivenAsTheRedisAddress() throws Exception {
        try (LoneSentinel sentinel = LoneSentinel.start(redis.port())) {
            Properties settings = new Properties();
            settings.setProperty("sqlcache.redis.host", "127.0.0.1");
            settings.setProperty("sqlcache.redis.port", Integer.toString(sentinel.port));
            String log = worksOnTheDatabase(settings, "mis_sentinel");
            assertTrue(log.contains("unknown command") && log.contains("sqlcache.redis.sentinels"), log);
        }
    }

    /** The documented user's shape with other key patterns and commands, as the test wants it. */
    private static void setUser(String user, String... grants) {
        List<String> words = new java.util.ArrayList<>(List.of("ACL", "SETUSER", user, "on", ">" + PASSWORD,
                "resetkeys", "resetchannels", "-@all", "+ping", "+client|setname", "+select"));
        words.addAll(List.of(grants));
        assertEquals("+OK", redis.command(words.toArray(String[]::new)), String.join(" ", words));
    }

    /**
     * Reads and writes through sqlcache with the given settings and checks each answer against the database; returns
     * what was logged. Asserts one ERROR about the configuration and no write that waited.
     */
    private static String worksOnTheDatabase(Properties settings, String table) throws Exception {
        return worksOnTheDatabase(settings, table, () -> { });
    }

    /** Something to do while the connection is still open, after the reads and writes. */
    private interface WhileOpen {
        void run() throws Exception;
    }

    private static String worksOnTheDatabase(Properties settings, String table, WhileOpen whileOpen)
            throws Exception {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        CacheStatistics delta;
        try (Connection direct = TestDatabase.H2.direct(); Connection cached = TestDatabase.H2.cached(settings)) {
            exec(direct, "drop table if exists " + table, "create table " + table + " (id int primary key, v int)",
                    "insert into " + table + " values (1, 0)");
            String read = "select v from " + table + " where id = 1";
            CacheStatistics start = stats(cached);
            for (int i = 1; i <= ROUNDS; i++) {
                assertEquals(rows(direct, read), rows(cached, read));
                exec(cached, "update " + table + " set v = " + i + " where id = 1");
                assertEquals(List.of(List.of(Integer.toString(i))), rows(cached, read));
            }
            delta = stats(cached).since(start);
            whileOpen.run();
        } finally {
            System.setErr(err);
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        System.out.println("RedisMisconfigurationTest " + table + ": " + delta.fenceWaits() + " fence waits, "
                + delta.redisErrors() + " Redis errors in " + ROUNDS + " writes and " + 2 * ROUNDS + " reads; "
                + log.lines().filter(l -> l.contains("cannot be used as configured")).findFirst().orElse("(none)"));
        assertEquals(0, delta.fenceWaits(), "no write waited: " + delta);
        assertEquals(0, delta.hits(), delta.toString());
        long errors = log.lines().filter(l -> l.contains("ERROR") && l.contains("cannot be used as configured"))
                .count();
        assertEquals(1, errors, "one ERROR naming the cause:\n" + log);
        assertTrue(!log.contains(PASSWORD), "no password in the log");
        return log;
    }

    /** One {@code redis-server --sentinel} monitoring the fixture: enough to answer like a sentinel does. */
    private static final class LoneSentinel implements AutoCloseable {
        final int port;
        final Process process;
        final Path directory;

        private LoneSentinel(int port, Process process, Path directory) {
            this.port = port;
            this.process = process;
            this.directory = directory;
        }

        static LoneSentinel start(int monitoredPort) throws IOException, InterruptedException {
            Path directory = Files.createTempDirectory(Path.of("/tmp"), "sqlcache-sentinel-");
            int port = RedisServerFixture.anyFreePort();
            Path config = directory.resolve("sentinel.conf");
            Files.writeString(config, String.join("\n", "port " + port, "bind 127.0.0.1",
                    "dir " + directory, "sentinel monitor lone 127.0.0.1 " + monitoredPort + " 1", ""));
            Process process = new ProcessBuilder("redis-server", config.toString(), "--sentinel")
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(directory.resolve("log").toFile())).start();
            LoneSentinel sentinel = new LoneSentinel(port, process, directory);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!"PONG".equals(RespClient.tryCall(port, "PING"))) {
                if (System.nanoTime() > deadline || !process.isAlive()) {
                    sentinel.close();
                    throw new IllegalStateException("the sentinel did not answer PING");
                }
                Thread.sleep(50);
            }
            return sentinel;
        }

        @Override
        public void close() {
            process.destroyForcibly();
            try {
                process.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            try (var paths = Files.walk(directory)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // a leftover temp directory is harmless
            }
        }
    }
}
