package dev.sqlcache.sample;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away {@code redis-server} on a free loopback port, for machines without a Redis: nothing is persisted
 * ({@code --save "" --appendonly no}), and it is stopped when the sample ends, by {@link #close()} or, if the JVM
 * is interrupted, by a shutdown hook.
 */
final class RedisServerProcess implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RedisServerProcess.class);
    private static final String HOST = "127.0.0.1";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(3);

    private final Process process;
    private final int port;
    private final Path log;
    private final Thread shutdownHook;

    private RedisServerProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
        this.shutdownHook = new Thread(this::stop, "stop-private-redis-server");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** {@code redis-server} from the PATH, else from the usual install directories. */
    static Optional<Path> findExecutable(String pathVariable) {
        if (pathVariable != null) {
            for (String dir : pathVariable.split(File.pathSeparator)) {
                if (!dir.isBlank()) {
                    Path candidate = Path.of(dir, "redis-server");
                    if (Files.isExecutable(candidate)) {
                        return Optional.of(candidate);
                    }
                }
            }
        }
        for (String dir : List.of("/usr/bin", "/usr/local/bin", "/opt/homebrew/bin")) {
            Path candidate = Path.of(dir, "redis-server");
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /**
     * Starts the server and waits until it answers PING. A free port can be taken by someone else between finding
     * it and redis-server binding it, so a failed start is retried on another port.
     */
    static RedisServerProcess start(Path executable) throws IOException {
        IOException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                return startOnce(executable, freeLoopbackPort());
            } catch (IOException e) {
                last = e;
                LOG.debug("redis-server did not start: {}", e.getMessage());
            }
        }
        throw last;
    }

    private static RedisServerProcess startOnce(Path executable, int port) throws IOException {
        Path log = Files.createTempFile("sqlcache-sample-redis-", ".log");
        Process process = new ProcessBuilder(executable.toString(),
                "--port", Integer.toString(port), "--bind", HOST,
                "--save", "", "--appendonly", "no",
                "--daemonize", "no", "--databases", "1")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        RedisServerProcess server = new RedisServerProcess(process, port, log);
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                String output = server.lastLogLine();
                server.close();
                throw new IOException("redis-server exited with " + process.exitValue() + ": " + output);
            }
            if (RedisPing.tcp(HOST, port, Duration.ofMillis(200)).pong()) {
                return server;
            }
            sleep(Duration.ofMillis(25));
        }
        server.close();
        throw new IOException("redis-server did not answer PING on " + HOST + ":" + port + " within "
                + START_TIMEOUT.toSeconds() + " s");
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return socket.getLocalPort();
        }
    }

    String host() {
        return HOST;
    }

    int port() {
        return port;
    }

    boolean isRunning() {
        return process.isAlive();
    }

    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // The hook is running or has run; nothing left to undo.
        }
    }

    /** SIGTERM, then SIGKILL if it has not gone within a few seconds: never wait without bound at exit. */
    private void stop() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        try {
            Files.deleteIfExists(log);
        } catch (IOException e) {
            LOG.debug("could not delete {}: {}", log, e.getMessage());
        }
    }

    private String lastLogLine() {
        try {
            List<String> lines = Files.readAllLines(log);
            return lines.isEmpty() ? "(no output)" : lines.get(lines.size() - 1).strip();
        } catch (IOException e) {
            return "(output unreadable: " + e.getMessage() + ")";
        }
    }

    private static void sleep(Duration duration) throws IOException {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for redis-server", e);
        }
    }
}
