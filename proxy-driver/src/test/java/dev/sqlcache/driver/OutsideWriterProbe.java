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
 * An outside writer (a plain JDBC connection) that commits a new value of one row every 100 ms, and a reader
 * through sqlcache that checks each answer against the commits' times: a read returning value {@code v} when
 * {@code v + 1} was committed more than {@code maxLag} (plus scheduling slack) before the read started is a
 * violation of the change feed's bound. Table {@code feed_probe(id, v)} with the row {@code (1, 0)}.
 */
final class OutsideWriterProbe implements AutoCloseable {

    private static final long WRITE_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private Connection cached;
    private PreparedStatement read;
    private PreparedStatement write;
    private final long boundMillis;
    /** Value i was committed at committedAt.get(i), on this JVM's clock. */
    private final List<Long> committedAt = new ArrayList<>();
    private final List<Long> firstSeenAfter = new ArrayList<>();
    private long nextWrite = System.nanoTime();
    private long lastSeen = 0;

    OutsideWriterProbe(Connection direct, Connection cached, long boundMillis) throws SQLException {
        this.cached = cached;
        this.read = cached.prepareStatement("select v from feed_probe where id = 1");
        this.write = direct.prepareStatement("update feed_probe set v = ? where id = 1");
        this.boundMillis = boundMillis;
        committedAt.add(System.nanoTime());
    }

    /**
     * Goes on over new connections (the old ones were cut: the database restarted), keeping the commits' history.
     * Call it between steps only, so that no write's outcome is unknown.
     */
    void reconnect(Connection direct, Connection cached) throws SQLException {
        this.cached = cached;
        this.read = cached.prepareStatement("select v from feed_probe where id = 1");
        this.write = direct.prepareStatement("update feed_probe set v = ? where id = 1");
    }

    static void createTable(Connection direct) throws SQLException {
        try (var s = direct.createStatement()) {
            s.execute("drop table if exists feed_probe");
            s.execute("create table feed_probe (id int primary key, v bigint)");
            s.execute("insert into feed_probe values (1, 0)");
        }
    }

    /**
     * Writes when a write is due, then reads once and checks the answer.
     *
     * @return whether the read was served from the cache
     */
    boolean step() throws SQLException {
        long now = System.nanoTime();
        if (now >= nextWrite) {
            write.setLong(1, committedAt.size());
            write.executeUpdate();
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
        if (value + 1 < committedAt.size()) {
            long late = TimeUnit.NANOSECONDS.toMillis(readStarted - committedAt.get((int) value + 1));
            if (late > boundMillis) {
                fail("read " + value + " " + late + " ms after " + (value + 1) + " was committed (hit: " + hit + ")");
            }
        }
        if (value != lastSeen) {
            firstSeenAfter.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - committedAt.get((int) value)));
            lastSeen = value;
        }
        return hit;
    }

    /** How long after its commit each value was first read: count, p50, p99, max. */
    String summary() {
        List<Long> sorted = new ArrayList<>(firstSeenAfter);
        Collections.sort(sorted);
        if (sorted.isEmpty()) {
            return "no value seen";
        }
        return sorted.size() + " values seen, first read after its commit: p50 " + sorted.get(sorted.size() / 2)
                + " ms, p99 " + sorted.get(sorted.size() * 99 / 100) + " ms, max " + sorted.get(sorted.size() - 1)
                + " ms";
    }

    @Override
    public void close() throws SQLException {
        read.close();
        write.close();
    }
}
