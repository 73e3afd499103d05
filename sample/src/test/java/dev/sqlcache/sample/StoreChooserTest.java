package dev.sqlcache.sample;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The store choice, tested against ports nobody listens on, fake servers and a private redis-server, never
 * against the Redis on localhost:6379 that other runs may share.
 */
class StoreChooserTest {

    private static final Duration PING_TIMEOUT = Duration.ofMillis(500);

    @Test
    void nothingAnsweringAndNoRedisServerFallsBackToMemory() throws IOException {
        int port = unusedPort();
        StoreChooser chooser = new StoreChooser(Map.of(), "127.0.0.1", port, Optional.empty(), PING_TIMEOUT);

        try (StoreChoice choice = chooser.choose()) {
            assertEquals(StoreChoice.Kind.MEMORY, choice.kind());
            assertEquals(Map.of("sqlcache.store", "memory"), choice.settings());
            assertTrue(choice.description().contains("127.0.0.1:" + port), choice.description());
            assertTrue(choice.description().contains("no redis-server installed"), choice.description());
        }
    }

    @Test
    void configuredHostAndPortWinWhenTheyAnswer() throws IOException {
        try (FakeRedis redis = FakeRedis.tcp("+PONG\r\n")) {
            Map<String, String> env = Map.of("REDIS_HOST", "127.0.0.1", "REDIS_PORT", Integer.toString(redis.port()));
            StoreChooser chooser = new StoreChooser(env, "127.0.0.1", unusedPort(), Optional.empty(), PING_TIMEOUT);

            try (StoreChoice choice = chooser.choose()) {
                assertEquals(StoreChoice.Kind.SHARED_REDIS, choice.kind());
                assertEquals("redis", choice.settings().get("sqlcache.store"));
                assertEquals("127.0.0.1", choice.settings().get("sqlcache.redis.host"));
                assertEquals(Integer.toString(redis.port()), choice.settings().get("sqlcache.redis.port"));
            }
        }
    }

    @Test
    void socketPathWinsOverHostAndPort(@TempDir Path dir) throws IOException {
        try (FakeRedis socket = FakeRedis.unixSocket(dir, "+PONG\r\n");
             FakeRedis tcp = FakeRedis.tcp("+PONG\r\n")) {
            Map<String, String> env = Map.of("REDIS_SOCKET_PATH", socket.socketFile().toString(),
                    "REDIS_HOST", "127.0.0.1", "REDIS_PORT", Integer.toString(tcp.port()));
            StoreChooser chooser = new StoreChooser(env, "127.0.0.1", unusedPort(), Optional.empty(), PING_TIMEOUT);

            try (StoreChoice choice = chooser.choose()) {
                assertEquals(StoreChoice.Kind.SHARED_REDIS, choice.kind());
                assertEquals(socket.socketFile().toString(), choice.settings().get("sqlcache.redis.socketPath"));
            }
        }
    }

    @Test
    void aServerThatWantsAPasswordNobodyGaveIsNotUsed() throws IOException {
        try (FakeRedis redis = FakeRedis.tcp("-NOAUTH Authentication required.\r\n")) {
            StoreChooser chooser = new StoreChooser(Map.of(), "127.0.0.1", redis.port(), Optional.empty(),
                    PING_TIMEOUT);

            try (StoreChoice choice = chooser.choose()) {
                assertEquals(StoreChoice.Kind.MEMORY, choice.kind());
                assertTrue(choice.description().contains("password"), choice.description());
            }
        }
    }

    @Test
    void aServerThatNeverRepliesIsGivenUpOnInTime() throws IOException {
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            long start = System.nanoTime();
            RedisPing.Answer answer = RedisPing.tcp("127.0.0.1", silent.getLocalPort(), PING_TIMEOUT);
            long tookMillis = (System.nanoTime() - start) / 1_000_000;

            assertFalse(answer.pong());
            assertTrue(tookMillis < PING_TIMEOUT.toMillis() + 1_000, "took " + tookMillis + " ms");
        }
    }

    @Test
    void withoutARunningRedisAPrivateRedisServerIsStartedAndStopped() throws IOException {
        Optional<Path> redisServer = RedisServerProcess.findExecutable(System.getenv("PATH"));
        assertTrue(redisServer.isPresent(), "redis-server must be installed to run this test (see .ci/run)");
        StoreChooser chooser = new StoreChooser(Map.of(), "127.0.0.1", unusedPort(), redisServer, PING_TIMEOUT);

        StoreChoice choice = chooser.choose();
        int port;
        try {
            assertEquals(StoreChoice.Kind.PRIVATE_REDIS, choice.kind(), choice.description());
            port = Integer.parseInt(choice.settings().get("sqlcache.redis.port"));
            assertTrue(RedisPing.tcp("127.0.0.1", port, PING_TIMEOUT).pong());
            assertTrue(choice.description().startsWith("redis-server started on 127.0.0.1:" + port),
                    choice.description());
        } finally {
            choice.close();
        }
        assertFalse(choice.server().isRunning());
        assertFalse(RedisPing.tcp("127.0.0.1", port, PING_TIMEOUT).pong());
    }

    private static int unusedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
