package dev.sqlcache.driver;

import dev.sqlcache.stats.BypassReason;
import dev.sqlcache.stats.CacheStatistics;
import dev.sqlcache.store.CacheStore;
import dev.sqlcache.testing.RedisServerFixture;
import dev.sqlcache.testing.TcpRelay;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A writer cut off from Redis while a reader still reaches it: two engines with separate stores (as two JVMs
 * would have), the writer's through a relay the test cuts. Before membership existed, the reader went on serving
 * the answer from before the write until the writer reached Redis again.
 */
class PartitionedWriterTest {

    private static final String QUERY = "select v from partitioned where id = 1";

    private RedisServerFixture redis;
    private TcpRelay relay;
    private String h2Url;

    @BeforeEach
    void start() throws Exception {
        redis = RedisServerFixture.start();
        relay = TcpRelay.to(redis.port());
        h2Url = "jdbc:h2:mem:partition_" + UUID.randomUUID().toString().replace("-", "") + ";DB_CLOSE_DELAY=-1";
        try (Connection c = DriverManager.getConnection(h2Url, "sa", ""); Statement s = c.createStatement()) {
            s.execute("create table partitioned(id int primary key, v int)");
            s.execute("insert into partitioned values (1, 100)");
        }
    }

    @AfterEach
    void stop() {
        relay.close();
        redis.close();
    }

    private Connection reader(String... extra) throws SQLException {
        Properties p = new Properties();
        p.putAll(redis.tcpProperties());
        return open(p, extra);
    }

    private Connection writer(String... extra) throws SQLException {
        Properties p = new Properties();
        p.setProperty("sqlcache.redis.host", "127.0.0.1");
        p.setProperty("sqlcache.redis.port", Integer.toString(relay.port()));
        return open(p, extra);
    }

    private Connection open(Properties p, String... extra) throws SQLException {
        p.setProperty("user", "sa");
        p.setProperty("password", "");
        for (int i = 0; i < extra.length; i += 2) {
            p.setProperty(extra[i], extra[i + 1]);
        }
        return DriverManager.getConnection("jdbc:sqlcache:" + h2Url.substring("jdbc:".length()), p);
    }

    private static int value(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(QUERY)) {
            assertTrue(rs.next());
            return rs.getInt(1);
        }
    }

    private static CacheStatistics stats(Connection c) throws SQLException {
        return c.unwrap(SqlCacheConnection.class).statistics();
    }

    @Test
    void aWriteThatCannotReachRedisIsNeverHiddenByTheOthersCache() throws Exception {
        try (Connection reader = reader(); Connection writer = writer()) {
            assertEquals(100, value(reader));
            long hits = stats(reader).hits();
            assertEquals(100, value(reader));
            assertEquals(hits + 1, stats(reader).hits(), "the reader serves the row from the cache");

            relay.cut();
            long started = System.nanoTime();
            try (Statement s = writer.createStatement()) {
                assertEquals(1, s.executeUpdate("update partitioned set v = 200 where id = 1"));
            }
            long waitedMillis = (System.nanoTime() - started) / 1_000_000;
            System.out.println("the cut-off write returned after " + waitedMillis + " ms");

            CacheStatistics before = stats(reader);
            assertEquals(200, value(reader), "the reader must see the committed write, not its cached answer");
            CacheStatistics delta = stats(reader).since(before);
            assertEquals(0, delta.hits());
            assertEquals(1, delta.bypasses(BypassReason.FENCED), delta::toString);
            assertEquals(200, value(writer), "the writer reads from the database meanwhile");

            // Still cut off, the writer writes again: no wait this time (it has lapsed), and still no stale answer.
            assertEquals(200, value(reader));
            try (Statement s = writer.createStatement()) {
                assertEquals(1, s.executeUpdate("update partitioned set v = 250 where id = 1"));
            }
            assertEquals(250, value(reader));

            // Reconnected, the writer delivers what it owes and joins again; caching resumes for everybody.
            relay.restore();
            long deadline = System.nanoTime() + 15_000_000_000L;
            boolean cachedAgain = false;
            while (!cachedAgain && System.nanoTime() < deadline) {
                long h = stats(reader).hits();
                assertEquals(250, value(reader));
                cachedAgain = stats(reader).hits() > h;
                Thread.sleep(50);
            }
            assertTrue(cachedAgain, "the reader caches again once the writer is back");
            assertEquals(":1", redis.command("EXISTS", CacheStore.FENCE_KEY));
        }
    }

    @Test
    void aMemberThatNeverComesBackIsDroppedAfterTheFenceTimeoutAndNothingOldSurvives() throws Exception {
        try (Connection reader = reader("sqlcache.fenceTimeout", "5s");
             Connection writer = writer("sqlcache.fenceTimeout", "5s")) {
            assertEquals(100, value(reader));
            assertEquals(100, value(reader));
            relay.cut();
            try (Statement s = writer.createStatement()) {
                s.executeUpdate("update partitioned set v = 300 where id = 1");
            }
            assertEquals(300, value(reader));
            assertEquals(":2", redis.command("ZCOUNT", CacheStore.MEMBERS_KEY, "-inf", "(+inf"), "the writer is still a (lapsed) member");
            assertEquals(":0", redis.command("EXISTS", CacheStore.FENCE_KEY));

            // The writer stays cut off (as a crashed JVM would): after the timeout the reader's renewals drop it.
            long deadline = System.nanoTime() + 15_000_000_000L;
            boolean cachedAgain = false;
            while (!cachedAgain && System.nanoTime() < deadline) {
                long h = stats(reader).hits();
                assertEquals(300, value(reader), "never the answer from before the write");
                cachedAgain = stats(reader).hits() > h;
                Thread.sleep(50);
            }
            assertTrue(cachedAgain, "caching resumes once the silent member is dropped");
            assertEquals(":1", redis.command("ZCOUNT", CacheStore.MEMBERS_KEY, "-inf", "(+inf"));
        }
    }
}
