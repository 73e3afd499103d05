package dev.sqlcache.driver;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * An outside writer (a plain JDBC connection, and optionally {@code psql}) that commits a new value of one row every
 * 100 ms, and readers through sqlcache whose answers are checked against the commits' times: a read returning value
 * {@code v} when {@code v + 1} was committed more than {@code maxLag} (plus scheduling slack) before the read started
 * is a violation of the change feed's bound. Table {@code feed_probe(id, v)} with the row {@code (1, 0)}. This JVM's
 * own reader is {@link #step}'s; another JVM's reads are judged through {@link #reader}.
 */
final class OutsideWriterProbe implements AutoCloseable {

    private static final long WRITE_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    static final String READ = "select v from feed_probe where id = 1";

    private Connection cached;
    private PreparedStatement read;
    private PreparedStatement write;
    private final long boundMillis;
    /**
     * Value i was committed at committedAt.get(i), on this JVM's clock: taken once the commit returned, so never
     * before the real commit, and a read judged late against it was late against the commit too.
     */
    private final List<Long> committedAt = new ArrayList<>();
    private final Reads local = reader("this JVM");
    private long nextWrite = System.nanoTime();
    private List<String> psql;
    private int psqlEvery;

    OutsideWriterProbe(Connection direct, Connection cached, long boundMillis) throws SQLException {
        this.boundMillis = boundMillis;
        committedAt.add(System.nanoTime());
        reconnect(direct, cached);
    }

    /**
     * Goes on over new connections (the old ones were cut: the database restarted), keeping the commits' history.
     * Call it between steps only, so that no write's outcome is unknown.
     */
    void reconnect(Connection direct, Connection cached) throws SQLException {
        this.cached = cached;
        this.read = cached.prepareStatement(READ);
        this.write = direct.prepareStatement("update feed_probe set v = ? where id = 1");
    }

    /** Makes every {@code every}-th write through {@code psql} to that server and database instead. */
    void alsoWriteWithPsql(int every, String host, int port, String database) {
        this.psqlEvery = every;
        this.psql = List.of("psql", "-h", host, "-p", Integer.toString(port), "-U", "postgres", "-d", database,
                "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c");
    }

    static void createTable(Connection direct) throws SQLException {
        try (var s = direct.createStatement()) {
            s.execute("drop table if exists feed_probe");
            s.execute("create table feed_probe (id int primary key, v bigint)");
            s.execute("insert into feed_probe values (1, 0)");
        }
    }

    /**
     * Writes when a write is due, then reads once through this JVM's connection and checks the answer.
     *
     * @return whether the read was served from the cache
     */
    boolean step() throws Exception {
        long now = System.nanoTime();
        if (now >= nextWrite) {
            int value = committedAt.size();
            if (psql != null && value % psqlEvery == 0) {
                writeWithPsql(value);
            } else {
                write.setLong(1, value);
                write.executeUpdate();
            }
            committedAt.add(System.nanoTime());
            nextWrite = now + WRITE_EVERY_NANOS;
        }
        long readStarted = System.nanoTime();
        long hits = cached.unwrap(SqlCacheConnection.class).statistics().hits();
        long value;
        try (ResultSet rs = read.executeQuery()) {
            rs.next();
            value = rs.getLong(1);
        }
        boolean hit = cached.unwrap(SqlCacheConnection.class).statistics().hits() > hits;
        local.check(value, readStarted, System.nanoTime(), hit);
        return hit;
    }

    private void writeWithPsql(int value) throws Exception {
        List<String> command = new ArrayList<>(psql);
        command.add("update feed_probe set v = " + value + " where id = 1");
        Process process = new ProcessBuilder(command).inheritIO().start();
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            fail("psql did not commit " + value);
        }
    }

    /** The reads of one JVM, judged as they are reported. */
    Reads reader(String who) {
        return new Reads(who);
    }

    /** This JVM's reads (made by {@link #step}): how long after its commit each value was first read. */
    String summary() {
        return local.summary();
    }

    /**
     * One JVM's reads: each is judged against the commits this probe made, and how long after its commit each value
     * was first read is kept for the summary. Times are {@link System#nanoTime()}, which on Linux is the machine's
     * monotonic clock, the same in every JVM on it.
     */
    final class Reads {
        private final String who;
        private final List<Long> firstSeenAfter = new ArrayList<>();
        private long lastSeen = 0;

        private Reads(String who) {
            this.who = who;
        }

        /** Fails when the answer was never committed, or was older than the bound when the read started. */
        void check(long value, long readStarted, long readEnded, boolean hit) {
            if (value < 0 || value >= committedAt.size()) {
                fail(who + " read " + value + ", which was never committed (hit: " + hit + ")");
            }
            if (value + 1 < committedAt.size()) {
                long late = TimeUnit.NANOSECONDS.toMillis(readStarted - committedAt.get((int) value + 1));
                if (late > boundMillis) {
                    fail(who + " read " + value + " " + late + " ms after " + (value + 1) + " was committed (hit: "
                            + hit + ")");
                }
            }
            if (value != lastSeen) {
                firstSeenAfter.add(TimeUnit.NANOSECONDS.toMillis(readEnded - committedAt.get((int) value)));
                lastSeen = value;
            }
        }

        /** How long after its commit each value was first read: count, p50, p99, max. */
        String summary() {
            List<Long> sorted = new ArrayList<>(firstSeenAfter);
            Collections.sort(sorted);
            if (sorted.isEmpty()) {
                return who + ": no value seen";
            }
            return who + ": " + sorted.size() + " values seen, first read after its commit: p50 "
                    + sorted.get(sorted.size() / 2) + " ms, p99 " + sorted.get(sorted.size() * 99 / 100)
                    + " ms, max " + sorted.get(sorted.size() - 1) + " ms";
        }
    }

    @Override
    public void close() throws SQLException {
        read.close();
        write.close();
    }
}
