package dev.sqlcache.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A private Redis Cluster for tests: three masters ({@code redis-server --cluster-enabled yes}) on free loopback
 * ports, joined by {@code redis-cli --cluster create --cluster-yes}, no replicas, no persistence. Every wait is
 * bounded; every process is killed on {@link #close()} and by a shutdown hook if a test forgets. Fails (never skips)
 * when redis-server or redis-cli is not installed.
 */
public final class RedisClusterFixture implements AutoCloseable {

    private static final long STARTUP_TIMEOUT_MILLIS = 20_000;

    private final Path directory;
    private final int[] ports = new int[3];
    private final List<Process> processes = new ArrayList<>();
    private final Thread shutdownHook = new Thread(this::killAll, "redis-cluster-fixture-cleanup");

    private RedisClusterFixture(Path directory) {
        this.directory = directory;
    }

    /** Starts the three masters, creates the cluster and waits until every node says it is ok. */
    public static RedisClusterFixture start() {
        RedisClusterFixture fixture = new RedisClusterFixture(RedisServerFixture.createDirectory());
        Runtime.getRuntime().addShutdownHook(fixture.shutdownHook);
        try {
            fixture.launch();
            return fixture;
        } catch (RuntimeException e) {
            fixture.close();
            throw e;
        }
    }

    /** The port of one master (the first). */
    public int port() {
        return ports[0];
    }

    private void launch() {
        Path binary = RedisServerFixture.findRedisServer();
        Path cli = binary.resolveSibling("redis-cli");
        if (!Files.isExecutable(cli)) {
            throw new IllegalStateException("redis-cli was not found next to " + binary);
        }
        for (int i = 0; i < ports.length; i++) {
            ports[i] = RedisServerFixture.anyFreePort();
            Path dir = directory.resolve("node-" + ports[i]);
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new IllegalStateException("cannot create " + dir + ": " + e.getMessage(), e);
            }
            start(List.of(binary.toString(), "--bind", "127.0.0.1", "--port", Integer.toString(ports[i]),
                    "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--save", "",
                    "--appendonly", "no", "--dir", dir.toString(), "--daemonize", "no"), dir.resolve("redis.log"));
        }
        for (int port : ports) {
            await("node " + port + " to answer PING", () -> "PONG".equals(RespClient.tryCall(port, "PING")));
        }
        List<String> create = new ArrayList<>(List.of(cli.toString(), "--cluster", "create"));
        for (int port : ports) {
            create.add("127.0.0.1:" + port);
        }
        create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
        run(create);
        for (int port : ports) {
            await("node " + port + " to report cluster_state:ok", () -> {
                Object info = RespClient.tryCall(port, "CLUSTER", "INFO");
                return info != null && info.toString().contains("cluster_state:ok");
            });
        }
    }

    private void start(List<String> command, Path log) {
        try {
            processes.add(new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start());
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command.get(0) + ": " + e.getMessage(), e);
        }
    }

    private void run(List<String> command) {
        Path log = directory.resolve("create.log");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            if (!p.waitFor(STARTUP_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("redis-cli --cluster create did not finish; " + read(log));
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException("redis-cli --cluster create failed: " + read(log));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run redis-cli: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating the cluster", e);
        }
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private static void await(String what, java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STARTUP_TIMEOUT_MILLIS);
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + what, e);
            }
        }
        throw new IllegalStateException("timed out waiting for " + what);
    }

    private synchronized void killAll() {
        for (Process p : processes) {
            p.destroyForcibly();
            try {
                p.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        processes.clear();
    }

    @Override
    public void close() {
        killAll();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException | IllegalArgumentException e) {
            // already shutting down
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // a leftover temp directory is harmless
        }
    }
}
