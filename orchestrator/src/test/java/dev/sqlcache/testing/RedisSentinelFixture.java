package dev.sqlcache.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * A private Redis Sentinel group for tests, on free loopback ports: one primary, one replica
 * ({@code redis-server --replicaof}) and three sentinels ({@code redis-server --sentinel}, which is all Debian's
 * {@code redis-sentinel} package adds), quorum 2, with a short {@code down-after-milliseconds} (1 s) and
 * {@code failover-timeout} (4 s) so that a killed primary is replaced within a few seconds. No persistence.
 *
 * <p>Every wait is bounded; every process is killed on {@link #close()} and by a shutdown hook if a test forgets.
 * Fails (never skips) when redis-server is not installed.
 */
public final class RedisSentinelFixture implements AutoCloseable {

    /** The name the sentinels monitor the primary under. */
    public static final String MASTER = "sqlcache-primary";
    private static final long DOWN_AFTER_MILLIS = 1_000;
    private static final long FAILOVER_TIMEOUT_MILLIS = 4_000;
    private static final long STARTUP_TIMEOUT_MILLIS = 20_000;

    private final Path binary;
    private final Path directory;
    private final int[] dataPorts = new int[2];
    private final int[] sentinelPorts = new int[3];
    private final Map<Integer, Process> processes = new LinkedHashMap<>();
    private final Thread shutdownHook = new Thread(this::killAll, "redis-sentinel-fixture-cleanup");

    private RedisSentinelFixture(Path binary, Path directory) {
        this.binary = binary;
        this.directory = directory;
    }

    /** Starts the primary, waits for the replica to be in sync and for the sentinels to know each other. */
    public static RedisSentinelFixture start() {
        Path binary = RedisServerFixture.findRedisServer();
        IllegalStateException last = null;
        // Ports are chosen by binding and releasing them; another process could grab one meanwhile: try again.
        for (int attempt = 0; attempt < 3; attempt++) {
            RedisSentinelFixture fixture = new RedisSentinelFixture(binary, RedisServerFixture.createDirectory());
            Runtime.getRuntime().addShutdownHook(fixture.shutdownHook);
            try {
                fixture.launch();
                return fixture;
            } catch (IllegalStateException e) {
                last = e;
                fixture.close();
            }
        }
        throw last;
    }

    /** The {@code sqlcache.redis.*} properties that find the primary through the sentinels. */
    public Map<String, String> properties() {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("sqlcache.redis.sentinels", sentinels());
        properties.put("sqlcache.redis.sentinelMaster", MASTER);
        return properties;
    }

    /** {@code 127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3}. */
    public String sentinels() {
        StringBuilder sb = new StringBuilder();
        for (int port : sentinelPorts) {
            sb.append(sb.length() == 0 ? "" : ",").append("127.0.0.1:").append(port);
        }
        return sb.toString();
    }

    /** The primary's port as the first sentinel that answers reports it. */
    public synchronized int primaryPort() {
        for (int sentinel : sentinelPorts) {
            Object reply = RespClient.tryCall(sentinel, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER);
            if (reply instanceof List<?> address && address.size() == 2) {
                return Integer.parseInt((String) address.get(1));
            }
        }
        throw new IllegalStateException("no sentinel named the primary");
    }

    /** The data node that is not {@code port}. */
    public int otherDataPort(int port) {
        return dataPorts[0] == port ? dataPorts[1] : dataPorts[0];
    }

    /** One command to a data node or sentinel; see {@link RespClient#call}. */
    public Object command(int port, String... arguments) {
        return RespClient.call(port, arguments);
    }

    /**
     * Makes the replica fall behind: its link to the primary is cut and cannot come back (a wrong
     * {@code masterauth}: the primary refuses its AUTH), so writes from now on reach the primary only, as
     * replication that lags when the primary dies. Returns once the replica reports its link down.
     */
    public synchronized void cutReplication() {
        int primary = primaryPort();
        int replica = otherDataPort(primary);
        expectOk(command(replica, "CONFIG", "SET", "masterauth", "not-the-password"));
        command(primary, "CLIENT", "KILL", "TYPE", "replica");
        await("the replica's link to the primary to go down", 5_000,
                () -> info(replica, "replication").contains("master_link_status:down"));
    }

    /**
     * Asks a sentinel for a manual failover ({@code SENTINEL FAILOVER}): the replica is promoted at once, without
     * waiting for the primary to be seen down, and the old primary, still running, is turned into its replica.
     * Returns the old primary's port.
     */
    public synchronized int manualFailover() {
        int primary = primaryPort();
        expectOk(command(sentinelPorts[0], "SENTINEL", "FAILOVER", MASTER));
        return primary;
    }

    /** SIGKILL of the current primary: a crash, no goodbye. Returns its port. */
    public synchronized int killPrimary() {
        int primary = primaryPort();
        kill(primary);
        return primary;
    }

    /**
     * Waits until every sentinel names a primary other than {@code old} and that node says it is a primary.
     *
     * @return the new primary's port
     */
    public int awaitFailover(int old, long timeoutMillis) {
        int[] promoted = new int[1];
        await("a replica to be promoted", timeoutMillis, () -> {
            int agreed = -1;
            for (int sentinel : sentinelPorts) {
                Object reply = RespClient.tryCall(sentinel, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER);
                if (!(reply instanceof List<?> address) || address.size() != 2) {
                    return false;
                }
                int port = Integer.parseInt((String) address.get(1));
                if (port == old || agreed != -1 && agreed != port) {
                    return false;
                }
                agreed = port;
            }
            promoted[0] = agreed;
            return info(agreed, "replication").contains("role:master");
        });
        return promoted[0];
    }

    /** The text of {@code INFO section}, or "" when the node does not answer. */
    public String info(int port, String section) {
        Object reply = RespClient.tryCall(port, "INFO", section);
        return reply instanceof String text ? text : "";
    }

    /** Kills every process and deletes the directory. */
    @Override
    public synchronized void close() {
        killAll();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException | IllegalArgumentException e) {
            // already shutting down, or never registered
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // a leftover temp directory is harmless
        }
    }

    private void launch() {
        for (int i = 0; i < dataPorts.length; i++) {
            dataPorts[i] = freePort();
        }
        for (int i = 0; i < sentinelPorts.length; i++) {
            sentinelPorts[i] = freePort();
        }
        int primary = dataPorts[0];
        int replica = dataPorts[1];
        startDataNode(primary, List.of());
        startDataNode(replica, List.of("--replicaof", "127.0.0.1", Integer.toString(primary)));
        await("the replica to sync", STARTUP_TIMEOUT_MILLIS,
                () -> info(replica, "replication").contains("master_link_status:up"));
        for (int port : sentinelPorts) {
            Path config = directory.resolve("sentinel-" + port + ".conf");
            write(config, String.join("\n",
                    "port " + port,
                    "bind 127.0.0.1",
                    "daemonize no",
                    "dir " + directory,
                    "sentinel monitor " + MASTER + " 127.0.0.1 " + primary + " 2",
                    "sentinel down-after-milliseconds " + MASTER + " " + DOWN_AFTER_MILLIS,
                    "sentinel failover-timeout " + MASTER + " " + FAILOVER_TIMEOUT_MILLIS,
                    "sentinel parallel-syncs " + MASTER + " 1",
                    ""));
            startProcess(port, List.of(binary.toString(), config.toString(), "--sentinel"));
        }
        // A failover needs a quorum of sentinels that know each other (hello messages, every 2 s) and the replica.
        for (int sentinel : sentinelPorts) {
            await("sentinel " + sentinel + " to see the other sentinels and the replica", STARTUP_TIMEOUT_MILLIS,
                    () -> size(RespClient.tryCall(sentinel, "SENTINEL", "SENTINELS", MASTER)) == 2
                            && size(RespClient.tryCall(sentinel, "SENTINEL", "REPLICAS", MASTER)) == 1);
        }
    }

    private void startDataNode(int port, List<String> extra) {
        List<String> command = new ArrayList<>(List.of(binary.toString(),
                "--bind", "127.0.0.1",
                "--port", Integer.toString(port),
                "--save", "",
                "--appendonly", "no",
                // Redis 7 syncs replicas diskless after a 5 s delay by default: the test would wait for nothing.
                "--repl-diskless-sync-delay", "0",
                "--dir", directory.toString(),
                "--daemonize", "no"));
        command.addAll(extra);
        startProcess(port, command);
        await("redis-server " + port + " to answer PING", STARTUP_TIMEOUT_MILLIS,
                () -> "PONG".equals(RespClient.tryCall(port, "PING")));
    }

    private synchronized void startProcess(int port, List<String> command) {
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(directory.resolve(port + ".log").toFile()));
        try {
            processes.put(port, builder.start());
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + binary + ": " + e.getMessage(), e);
        }
    }

    private synchronized void kill(int port) {
        Process p = processes.remove(port);
        if (p == null) {
            return;
        }
        p.destroyForcibly();
        try {
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                throw new IllegalStateException("redis-server " + p.pid() + " did not die after SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private synchronized void killAll() {
        for (Integer port : new ArrayList<>(processes.keySet())) {
            kill(port);
        }
    }

    private void await(String what, long timeoutMillis, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return;
            }
            synchronized (this) {
                for (Map.Entry<Integer, Process> e : processes.entrySet()) {
                    if (!e.getValue().isAlive()) {
                        throw new IllegalStateException("the process on port " + e.getKey() + " exited with "
                                + e.getValue().exitValue() + " while waiting for " + what + "; log:\n"
                                + logTail(e.getKey()));
                    }
                }
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + what, e);
            }
        }
        throw new IllegalStateException("timed out after " + timeoutMillis + " ms waiting for " + what);
    }

    private String logTail(int port) {
        try {
            List<String> lines = Files.readAllLines(directory.resolve(port + ".log"), StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static int size(Object reply) {
        return reply instanceof List<?> list ? list.size() : -1;
    }

    private static void expectOk(Object reply) {
        if (!"OK".equals(reply)) {
            throw new IllegalStateException("expected OK, got " + reply);
        }
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static int freePort() {
        return LoopbackPorts.free();
    }

    @Override
    public String toString() {
        return "redis sentinel group " + MASTER + " via " + sentinels();
    }
}
