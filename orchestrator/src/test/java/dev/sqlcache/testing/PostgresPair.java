package dev.sqlcache.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real PostgreSQL primary and its streaming replica, of the test's own, on free loopback ports: a test may promote
 * the replica and stop or restart the primary, which the machine's shared server must never suffer. Made from the
 * Debian binaries ({@code initdb}, {@code pg_ctl}, {@code pg_basebackup} in {@code /usr/lib/postgresql/15/bin}, or
 * {@code CACHETEST_PG_BIN}); initdb refuses to run as root, so as root both servers are made and run by the
 * {@code postgres} OS user (through {@code runuser}) in a temporary directory it owns. Skipped (an assumption) only
 * when the binaries are missing; {@code .ci/run} makes sure they are not.
 *
 * <p>Startup: initdb (about 4 s on the shared 2-core machine, most of it the template databases), the primary's
 * start, a base backup of a fresh cluster with {@code --no-sync} (under 1 s) and the replica's start: 8–15 s in all (load 17–30).
 * Both run with {@code fsync=off}: nothing here survives a machine crash, and nothing needs to.
 */
public final class PostgresPair implements AutoCloseable {

    private static final Path BIN = Path.of(System.getenv().getOrDefault("CACHETEST_PG_BIN",
            "/usr/lib/postgresql/15/bin"));
    /** How long one pg_ctl or pg_basebackup may take before the fixture gives up. */
    private static final long COMMAND_SECONDS = 60;

    private final Path directory;
    /**
     * Stops both servers if the JVM ends without {@link #close} (a surefire timeout, Ctrl-C, a test calling
     * System.exit): pg_ctl starts them as daemons of their own, which outlive the JVM, and on a shared machine would
     * go on holding their ports, memory and files for good.
     */
    private final Thread stopAtExit = new Thread(this::closeQuietly, "sqlcache-pgpair-stop");
    private final boolean asPostgresUser;
    private final int primaryPort;
    private final int replicaPort;

    private PostgresPair(Path directory, boolean asPostgresUser, int primaryPort, int replicaPort) {
        this.directory = directory;
        this.asPostgresUser = asPostgresUser;
        this.primaryPort = primaryPort;
        this.replicaPort = replicaPort;
    }

    /** Makes the primary, starts it, clones it into a streaming replica and starts that. */
    public static PostgresPair start() throws Exception {
        for (String tool : List.of("initdb", "pg_ctl", "pg_basebackup")) {
            assumeTrue(Files.isExecutable(BIN.resolve(tool)), "PostgreSQL's " + tool + " is not installed in " + BIN);
        }
        boolean root = "root".equals(System.getProperty("user.name"));
        // Under /tmp rather than java.io.tmpdir: the postgres user must be able to reach it.
        Path directory = Files.createTempDirectory(Path.of("/tmp"), "sqlcache-pgpair");
        PostgresPair pair = new PostgresPair(directory, root, freePort(), freePort());
        Runtime.getRuntime().addShutdownHook(pair.stopAtExit);
        try {
            if (root) {
                run(List.of("chown", "postgres", directory.toString()));
            }
            pair.as(BIN.resolve("initdb").toString(), "-D", pair.data("primary").toString(), "-U", "postgres",
                    "-A", "trust", "--no-sync", "-E", "UTF8", "--locale=C");
            pair.pgCtl("primary", pair.primaryPort, "start", "fast");
            // -R writes the replica's primary_conninfo and standby.signal; -X stream copies the WAL the backup needs.
            pair.as(BIN.resolve("pg_basebackup").toString(), "-h", "127.0.0.1", "-p",
                    Integer.toString(pair.primaryPort), "-U", "postgres", "-D", pair.data("replica").toString(), "-R",
                    "-X", "stream", "-c", "fast", "--no-sync");
            pair.pgCtl("replica", pair.replicaPort, "start", "fast");
            return pair;
        } catch (Exception | Error e) {
            pair.close();
            throw e;
        }
    }

    /** Where both servers' files are (for a test that must clean up after a JVM that did not). */
    Path directory() {
        return directory;
    }

    /** The real driver's URL of the primary's {@code postgres} database (user postgres, trust). */
    public String primaryUrl() {
        return url(primaryPort);
    }

    /** The real driver's URL of the replica's {@code postgres} database (user postgres, trust). */
    public String replicaUrl() {
        return url(replicaPort);
    }

    private static String url(int port) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres";
    }

    public Connection primary() throws SQLException {
        return DriverManager.getConnection(primaryUrl());
    }

    public Connection replica() throws SQLException {
        return DriverManager.getConnection(replicaUrl());
    }

    /**
     * Waits until the replica has replayed everything the primary wrote so far (bounded: 600 polls 50 ms apart,
     * then it fails), so that what a test wrote on the primary is on the replica when it is promoted.
     */
    public void awaitReplayed() throws Exception {
        String lsn;
        try (Connection c = primary(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_current_wal_lsn()")) {
            rs.next();
            lsn = rs.getString(1);
        }
        try (Connection c = replica(); Statement s = c.createStatement()) {
            for (int i = 0; i < 600; i++) {
                try (ResultSet rs = s.executeQuery("SELECT pg_last_wal_replay_lsn() >= '" + lsn + "'::pg_lsn")) {
                    if (rs.next() && rs.getBoolean(1)) {
                        return;
                    }
                }
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("the replica did not replay " + lsn);
    }

    /** Promotes the replica; returns once it is out of recovery and accepts writes ({@code pg_ctl promote -w}). */
    public void promote() throws Exception {
        as(BIN.resolve("pg_ctl").toString(), "-D", data("replica").toString(), "-w", "-t",
                Long.toString(COMMAND_SECONDS), "promote");
    }

    /** Stops the primary ({@code immediate}: at once, as a crash or a lost machine; else a fast shutdown). */
    public void stopPrimary(boolean immediate) throws Exception {
        pgCtl("primary", primaryPort, "stop", immediate ? "immediate" : "fast");
    }

    /** Restarts the primary (a fast shutdown: sessions cut, a shutdown checkpoint, as an operator's restart). */
    public void restartPrimary() throws Exception {
        pgCtl("primary", primaryPort, "stop", "fast");
        pgCtl("primary", primaryPort, "start", "fast");
    }

    private Path data(String server) {
        return directory.resolve(server);
    }

    private void pgCtl(String server, int port, String action, String mode) throws Exception {
        List<String> command = new ArrayList<>(List.of(BIN.resolve("pg_ctl").toString(), "-D", data(server).toString(),
                "-l", directory.resolve(server + ".log").toString(), "-w", "-t", Long.toString(COMMAND_SECONDS),
                "-m", mode));
        if (action.equals("start")) {
            command.addAll(List.of("-o", "-p " + port + " -k " + directory + " -c listen_addresses=127.0.0.1"
                    + " -c fsync=off -c shared_buffers=16MB -c max_connections=40"));
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
        if (!process.waitFor(COMMAND_SECONDS + 10, TimeUnit.SECONDS)) {
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

    private void closeQuietly() {
        try {
            close();
        } catch (IOException | RuntimeException e) {
            System.err.println("PostgresPair: could not stop or delete " + directory + ": " + e);
        }
    }

    /** Stops both servers at once (each may be stopped already) and deletes their files. */
    @Override
    public void close() throws IOException {
        try {
            Runtime.getRuntime().removeShutdownHook(stopAtExit);
        } catch (IllegalStateException shuttingDown) {
            // run by the hook itself, or the JVM is ending: stopped here all the same
        }
        try {
            for (String server : List.of("replica", "primary")) {
                if (!Files.exists(data(server).resolve("postmaster.pid"))) {
                    continue;
                }
                List<String> stop = new ArrayList<>(List.of(BIN.resolve("pg_ctl").toString(), "-D",
                        data(server).toString(), "-w", "-t", Long.toString(COMMAND_SECONDS), "-m", "immediate",
                        "stop"));
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
}
