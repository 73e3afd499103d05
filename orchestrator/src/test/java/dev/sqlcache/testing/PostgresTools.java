package dev.sqlcache.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The Debian PostgreSQL binaries ({@code /usr/lib/postgresql/15/bin}, or {@code CACHETEST_PG_BIN}) run on servers of
 * a test's own, each a data directory named for it under one temporary directory: what {@link PostgresPair} (a
 * primary and its replica) and proxy-driver's {@code PrivatePostgres} (one server with logical decoding) share.
 * initdb refuses to run as root, so as root every command runs as the {@code postgres} OS user (through
 * {@code runuser}) in a directory it owns. Skipped (an assumption) only when a binary is missing.
 */
public final class PostgresTools {

    private static final Path BIN = Path.of(System.getenv().getOrDefault("CACHETEST_PG_BIN",
            "/usr/lib/postgresql/15/bin"));
    /** How long one pg_ctl or pg_basebackup may take before the fixture gives up. */
    public static final long COMMAND_SECONDS = 60;

    private final Path directory;
    private final boolean asPostgresUser;

    private PostgresTools(Path directory, boolean asPostgresUser) {
        this.directory = directory;
        this.asPostgresUser = asPostgresUser;
    }

    /** A fresh temporary directory for servers run with {@code tools} (skipped if one is not installed). */
    public static PostgresTools inTemporaryDirectory(String prefix, String... tools) throws Exception {
        for (String tool : tools) {
            assumeTrue(Files.isExecutable(BIN.resolve(tool)), "PostgreSQL's " + tool + " is not installed in " + BIN);
        }
        boolean root = "root".equals(System.getProperty("user.name"));
        // Under /tmp rather than java.io.tmpdir: the postgres user must be able to reach it.
        Path directory = Files.createTempDirectory(Path.of("/tmp"), prefix);
        if (root) {
            run(List.of("chown", "postgres", directory.toString()));
        }
        return new PostgresTools(directory, root);
    }

    public Path directory() {
        return directory;
    }

    /** The data directory of {@code server}. */
    public Path data(String server) {
        return directory.resolve(server);
    }

    /** A cluster for {@code server}: user postgres, trust, UTF8, C locale, not synced to disk. */
    public void initdb(String server) throws Exception {
        as(tool("initdb"), "-D", data(server).toString(), "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8",
                "--locale=C");
    }

    /**
     * {@code pg_ctl action} on {@code server}, waiting for it; a start listens on 127.0.0.1:{@code port} with its
     * socket in the directory, {@code fsync=off} (nothing here survives a machine crash, and nothing needs to), 16 MB
     * of shared buffers and the {@code -c} options given.
     */
    public void pgCtl(String server, int port, String action, String mode, String startOptions) throws Exception {
        List<String> command = new ArrayList<>(List.of(tool("pg_ctl"), "-D", data(server).toString(),
                "-l", directory.resolve(server + ".log").toString(), "-w", "-t", Long.toString(COMMAND_SECONDS),
                "-m", mode));
        if (action.equals("start")) {
            command.addAll(List.of("-o", "-p " + port + " -k " + directory + " -c listen_addresses=127.0.0.1"
                    + " -c fsync=off -c shared_buffers=16MB " + startOptions));
        }
        command.add(action);
        as(command.toArray(String[]::new));
    }

    /** The path of one of the binaries. */
    public String tool(String name) {
        return BIN.resolve(name).toString();
    }

    /** Runs {@code command} as the servers' OS user; throws if it fails or outlasts {@link #COMMAND_SECONDS}. */
    public void as(String... command) throws Exception {
        List<String> full = new ArrayList<>();
        if (asPostgresUser) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(List.of(command));
        run(full);
    }

    /**
     * Stops each of {@code servers} still running at once (immediate: no checkpoint), ignoring a failure, then
     * deletes the directory: for {@code close}, which must leave nothing behind whatever state a test left.
     */
    public void stopAndDelete(String... servers) throws IOException {
        try {
            for (String server : servers) {
                if (!Files.exists(data(server).resolve("postmaster.pid"))) {
                    continue;
                }
                List<String> stop = new ArrayList<>(List.of(tool("pg_ctl"), "-D", data(server).toString(), "-w",
                        "-t", Long.toString(COMMAND_SECONDS), "-m", "immediate", "stop"));
                if (asPostgresUser) {
                    stop.addAll(0, List.of("runuser", "-u", "postgres", "--"));
                }
                Process process = new ProcessBuilder(stop).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                process.waitFor(COMMAND_SECONDS + 10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            try (Stream<Path> files = Files.walk(directory)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    private static void run(List<String> command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!process.waitFor(COMMAND_SECONDS + 10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("timed out: " + command);
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException("failed (" + process.exitValue() + "): " + command);
        }
    }

    /** A loopback port free now. */
    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
