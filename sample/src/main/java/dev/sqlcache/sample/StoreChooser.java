package dev.sqlcache.sample;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Picks the cache store for the sample, best first: the Redis the environment names ({@code REDIS_SOCKET_PATH},
 * then {@code REDIS_HOST}/{@code REDIS_PORT}), a Redis on localhost:6379, a private redis-server, and finally the
 * driver's in-process store. A Redis counts only if it answers PING now; each one that does not is named in the
 * final description, so the printed line explains the choice.
 */
final class StoreChooser {

    private static final Logger LOG = LoggerFactory.getLogger(StoreChooser.class);

    private final Map<String, String> environment;
    private final String defaultHost;
    private final int defaultPort;
    private final Optional<Path> redisServer;
    private final Duration pingTimeout;

    /**
     * @param environment  the variables to read ({@code System.getenv()} outside tests)
     * @param defaultHost  where to look for a Redis nobody configured
     * @param defaultPort  likewise
     * @param redisServer  the redis-server executable to start when no Redis answers, if any
     * @param pingTimeout  how long one PING may take
     */
    StoreChooser(Map<String, String> environment, String defaultHost, int defaultPort, Optional<Path> redisServer,
                 Duration pingTimeout) {
        this.environment = Map.copyOf(environment);
        this.defaultHost = defaultHost;
        this.defaultPort = defaultPort;
        this.redisServer = redisServer;
        this.pingTimeout = pingTimeout;
    }

    static StoreChooser forThisMachine() {
        Map<String, String> env = System.getenv();
        return new StoreChooser(env, "localhost", 6379, RedisServerProcess.findExecutable(env.get("PATH")),
                Duration.ofMillis(500));
    }

    StoreChoice choose() {
        List<String> notAnswering = new ArrayList<>();

        String socketPath = variable("REDIS_SOCKET_PATH");
        if (socketPath != null) {
            RedisPing.Answer answer = RedisPing.unixSocket(Path.of(socketPath), pingTimeout);
            if (usable(answer)) {
                return new StoreChoice(StoreChoice.Kind.SHARED_REDIS,
                        "redis at unix socket " + socketPath + " (REDIS_SOCKET_PATH)",
                        Map.of("sqlcache.store", "redis", "sqlcache.redis.socketPath", socketPath), null);
            }
            notAnswering.add("unix socket " + socketPath + ": " + answer.problem());
        }

        String host = variable("REDIS_HOST");
        String port = variable("REDIS_PORT");
        if (host != null || port != null) {
            String h = host == null ? defaultHost : host;
            Optional<Integer> p = port == null ? Optional.of(defaultPort) : parsePort(port);
            if (p.isEmpty()) {
                notAnswering.add("REDIS_PORT=" + port + ": not a port number");
            } else {
                RedisPing.Answer answer = RedisPing.tcp(h, p.get(), pingTimeout);
                if (usable(answer)) {
                    return tcpRedis(h, p.get(), "REDIS_HOST/REDIS_PORT");
                }
                notAnswering.add(h + ":" + p.get() + ": " + answer.problem());
                if (h.equals(defaultHost) && p.get() == defaultPort) {
                    return withoutSharedRedis(notAnswering);
                }
            }
        }

        RedisPing.Answer answer = RedisPing.tcp(defaultHost, defaultPort, pingTimeout);
        if (usable(answer)) {
            return tcpRedis(defaultHost, defaultPort, "it answered PING");
        }
        notAnswering.add(defaultHost + ":" + defaultPort + ": " + answer.problem());
        return withoutSharedRedis(notAnswering);
    }

    /** No running Redis answered: start one if we can, else use the in-process store. */
    private StoreChoice withoutSharedRedis(List<String> notAnswering) {
        String why = "no Redis answered at " + String.join("; ", notAnswering);
        if (redisServer.isPresent()) {
            try {
                RedisServerProcess server = RedisServerProcess.start(redisServer.get());
                return new StoreChoice(StoreChoice.Kind.PRIVATE_REDIS,
                        "redis-server started on " + server.host() + ":" + server.port() + " (" + why + ")",
                        Map.of("sqlcache.store", "redis",
                                "sqlcache.redis.host", server.host(),
                                "sqlcache.redis.port", Integer.toString(server.port())),
                        server);
            } catch (IOException e) {
                LOG.warn("could not start {}: {}", redisServer.get(), e.getMessage());
                why += "; " + redisServer.get() + " did not start: " + e.getMessage();
            }
        } else {
            why += "; no redis-server installed";
        }
        return new StoreChoice(StoreChoice.Kind.MEMORY, "in-process memory store, this JVM only (" + why + ")",
                Map.of("sqlcache.store", "memory"), null);
    }

    private StoreChoice tcpRedis(String host, int port, String why) {
        return new StoreChoice(StoreChoice.Kind.SHARED_REDIS, "redis at " + host + ":" + port + " (" + why + ")",
                Map.of("sqlcache.store", "redis",
                        "sqlcache.redis.host", host,
                        "sqlcache.redis.port", Integer.toString(port)),
                null);
    }

    /** A server that wants a password is usable when the driver will find one in the environment. */
    private boolean usable(RedisPing.Answer answer) {
        return answer.pong() || (answer.needsPassword() && variable("REDIS_PASSWORD") != null);
    }

    private String variable(String name) {
        String value = environment.get(name);
        return value == null || value.isBlank() ? null : value.strip();
    }

    private static Optional<Integer> parsePort(String value) {
        try {
            int port = Integer.parseInt(value);
            return port > 0 && port < 65536 ? Optional.of(port) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
