package dev.sqlcache.driver;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Properties;

/**
 * Forked ({@link ChildJvm}) by the change feed's fault tests: a JVM that reads {@code feed_probe} through sqlcache
 * and so runs the change feed (its first connection starts it), with the tests' settings and the Redis at the port
 * given first. It prints {@code consuming <System.nanoTime()>} once a read is served from the cache (a feed has applied
 * a heartbeat), then either waits to be killed or, with {@code report}, goes on reading and prints each read as
 * {@code read <value> <started> <ended> <hit>} (nanoTime) for the parent to judge. Arguments: the Redis port, then
 * optionally the sqlcache URL (else the test database's) and {@code report}. A connection the database cut is
 * replaced, so that it reads on across a database restart.
 */
public final class FeedConsumerMain {

    private FeedConsumerMain() {
    }

    public static void main(String[] args) throws Exception {
        Properties p = ChangeFeedFaultTest.settings(Integer.parseInt(args[0]));
        p.setProperty("user", "postgres");
        String url = args.length > 1 ? args[1] : TestDatabase.POSTGRES.cachedUrl();
        boolean report = args.length > 2 && args[2].equals("report");
        long deadline = System.nanoTime() + 30_000_000_000L;
        boolean consuming = false;
        boolean down = false;
        Connection c = null;
        while (consuming || System.nanoTime() < deadline) {
            try {
                if (c == null) {
                    c = DriverManager.getConnection(url, p);
                }
                long hits = c.unwrap(SqlCacheConnection.class).statistics().hits();
                long started = System.nanoTime();
                long value;
                try (PreparedStatement read = c.prepareStatement(OutsideWriterProbe.READ);
                     ResultSet rs = read.executeQuery()) {
                    rs.next();
                    value = rs.getLong(1);
                }
                long ended = System.nanoTime();
                boolean hit = c.unwrap(SqlCacheConnection.class).statistics().hits() > hits;
                if (hit && !consuming) {
                    System.out.println("consuming " + System.nanoTime());
                    System.out.flush();
                    consuming = true;
                    if (!report) {
                        Thread.sleep(Long.MAX_VALUE);
                    }
                }
                if (consuming) {
                    System.out.println("read " + value + " " + started + " " + ended + " " + hit);
                    System.out.flush();
                }
                down = false;
            } catch (SQLException e) {
                if (!down) {
                    System.out.println("database down: " + e.getSQLState());
                    down = true;
                }
                // The database restarted (or is down): a new connection once it is back.
                close(c);
                c = null;
            }
            Thread.sleep(consuming ? 10 : 50);
        }
        System.out.println("never served from the cache");
        System.exit(1);
    }

    private static void close(Connection c) {
        try {
            if (c != null) {
                c.close();
            }
        } catch (SQLException e) {
            // Already cut.
        }
    }
}
