package dev.sqlcache.bench.throughput;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A pgpool-II of the harness's own: raw mode in front of one PostgreSQL server, its in-memory query cache on
 * (shared memory, automatic invalidation), listening on a free loopback port, with configuration, sockets, pid
 * file and log in a temporary directory. Stopped with a fast shutdown on {@link #close()} or when the JVM exits.
 * The binary is {@code $PGPOOL}, else {@code pgpool} from Debian's {@code pgpool2} package.
 */
final class PrivatePgpool implements AutoCloseable {
    private static final long START_TIMEOUT_MILLIS = 20_000;
    private static final long STOP_TIMEOUT_SECONDS = 20;

    final int port;
    private final String binary;
    private final Path dir;
    private final Process process;
    private final Thread shutdownHook;

    private PrivatePgpool(int port, String binary, Path dir, Process process) {
        this.port = port;
        this.binary = binary;
        this.dir = dir;
        this.process = process;
        this.shutdownHook = new Thread(this::stop, "private-pgpool-stopper");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * @param children pgpool's {@code num_init_children}: at least the client connections plus the harness's own
     */
    static PrivatePgpool start(String backendHost, int backendPort, int children)
            throws IOException, InterruptedException {
        String binary = binary();
        Path dir = Files.createTempDirectory("sqlcache-bench-pgpool");
        Files.createDirectories(dir.resolve("oiddir"));
        int port = freePort();
        Path conf = dir.resolve("pgpool.conf");
        Files.writeString(conf, String.join("\n",
                "backend_clustering_mode = 'raw'",
                "listen_addresses = '127.0.0.1'",
                "port = " + port,
                "unix_socket_directories = '" + dir + "'",
                // PCP (pgpool's admin protocol) is not used: a Unix socket in the temp directory only.
                "pcp_listen_addresses = ''",
                "pcp_port = " + freePort(),
                "pcp_socket_dir = '" + dir + "'",
                "wd_ipc_socket_dir = '" + dir + "'",
                "pid_file_name = '" + dir.resolve("pgpool.pid") + "'",
                "logdir = '" + dir + "'",
                "backend_hostname0 = '" + backendHost + "'",
                "backend_port0 = " + backendPort,
                "backend_weight0 = 1",
                "backend_flag0 = 'DISALLOW_TO_FAILOVER'",
                "enable_pool_hba = off",
                "num_init_children = " + children,
                "max_pool = 1",
                "sr_check_period = 0",
                "health_check_period = 0",
                "failover_on_backend_error = off",
                "load_balance_mode = off",
                "memory_cache_enabled = on",
                "memqcache_method = 'shmem'",
                "memqcache_auto_cache_invalidation = on",
                "memqcache_total_size = 64MB",
                "memqcache_oiddir = '" + dir.resolve("oiddir") + "'",
                ""));
        Files.writeString(dir.resolve("pcp.conf"), "");
        Files.writeString(dir.resolve("pool_hba.conf"), "");
        Path log = dir.resolve("pgpool.log");
        Process process = new ProcessBuilder(binary, "-n", "-f", conf.toString(),
                "-F", dir.resolve("pcp.conf").toString(), "-a", dir.resolve("pool_hba.conf").toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        PrivatePgpool pgpool = new PrivatePgpool(port, binary, dir, process);
        long deadline = System.currentTimeMillis() + START_TIMEOUT_MILLIS;
        while (System.currentTimeMillis() < deadline && process.isAlive()) {
            if (Files.readString(log).contains("successfully started") && accepts(port)) {
                return pgpool;
            }
            Thread.sleep(50);
        }
        String output = Files.readString(log);
        pgpool.close();
        throw new IOException("pgpool did not start on port " + port + "; its log:\n" + output);
    }

    /** pgpool's binary, or an explanation of how to install it. */
    static String binary() throws IOException {
        String configured = System.getenv("PGPOOL");
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        for (String dir : List.of("/usr/sbin", "/usr/bin", "/usr/local/bin", "/usr/local/sbin")) {
            if (Files.isExecutable(Path.of(dir, "pgpool"))) {
                return dir + "/pgpool";
            }
        }
        throw new IOException("pgpool-II is not installed: apt-get install pgpool2 (benchmarks/throughput.sh does),"
                + " or set PGPOOL to its binary");
    }

    /** pgpool's log so far, for a report of what went wrong. */
    String log() {
        try {
            return Files.readString(dir.resolve("pgpool.log"));
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Fast shutdown through pgpool's own stop command (its children exit with it); if that does not end it in
     * time, its processes are killed, children first, so that none is left holding the port or shared memory.
     */
    private void stop() {
        if (process.isAlive()) {
            try {
                Process stop = new ProcessBuilder(binary, "-f", dir.resolve("pgpool.conf").toString(), "-m", "fast",
                        "stop").redirectErrorStream(true).redirectOutput(dir.resolve("stop.log").toFile()).start();
                stop.waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                stop.destroyForcibly();
                process.waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (IOException e) {
                // fall through to killing it
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (process.isAlive()) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }

    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook runs anyway
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // a temp directory left behind is harmless
        }
    }
}
