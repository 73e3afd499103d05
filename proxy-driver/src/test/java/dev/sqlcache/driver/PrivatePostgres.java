package dev.sqlcache.driver;

import dev.sqlcache.testing.PostgresTools;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * A PostgreSQL 15 cluster of the test's own (initdb into a temporary directory, {@code wal_level = logical}, a free
 * loopback port), which a test may restart: the machine's shared server must never be. Made and run by
 * {@link PostgresTools} (as the {@code postgres} OS user when root). Skipped (an assumption) only when PostgreSQL 15's
 * binaries are not installed.
 */
final class PrivatePostgres implements AutoCloseable {

    private static final String SERVER = "data";

    private final PostgresTools tools;
    private final int port;

    private PrivatePostgres(PostgresTools tools, int port) {
        this.tools = tools;
        this.port = port;
    }

    /** Makes the cluster and starts it. */
    static PrivatePostgres start() throws Exception {
        PostgresTools tools = PostgresTools.inTemporaryDirectory("sqlcache-pg", "initdb", "pg_ctl");
        PrivatePostgres postgres = new PrivatePostgres(tools, PostgresTools.freePort());
        try {
            tools.initdb(SERVER);
            postgres.pgCtl("start", "fast");
            return postgres;
        } catch (Exception | Error e) {
            postgres.close();
            throw e;
        }
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
        tools.pgCtl(SERVER, port, action, mode, "-c wal_level=logical -c max_wal_senders=4 -c max_replication_slots=4");
    }

    /** Stops the server at once and deletes its files. */
    @Override
    public void close() throws IOException {
        tools.stopAndDelete(SERVER);
    }
}
