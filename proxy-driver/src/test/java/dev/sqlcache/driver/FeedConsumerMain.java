package dev.sqlcache.driver;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Properties;
import java.util.function.LongConsumer;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Forked ({@link ChildJvm}) by the change feed's fault tests: a JVM that reads {@code feed_probe} through sqlcache
 * and so runs the change feed (its first connection starts it), with the tests' settings, the Redis at the port given
 * first and the sqlcache URL given second. It prints {@code consuming <System.nanoTime()>} once a read is served from
 * the cache (a feed has applied a heartbeat), then goes on reading every 10 ms until killed and prints each read as
 * {@code read <value> <started> <ended> <hit>} (nanoTime) for the parent to judge. A connection the database cut is
 * replaced, so that it reads on across a database restart. A test starts one with {@link #startReporting} and judges
 * its reads with {@link #judge}.
 */
public final class FeedConsumerMain {

    private FeedConsumerMain() {
    }

    /**
     * Starts one and returns once it is served from the cache. Its reads are then judged
     * by {@link #judge} against this JVM's commit times, so its clock must be this JVM's: checked here.
     */
    static ChildJvm startReporting(int redisPort, String cachedUrl) throws Exception {
        long launched = System.nanoTime();
        ChildJvm child = ChildJvm.start(FeedConsumerMain.class, Integer.toString(redisPort), cachedUrl);
        try {
            String consuming = child.awaitLine("consuming");
            assertNotNull(consuming, "the child is served from the cache");
            long childClock = Long.parseLong(consuming.split(" ")[1]);
            assertTrue(launched < childClock && childClock < System.nanoTime(), "the child's System.nanoTime() is "
                    + "this JVM's clock, so that its reads can be judged against this JVM's commit times");
            child.follow();
            return child;
        } catch (Throwable e) {
            child.close();
            throw e;
        }
    }

    /**
     * Judges the reads the child reported since the last call, prints its other lines, and tells {@code hitStarted}
     * when each read served from the cache started.
     */
    static void judge(ChildJvm child, OutsideWriterProbe.Reads reads, LongConsumer hitStarted) {
        for (String line; (line = child.poll()) != null; ) {
            String[] read = line.split(" ");
            if (!read[0].equals("read")) {
                System.out.println("child: " + line);
                continue;
            }
            long started = Long.parseLong(read[2]);
            boolean hit = Boolean.parseBoolean(read[4]);
            reads.check(Long.parseLong(read[1]), started, Long.parseLong(read[3]), hit);
            if (hit) {
                hitStarted.accept(started);
            }
        }
    }

    public static void main(String[] args) throws Exception {
        Properties p = ChangeFeedFaultTest.settings(Integer.parseInt(args[0]));
        p.setProperty("user", "postgres");
        String url = args[1];
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
