package dev.sqlcache.driver;

import dev.sqlcache.internal.membership.MembershipStore;
import dev.sqlcache.stats.BypassReason;
import dev.sqlcache.stats.CacheStatistics;
import dev.sqlcache.internal.store.CacheStore;
import dev.sqlcache.testing.RedisServerFixture;
import dev.sqlcache.testing.TcpRelay;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A writer cut off from Redis while a reader still reaches it: two engines with separate stores (as two JVMs
 * would have), the writer's through a relay the test cuts. Before membership existed, the reader went on serving
 * the answer from before the write until the writer reached Redis again.
 */
class PartitionedWriterTest {

    private RedisServerFixture redis;
    private TcpRelay relay;
    private OneRowDatabase db;

    @BeforeEach
    void start() throws Exception {
        redis = RedisServerFixture.start();
        relay = TcpRelay.to(redis.port());
        db = OneRowDatabase.create("partitioned");
    }

    @AfterEach
    void stop() {
        relay.close();
        redis.close();
    }

    private Connection reader(String... extra) throws SQLException {
        return db.through(redis.tcpProperties(), extra);
    }

    private Connection writer(String... extra) throws SQLException {
        return db.through(relay.port(), extra);
    }

    private int value(Connection c) throws SQLException {
        return db.value(c);
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
            db.update(writer, 200);
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
            db.update(writer, 250);
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
            assertEquals(":1", redis.command("EXISTS", MembershipStore.FENCE_KEY));
        }
    }

    @Test
    void aMemberThatNeverComesBackIsDroppedAfterTheFenceTimeoutAndNothingOldSurvives() throws Exception {
        try (Connection reader = reader("sqlcache.fenceTimeout", "5s");
             Connection writer = writer("sqlcache.fenceTimeout", "5s")) {
            assertEquals(100, value(reader));
            assertEquals(100, value(reader));
            relay.cut();
            db.update(writer, 300);
            assertEquals(300, value(reader));
            // At least the reader and the writer: one loaded full build saw a third entry here (most likely a join
            // whose answer timed out and was retried, the first one having landed); it lapses like the writer's.
            String members = redis.command("ZCOUNT", MembershipStore.MEMBERS_KEY, "-inf", "(+inf");
            assertTrue(Integer.parseInt(members.substring(1)) >= 2, "the writer is still a (lapsed) member: " + members);
            assertEquals(":0", redis.command("EXISTS", MembershipStore.FENCE_KEY));

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
            assertEquals(":1", redis.command("ZCOUNT", MembershipStore.MEMBERS_KEY, "-inf", "(+inf"));
        }
    }
}
