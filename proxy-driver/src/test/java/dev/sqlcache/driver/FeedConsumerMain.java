package dev.sqlcache.driver;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Properties;

/**
 * Forked by {@link ChangeFeedFaultTest}: a JVM that consumes the change feed of the test database (its first
 * connection starts the feed), prints {@code consuming} once a read is served from the cache (its feed has applied a
 * heartbeat), then waits to be killed.
 */
public final class FeedConsumerMain {

    private FeedConsumerMain() {
    }

    public static void main(String[] args) throws Exception {
        Properties p = ChangeFeedFaultTest.settings(Integer.parseInt(args[0]));
        p.setProperty("user", "postgres");
        try (Connection c = DriverManager.getConnection(TestDatabase.POSTGRES.cachedUrl(), p);
             Statement s = c.createStatement()) {
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (System.nanoTime() < deadline) {
                long hits = c.unwrap(SqlCacheConnection.class).statistics().hits();
                try (ResultSet rs = s.executeQuery("select v from feed_probe where id = 1")) {
                    rs.next();
                }
                if (c.unwrap(SqlCacheConnection.class).statistics().hits() > hits) {
                    System.out.println("consuming");
                    System.out.flush();
                    Thread.sleep(Long.MAX_VALUE);
                }
                Thread.sleep(50);
            }
            System.out.println("never served from the cache");
            System.exit(1);
        }
    }
}
