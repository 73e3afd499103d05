package dev.sqlcache.internal.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlcache.testing.RedisServerFixture;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What the Redis store does when the server goes away: it must fail fast with a {@link CacheStoreException}
 * (callers then use the database), and the same instance must work again once the server is back.
 */
@Timeout(30)
class RedisCacheStoreFailureTest {

    private static final int SOCKET_TIMEOUT_MILLIS = 300;
    private static final String[] NO_KEYS = new String[0];

    private static RedisServerFixture server;

    @BeforeAll
    static void start() {
        server = RedisServerFixture.start();
    }

    @AfterAll
    static void close() {
        server.close();
    }

    /** Each test may leave the server stopped or paused; the next one needs it healthy and empty. */
    @AfterEach
    void heal() {
        if (!server.isRunning()) {
            server.restart();
        } else {
            server.resume();
            server.flushAll();
        }
    }

    private static RedisCacheStore open(RedisTransport transport) {
        return new RedisCacheStore(transport.settings(server, Map.of(
                "sqlcache.redis.socketTimeout", SOCKET_TIMEOUT_MILLIS + "ms",
                "sqlcache.redis.socketConnectTimeout", "300ms")));
    }

    /** Runs an operation that must fail and returns its exception, checking it came quickly. */
    private static CacheStoreException failsQuickly(Runnable operation, Duration limit) {
        long start = System.nanoTime();
        CacheStoreException e = assertThrows(CacheStoreException.class, operation::run);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertTrue(took.compareTo(limit) <= 0, "failing took " + took.toMillis() + " ms");
        return e;
    }

    /** Fills the pool with a few connections, so a restart leaves dead idle ones behind. */
    private static void warmUp(RedisCacheStore store) throws InterruptedException {
        Thread[] threads = new Thread[4];
        for (int i = 0; i < threads.length; i++) {
            threads[i] = new Thread(() -> {
                for (int j = 0; j < 20; j++) {
                    store.lookup("warm", NO_KEYS);
                }
            });
            threads[i].start();
        }
        for (Thread t : threads) {
            t.join(5_000);
        }
    }

    @ParameterizedTest
    @EnumSource(RedisTransport.class)
    void aStoppedServerFailsFastWithACacheStoreException(RedisTransport transport) throws Exception {
        try (RedisCacheStore store = open(transport)) {
            warmUp(store);
            server.stop();
            CacheStoreException e = failsQuickly(() -> store.lookup("k", new String[] {"v"}),
                    Duration.ofMillis(SOCKET_TIMEOUT_MILLIS + 200));
            assertTrue(e.getMessage().contains("lookup"), e.getMessage());
            assertTrue(e.getMessage().contains(transport == RedisTransport.TCP
                    ? "127.0.0.1:" + server.port() : server.socketPath()), e.getMessage());
            failsQuickly(() -> store.bumpVersions(new String[] {"v"}), Duration.ofSeconds(1));
            failsQuickly(() -> store.initVersions(new String[] {"v"}), Duration.ofSeconds(1));
            failsQuickly(() -> store.putIfVersions("k", new byte[1], 5, NO_KEYS, NO_KEYS), Duration.ofSeconds(1));
            failsQuickly(() -> store.deleteMatching("*"), Duration.ofSeconds(1));
            assertFalse(store.ping());
        }
    }

    @ParameterizedTest
    @EnumSource(RedisTransport.class)
    void theSameStoreWorksAgainAfterARestart(RedisTransport transport) throws Exception {
        try (RedisCacheStore store = open(transport)) {
            String[] keys = {"v"};
            String[] before = store.initVersions(keys);
            warmUp(store);
            server.restart();
            // Data is gone and the pooled connections are dead; the very next call must still succeed.
            assertArrayEquals(new String[] {null}, store.lookup("k", keys).versions());
            String[] after = store.initVersions(keys);
            assertFalse(before[0].equals(after[0]), "a recreated version key got its old token back");
            assertFalse(store.putIfVersions("k", new byte[] {1}, 60, keys, before));
            assertTrue(store.putIfVersions("k", new byte[] {1}, 60, keys, after));
            assertTrue(store.ping());
        }
    }

    @ParameterizedTest
    @EnumSource(RedisTransport.class)
    void aStoreOpenedWhileTheServerIsDownWorksOnceItIsUp(RedisTransport transport) {
        server.stop();
        try (RedisCacheStore store = open(transport)) {
            assertFalse(store.ping());
            server.restart();
            assertNull(store.lookup("k", NO_KEYS).entry());
        }
    }

    @ParameterizedTest
    @EnumSource(RedisTransport.class)
    void aPausedServerTimesOutAndIsUsableAfterResuming(RedisTransport transport) throws Exception {
        try (RedisCacheStore store = open(transport)) {
            warmUp(store);
            server.pause();
            CacheStoreException e = failsQuickly(() -> store.lookup("k", NO_KEYS),
                    Duration.ofMillis(SOCKET_TIMEOUT_MILLIS * 2 + 300));
            assertTrue(e.getMessage().contains("timeout"), e.getMessage());
            assertFalse(store.ping());
            server.resume();
            assertNull(store.lookup("k", NO_KEYS).entry());
        }
    }
}
