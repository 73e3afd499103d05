package dev.sqlcache.driver;

import dev.sqlcache.testing.RedisServerFixture;
import dev.sqlcache.testing.RespClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Two JVMs share a Redis; the one consuming the change feed is killed ({@code kill -9}: no clean shutdown, its lease
 * and membership lapse). Meanwhile an outside writer updates a row every 100 ms and this JVM reads it through
 * sqlcache: a read that returns a value older than one committed more than {@code maxLag} before the read started
 * is a violation. This JVM takes the consumer's lease over and the cache serves again.
 */
class ChangeFeedKillTest {

    private static final long MAX_LAG_MILLIS = 2_000;
    /** Scheduling on a shared two-core machine: how late a read may start after the moment it is judged against. */
    private static final long SLACK_MILLIS = 250;

    private RedisServerFixture redis;

    /** The settings both JVMs use: a fence that comes back 5 s after the killed JVM fell silent. */
    static Properties settings(int redisPort) {
        Properties p = new Properties();
        p.setProperty("sqlcache.redis.host", "127.0.0.1");
        p.setProperty("sqlcache.redis.port", Integer.toString(redisPort));
        p.setProperty("sqlcache.changeFeed", "postgres");
        p.setProperty("sqlcache.changeFeed.maxLag", MAX_LAG_MILLIS + "ms");
        p.setProperty("sqlcache.fenceTimeout", "5s");
        return p;
    }

    @BeforeEach
    void start() throws Exception {
        redis = RedisServerFixture.start();
        try (Connection direct = TestDatabase.POSTGRES.direct()) {
            ChangeFeedSlots.dropAll(direct);
            try (var s = direct.createStatement()) {
                s.execute("drop table if exists feed_kill");
                s.execute("create table feed_kill (id int primary key, v bigint)");
                s.execute("insert into feed_kill values (1, 0)");
            }
        }
    }

    @AfterEach
    void stop() throws Exception {
        redis.close();
    }

    @Test
    void whenTheConsumerIsKilledAnotherTakesOverAndNoReadIsOlderThanMaxLag() throws Exception {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process child = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-XX:TieredStopAtLevel=1", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp", classPath, FeedConsumerMain.class.getName(), Integer.toString(redis.port())))
                .redirectErrorStream(true).start();
        java.util.Map<String, String> p = new java.util.HashMap<>();
        settings(redis.port()).forEach((k, v) -> p.put((String) k, (String) v));
        try (Connection direct = TestDatabase.POSTGRES.direct()) {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8));
            String line;
            while ((line = out.readLine()) != null && !line.equals("consuming")) {
                System.out.println("child: " + line);
            }
            assertEquals("consuming", line, "the child consumes the feed");
            String lease = "sql:_feed:lease:" + ChangeFeedSlots.all(direct).get(0);
            String childHolder = String.valueOf(RespClient.call(redis.port(), "GET", lease));
            assertTrue(childHolder.startsWith(child.pid() + "-"), "the child holds the lease: " + childHolder);

            List<Long> seenAfter = new ArrayList<>();
            // Through a data source: closing it stops this JVM's feed (the driver would keep it while registered).
            try (SqlCacheDataSource dataSource = new SqlCacheDataSource(new UrlDataSource(
                    TestDatabase.POSTGRES.url() + "?user=postgres&binaryTransfer=false"), p);
                 Connection cached = dataSource.getConnection();
                 PreparedStatement read = cached.prepareStatement("select v from feed_kill where id = 1");
                 PreparedStatement write = direct.prepareStatement("update feed_kill set v = ? where id = 1")) {
                // The outside writer's commits: value i committed at committedAt[i] (this JVM's clock).
                List<Long> committedAt = Collections.synchronizedList(new ArrayList<>());
                committedAt.add(System.nanoTime());
                long killAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
                long endAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(16);
                long nextWrite = System.nanoTime();
                long hitsAfterTakeover = 0;
                boolean killed = false;
                long lastSeen = -1;
                while (System.nanoTime() < endAt) {
                    long now = System.nanoTime();
                    if (!killed && now > killAt) {
                        child.destroyForcibly();
                        child.waitFor(10, TimeUnit.SECONDS);
                        killed = true;
                    }
                    if (now >= nextWrite) {
                        write.setLong(1, committedAt.size());
                        write.executeUpdate();
                        committedAt.add(System.nanoTime());
                        nextWrite = now + TimeUnit.MILLISECONDS.toNanos(100);
                    }
                    long readStarted = System.nanoTime();
                    long hits = cached.unwrap(SqlCacheConnection.class).statistics().hits();
                    long value;
                    try (ResultSet rs = read.executeQuery()) {
                        rs.next();
                        value = rs.getLong(1);
                    }
                    boolean hit = cached.unwrap(SqlCacheConnection.class).statistics().hits() > hits;
                    // Every value after the one read was committed at committedAt[value + 1]: if that was more than
                    // maxLag before this read started, the read is older than the bound allows.
                    if (value + 1 < committedAt.size()) {
                        long newerCommittedAt = committedAt.get((int) value + 1);
                        long late = TimeUnit.NANOSECONDS.toMillis(readStarted - newerCommittedAt);
                        if (late > MAX_LAG_MILLIS + SLACK_MILLIS) {
                            fail("read " + value + " " + late + " ms after " + (value + 1) + " was committed (hit: "
                                    + hit + ", killed: " + killed + ")");
                        }
                    }
                    if (value != lastSeen) {
                        if (value > 0) {
                            seenAfter.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime()
                                    - committedAt.get((int) value)));
                        }
                        lastSeen = value;
                    }
                    if (killed && hit) {
                        hitsAfterTakeover++;
                    }
                    Thread.sleep(10);
                }
                assertTrue(hitsAfterTakeover > 0, "this JVM took the feed over and the cache serves again: "
                        + cached.unwrap(SqlCacheConnection.class).statistics());
                String holder = String.valueOf(RespClient.call(redis.port(), "GET", lease));
                assertTrue(holder.startsWith(ProcessHandle.current().pid() + "-"), "this JVM holds the lease: "
                        + holder);
            }
            Collections.sort(seenAfter);
            System.out.println("change feed kill test: " + seenAfter.size() + " values seen; how long after its "
                    + "commit each was first read: p50 " + seenAfter.get(seenAfter.size() / 2) + " ms, p99 "
                    + seenAfter.get(seenAfter.size() * 99 / 100) + " ms, max " + seenAfter.get(seenAfter.size() - 1)
                    + " ms");
        } finally {
            child.destroyForcibly();
            try (Connection direct = TestDatabase.POSTGRES.direct()) {
                ChangeFeedSlots.dropAll(direct);
            }
        }
    }
}
