package dev.sqlcache.driver;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A PostgreSQL 15 cluster of the test's own (initdb into a temporary directory, {@code wal_level = logical}, a free
 * loopback port), which a test may restart: the machine's shared server must never be. initdb refuses to run as
 * root, so as root the cluster is made and run by the {@code postgres} OS user (through {@code runuser}). Skipped
 * (an assumption) only when PostgreSQL 15's binaries are not installed.
 */
final class PrivatePostgres implements AutoCloseable {

    private static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");

    private final Path directory;
    private final Path data;
    private final int port;
    private final boolean asPostgresUser;

    private PrivatePostgres(Path directory, int port, boolean asPostgresUser) {
        this.directory = directory;
        this.data = directory.resolve("data");
        this.port = port;
        this.asPostgresUser = asPostgresUser;
    }

    /** Makes the cluster and starts it. */
    static PrivatePostgres start() throws Exception {
        assumeTrue(Files.isExecutable(BIN.resolve("initdb")), "PostgreSQL 15's initdb is not installed at " + BIN);
        boolean root = "root".equals(System.getProperty("user.name"));
        Path directory = Files.createTempDirectory("sqlcache-pg");
        PrivatePostgres postgres = new PrivatePostgres(directory, freePort(), root);
        if (root) {
            run(List.of("chown", "postgres", directory.toString()));
        }
        postgres.as(BIN.resolve("initdb").toString(), "-D", postgres.data.toString(), "-U", "postgres", "-A", "trust",
                "--no-sync", "-E", "UTF8", "--locale=C");
        postgres.pgCtl("start", "fast");
        return postgres;
    }

    /** The real driver's URL of its {@code postgres} database. */
    String url() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    Connection direct() throws SQLException {
        return DriverManager.getConnection(url() + "?user=postgres");
    }

    int port() {
        return port;
    }

    /**
     * Stops the server and starts it again. Fast: sessions are cut and a shutdown checkpoint is written, as an
     * operator's restart does. Immediate: the server exits at once, as in a crash, and recovers from WAL on start; a
     * replication slot comes back at the position its last checkpoint saved, which may be older than the one its
     * consumer confirmed.
     */
    void restart(boolean immediate) throws Exception {
        pgCtl("stop", immediate ? "immediate" : "fast");
        pgCtl("start", "fast");
    }

    private void pgCtl(String action, String mode) throws Exception {
        List<String> command = new ArrayList<>(List.of(BIN.resolve("pg_ctl").toString(), "-D", data.toString(),
                "-l", directory.resolve("log").toString(), "-w", "-t", "30", "-m", mode));
        if (action.equals("start")) {
            command.addAll(List.of("-o", "-p " + port + " -k " + directory + " -c listen_addresses=127.0.0.1"
                    + " -c wal_level=logical -c max_wal_senders=4 -c max_replication_slots=4 -c fsync=off"
                    + " -c shared_buffers=16MB"));
        }
        command.add(action);
        as(command.toArray(String[]::new));
    }

    private void as(String... command) throws Exception {
        List<String> full = new ArrayList<>();
        if (asPostgresUser) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(List.of(command));
        run(full);
    }

    private static void run(List<String> command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("timed out: " + command);
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException("failed (" + process.exitValue() + "): " + command);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Stops the server at once and deletes its files. */
    @Override
    public void close() throws IOException {
        try {
            List<String> stop = new ArrayList<>(List.of(BIN.resolve("pg_ctl").toString(), "-D", data.toString(),
                    "-w", "-t", "30", "-m", "immediate", "stop"));
            if (asPostgresUser) {
                stop.addAll(0, List.of("runuser", "-u", "postgres", "--"));
            }
            Process process = new ProcessBuilder(stop).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            process.waitFor(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            try (Stream<Path> files = Files.walk(directory)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }
}
