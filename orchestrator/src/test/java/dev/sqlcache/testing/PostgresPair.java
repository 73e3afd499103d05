package dev.sqlcache.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A real PostgreSQL primary and its streaming replica, of the test's own, on free loopback ports: a test may promote
 * the replica and stop or restart the primary, which the machine's shared server must never suffer. Made from the
 * Debian binaries ({@code initdb}, {@code pg_ctl}, {@code pg_basebackup} in {@code /usr/lib/postgresql/15/bin}, or
 * {@code CACHETEST_PG_BIN}) through {@link PostgresTools} (as the {@code postgres} OS user when root). Skipped (an
 * assumption) only when the binaries are missing; {@code .ci/run} makes sure they are not.
 *
 * <p>Startup: initdb (about 4 s on the shared 2-core machine, most of it the template databases), the primary's
 * start, a base backup of a fresh cluster with {@code --no-sync} (under 1 s) and the replica's start: 8–15 s in all (load 17–30).
 * Both run with {@code fsync=off}: nothing here survives a machine crash, and nothing needs to.
 */
public final class PostgresPair implements AutoCloseable {

    private final PostgresTools tools;
    /**
     * Stops both servers if the JVM ends without {@link #close} (a surefire timeout, Ctrl-C, a test calling
     * System.exit): pg_ctl starts them as daemons of their own, which outlive the JVM, and on a shared machine would
     * go on holding their ports, memory and files for good.
     */
    private final Thread stopAtExit = new Thread(this::closeQuietly, "sqlcache-pgpair-stop");
    private final int primaryPort;
    private final int replicaPort;
    private static final String SECOND_REPLICA = "replica2";
    /** The port of {@link #startSecondReplica}'s server, once started. */
    private int secondReplicaPort;

    private PostgresPair(PostgresTools tools, int primaryPort, int replicaPort) {
        this.tools = tools;
        this.primaryPort = primaryPort;
        this.replicaPort = replicaPort;
    }

    /** Makes the primary, starts it, clones it into a streaming replica and starts that. */
    public static PostgresPair start() throws Exception {
        PostgresTools tools = PostgresTools.inTemporaryDirectory("sqlcache-pgpair", "initdb", "pg_ctl",
                "pg_basebackup");
        PostgresPair pair = new PostgresPair(tools, PostgresTools.freePort(), PostgresTools.freePort());
        Runtime.getRuntime().addShutdownHook(pair.stopAtExit);
        try {
            tools.initdb("primary");
            pair.pgCtl("primary", pair.primaryPort, "start", "fast");
            // -R writes the replica's primary_conninfo and standby.signal; -X stream copies the WAL the backup needs.
            tools.as(tools.tool("pg_basebackup"), "-h", "127.0.0.1", "-p", Integer.toString(pair.primaryPort),
                    "-U", "postgres", "-D", tools.data("replica").toString(), "-R", "-X", "stream", "-c", "fast",
                    "--no-sync");
            pair.pgCtl("replica", pair.replicaPort, "start", "fast");
            return pair;
        } catch (Exception | Error e) {
            pair.close();
            throw e;
        }
    }

    /**
     * Clones the primary into a second streaming replica and starts it (a sibling of the first, made on demand:
     * 2–4 s more); returns its URL. Promoted too ({@link #promoteSecondReplica}), it takes the same next timeline
     * number as the first, each having seen no history file of the other.
     */
    public String startSecondReplica() throws Exception {
        secondReplicaPort = PostgresTools.freePort();
        tools.as(tools.tool("pg_basebackup"), "-h", "127.0.0.1", "-p", Integer.toString(primaryPort),
                "-U", "postgres", "-D", tools.data(SECOND_REPLICA).toString(), "-R", "-X", "stream", "-c", "fast",
                "--no-sync");
        pgCtl(SECOND_REPLICA, secondReplicaPort, "start", "fast");
        return url(secondReplicaPort);
    }

    /**
     * {@link #startSecondReplica}, but on the first replica's port number, listening on 127.0.0.2 and with its Unix
     * socket in a directory of its own: reached through their sockets, both servers see their sessions arrive at
     * "no address" on the same port, as servers on two hosts do when each is reached through a local socket (a
     * connection pooler beside each server). Returns the socket URLs, the first replica's then this one's.
     */
    public String[] startSecondReplicaOnTheReplicasPort() throws Exception {
        secondReplicaPort = replicaPort;
        Path sockets = tools.directory().resolve("sockets2");
        tools.as("mkdir", "-p", sockets.toString());
        tools.as(tools.tool("pg_basebackup"), "-h", "127.0.0.1", "-p", Integer.toString(primaryPort),
                "-U", "postgres", "-D", tools.data(SECOND_REPLICA).toString(), "-R", "-X", "stream", "-c", "fast",
                "--no-sync");
        tools.pgCtl(SECOND_REPLICA, replicaPort, "start", "fast", "-c max_connections=40"
                + " -c listen_addresses=127.0.0.2 -c unix_socket_directories=" + sockets);
        return new String[] {socketUrl(tools.directory(), replicaPort), socketUrl(sockets, replicaPort)};
    }

    /** pgjdbc over the Unix socket in {@code directory} (junixsocket's socket factory). */
    private static String socketUrl(Path directory, int port) {
        return "jdbc:postgresql://localhost/postgres?user=postgres&socketFactory="
                + "org.newsclub.net.unix.AFUNIXSocketFactory$FactoryArg&socketFactoryArg="
                + directory.resolve(".s.PGSQL." + port);
    }

    /** {@link #promote} for the second replica. */
    public void promoteSecondReplica() throws Exception {
        tools.as(tools.tool("pg_ctl"), "-D", tools.data(SECOND_REPLICA).toString(), "-w", "-t",
                Long.toString(PostgresTools.COMMAND_SECONDS), "promote");
    }

    /** Where both servers' files are (for a test that must clean up after a JVM that did not). */
    Path directory() {
        return tools.directory();
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
        tools.as(tools.tool("pg_ctl"), "-D", tools.data("replica").toString(), "-w", "-t",
                Long.toString(PostgresTools.COMMAND_SECONDS), "promote");
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

    private void pgCtl(String server, int port, String action, String mode) throws Exception {
        tools.pgCtl(server, port, action, mode, "-c max_connections=40");
    }

    private void closeQuietly() {
        try {
            close();
        } catch (IOException | RuntimeException e) {
            System.err.println("PostgresPair: could not stop or delete " + tools.directory() + ": " + e);
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
        tools.stopAndDelete(SECOND_REPLICA, "replica", "primary");
    }
}
