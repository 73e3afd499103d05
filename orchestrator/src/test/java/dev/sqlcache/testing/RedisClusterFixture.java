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
 * ports, joined by {@code redis-cli --cluster create --cluster-yes}, no replicas unless a test adds one, no
 * persistence, a node timeout of 1 s. Every wait is
 * bounded; every process is killed on {@link #close()} and by a shutdown hook if a test forgets. Fails (never skips)
 * when redis-server or redis-cli is not installed.
 */
public final class RedisClusterFixture implements AutoCloseable {

    private static final long STARTUP_TIMEOUT_MILLIS = 20_000;

    private final Path directory;
    private final int[] ports = new int[3];
    /** By port: the masters' processes, and any replica's. */
    private final java.util.Map<Integer, Process> byPort = new java.util.concurrent.ConcurrentHashMap<>();
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

    /** The masters' ports, as created. */
    public int[] ports() {
        return ports.clone();
    }

    /** sqlcache settings reaching the cluster through all three masters as seed nodes. */
    public java.util.Map<String, String> properties() {
        StringBuilder nodes = new StringBuilder();
        for (int port : ports) {
            nodes.append(nodes.length() == 0 ? "" : ",").append("127.0.0.1:").append(port);
        }
        return java.util.Map.of("sqlcache.redis.cluster", nodes.toString());
    }

    /** The port of the node that serves {@code slot} as master now, asked of any live node; -1 if none says. */
    public int masterOf(int slot) {
        for (int port : byPort.keySet()) {
            Object reply = RespClient.tryCall(port, "CLUSTER", "SLOTS");
            if (!(reply instanceof List<?> ranges)) {
                continue;
            }
            for (Object range : ranges) {
                List<?> r = (List<?>) range;
                if (((Number) r.get(0)).longValue() <= slot && slot <= ((Number) r.get(1)).longValue()) {
                    return ((Number) ((List<?>) r.get(2)).get(1)).intValue();
                }
            }
        }
        return -1;
    }

    /** A command to one node. */
    public Object command(int port, String... arguments) {
        return RespClient.call(port, arguments);
    }

    /**
     * Starts a replica of the master at {@code masterPort} and waits until it has synchronised; returns its port.
     * One replica, not one per master: the machine the tests run on has two cores.
     */
    public int addReplicaOf(int masterPort) {
        Path binary = RedisServerFixture.findRedisServer();
        int port = RedisServerFixture.anyFreePort();
        Path dir = directory.resolve("node-" + port);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create " + dir + ": " + e.getMessage(), e);
        }
        byPort.put(port, start(nodeCommand(binary, port, dir), dir.resolve("redis.log")));
        await("node " + port + " to answer PING", () -> "PONG".equals(RespClient.tryCall(port, "PING")));
        String masterId = RespClient.call(masterPort, "CLUSTER", "MYID").toString();
        RespClient.call(port, "CLUSTER", "MEET", "127.0.0.1", Integer.toString(masterPort));
        await("node " + port + " to know its master", () -> {
            Object nodes = RespClient.tryCall(port, "CLUSTER", "NODES");
            return nodes != null && nodes.toString().contains(masterId);
        });
        await("node " + port + " to replicate " + masterPort, () ->
                "OK".equals(String.valueOf(RespClient.tryCall(port, "CLUSTER", "REPLICATE", masterId))));
        await("node " + port + " to finish its first sync", () -> {
            Object info = RespClient.tryCall(port, "INFO", "replication");
            return info != null && info.toString().contains("master_link_status:up");
        });
        return port;
    }

    /**
     * The replica stops receiving its master's writes (it authenticates as a user the master does not have, and its
     * link is dropped), but stays eligible for promotion however long ago it last synchronised: so a promotion
     * loses whatever the master acknowledged since.
     */
    public void cutReplication(int replica, int master) {
        RespClient.call(replica, "CONFIG", "SET", "cluster-replica-validity-factor", "0");
        RespClient.call(replica, "CONFIG", "SET", "masteruser", "no-such-user");
        RespClient.call(replica, "CONFIG", "SET", "masterauth", "not-the-password");
        RespClient.call(master, "CLIENT", "KILL", "TYPE", "replica");
        await("the replica's link to its master to go down", () -> {
            Object info = RespClient.tryCall(replica, "INFO", "replication");
            return info != null && info.toString().contains("master_link_status:down");
        });
    }

    /**
     * Moves {@code slot} from its master to the master at {@code targetPort} as {@code redis-cli --cluster reshard}
     * does, one slot only: importing/migrating states, {@code MIGRATE} of its keys in batches of
     * {@code batch} (a pause of {@code pauseMillis} between batches, so that clients meet the half-moved state),
     * then the slot assigned to the target on every master.
     */
    public void migrateSlot(int slot, int targetPort, int batch, long pauseMillis) {
        int source = masterOf(slot);
        String sourceId = RespClient.call(source, "CLUSTER", "MYID").toString();
        String targetId = RespClient.call(targetPort, "CLUSTER", "MYID").toString();
        String s = Integer.toString(slot);
        expectOk(RespClient.call(targetPort, "CLUSTER", "SETSLOT", s, "IMPORTING", sourceId));
        expectOk(RespClient.call(source, "CLUSTER", "SETSLOT", s, "MIGRATING", targetId));
        while (true) {
            List<?> keys = (List<?>) RespClient.call(source, "CLUSTER", "GETKEYSINSLOT", s, Integer.toString(batch));
            if (keys.isEmpty()) {
                break;
            }
            List<String> migrate = new ArrayList<>(List.of("MIGRATE", "127.0.0.1", Integer.toString(targetPort), "",
                    "0", "5000", "KEYS"));
            for (Object key : keys) {
                migrate.add(key.toString());
            }
            Object reply = RespClient.call(source, migrate.toArray(String[]::new));
            if (!"OK".equals(String.valueOf(reply)) && !"NOKEY".equals(String.valueOf(reply))) {
                throw new IllegalStateException("MIGRATE answered " + reply);
            }
            try {
                Thread.sleep(pauseMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
        expectOk(RespClient.call(targetPort, "CLUSTER", "SETSLOT", s, "NODE", targetId));
        expectOk(RespClient.call(source, "CLUSTER", "SETSLOT", s, "NODE", targetId));
        for (int port : ports) {
            if (port != targetPort && port != source) {
                expectOk(RespClient.call(port, "CLUSTER", "SETSLOT", s, "NODE", targetId));
            }
        }
    }

    private static void expectOk(Object reply) {
        if (!"OK".equals(String.valueOf(reply))) {
            throw new IllegalStateException("expected OK, got " + reply);
        }
    }

    /** {@code kill -9} of one node. */
    public void kill(int port) {
        Process p = byPort.remove(port);
        if (p == null) {
            throw new IllegalStateException("no node of this fixture on port " + port);
        }
        p.destroyForcibly();
        try {
            p.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits until a node other than {@code oldMaster} serves {@code slot}; returns its port. */
    public int awaitNewMaster(int slot, int oldMaster, long timeoutMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (System.nanoTime() < deadline) {
            int master = masterOf(slot);
            if (master > 0 && master != oldMaster) {
                return master;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
        throw new IllegalStateException("slot " + slot + " still on " + oldMaster + " after " + timeoutMillis + " ms");
    }

    private static List<String> nodeCommand(Path binary, int port, Path dir) {
        // A short node timeout: a killed master is failed over in about two seconds rather than fifteen.
        return List.of(binary.toString(), "--bind", "127.0.0.1", "--port", Integer.toString(port),
                "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "1000",
                "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--daemonize", "no");
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
            byPort.put(ports[i], start(nodeCommand(binary, ports[i], dir), dir.resolve("redis.log")));
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

    private synchronized Process start(List<String> command, Path log) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            processes.add(p);
            return p;
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
