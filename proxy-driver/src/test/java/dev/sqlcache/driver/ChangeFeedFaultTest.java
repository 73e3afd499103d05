package dev.sqlcache.driver;

import dev.sqlcache.testing.RedisServerFixture;
import dev.sqlcache.testing.RespClient;
import dev.sqlcache.testing.TestServices;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Faults under a two-JVM workload: outside writers (a plain JDBC connection, and {@code psql} for every fourth value)
 * commit every 100 ms while this JVM and a child ({@link FeedConsumerMain}) sharing its Redis read through sqlcache,
 * and no answer in either is older than {@code maxLag} after a commit ({@link OutsideWriterProbe}). The child,
 * consuming the change feed, is killed ({@code kill -9}: its lease and membership lapse): this JVM takes the lease
 * over and the cache serves again. Redis paused for 3 s: the consumer cannot bump, replays from its slot, and the
 * cache serves both JVMs again.
 */
class ChangeFeedFaultTest {

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
        // Cached whatever the measurements on a busy machine say: the test needs hits to tell the cache serves.
        p.setProperty("sqlcache.tablePolicy", "feed_*=on");
        return p;
    }

    @BeforeEach
    void start() throws Exception {
        redis = RedisServerFixture.start();
        try (Connection direct = TestDatabase.POSTGRES.direct()) {
            ChangeFeedSlots.dropAll(direct);
            OutsideWriterProbe.createTable(direct);
        }
    }

    @AfterEach
    void stop() throws Exception {
        redis.close();
        try (Connection direct = TestDatabase.POSTGRES.direct()) {
            ChangeFeedSlots.dropAll(direct);
        }
    }

    /** This JVM's data source: closing it stops this JVM's feed (the driver would keep it while registered). */
    private SqlCacheDataSource dataSource() throws SQLException {
        Map<String, String> settings = new HashMap<>();
        settings(redis.port()).forEach((k, v) -> settings.put((String) k, (String) v));
        return new SqlCacheDataSource(new UrlDataSource(TestDatabase.POSTGRES.url()
                + "?user=postgres&binaryTransfer=false"), settings);
    }

    /** Every fourth value is committed by {@code psql}, the others by the plain JDBC connection. */
    private static void alsoWriteWithPsql(OutsideWriterProbe probe) {
        TestServices.Database postgres = TestServices.postgres();
        probe.alsoWriteWithPsql(4, postgres.host(), postgres.port(), TestDatabase.Name.DB);
    }

    @Test
    void whenTheConsumerIsKilledAnotherTakesOverAndNoReadIsOlderThanMaxLag() throws Exception {
        try (ChildJvm child = FeedConsumerMain.startReporting(redis.port(), TestDatabase.POSTGRES.cachedUrl());
             Connection direct = TestDatabase.POSTGRES.direct()) {
            String lease = "sql:_feed:lease:" + ChangeFeedSlots.all(direct).get(0);
            String childHolder = String.valueOf(RespClient.call(redis.port(), "GET", lease));
            assertTrue(childHolder.startsWith(child.pid() + "-"), "the child holds the lease: " + childHolder);

            try (SqlCacheDataSource dataSource = dataSource(); Connection cached = dataSource.getConnection();
                 OutsideWriterProbe probe = new OutsideWriterProbe(direct, cached, MAX_LAG_MILLIS + SLACK_MILLIS)) {
                alsoWriteWithPsql(probe);
                OutsideWriterProbe.Reads childReads = probe.reader("child JVM (until killed)");
                long killAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
                long endAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(16);
                long hitsAfterKill = 0;
                boolean killed = false;
                while (System.nanoTime() < endAt) {
                    if (!killed && System.nanoTime() > killAt) {
                        child.kill();
                        killed = true;
                    }
                    if (probe.step() && killed) {
                        hitsAfterKill++;
                    }
                    FeedConsumerMain.judge(child, childReads, started -> { });
                    Thread.sleep(10);
                }
                assertTrue(hitsAfterKill > 0, "this JVM took the feed over and the cache serves again: "
                        + cached.unwrap(SqlCacheConnection.class).statistics());
                String holder = String.valueOf(RespClient.call(redis.port(), "GET", lease));
                assertTrue(holder.startsWith(ProcessHandle.current().pid() + "-"), "this JVM holds the lease: "
                        + holder);
                System.out.println("change feed, consumer killed: " + probe.summary());
                System.out.println("change feed, consumer killed: " + childReads.summary());
            }
        }
    }

    @Test
    void whileRedisIsPausedNoReadInEitherJvmIsOlderThanMaxLagAndTheFeedCatchesUp() throws Exception {
        try (ChildJvm child = FeedConsumerMain.startReporting(redis.port(), TestDatabase.POSTGRES.cachedUrl());
             Connection direct = TestDatabase.POSTGRES.direct();
             SqlCacheDataSource dataSource = dataSource(); Connection cached = dataSource.getConnection();
             OutsideWriterProbe probe = new OutsideWriterProbe(direct, cached, MAX_LAG_MILLIS + SLACK_MILLIS)) {
            alsoWriteWithPsql(probe);
            OutsideWriterProbe.Reads childReads = probe.reader("child JVM");
            long pauseAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            long resumeAt = pauseAt + TimeUnit.SECONDS.toNanos(3);
            long endAt = resumeAt + TimeUnit.SECONDS.toNanos(12);
            // Hits of this JVM and of the child, before the pause and after the resume.
            long[] hitsBefore = new long[2];
            long[] hitsAfter = new long[2];
            long[] pausedAt = {Long.MAX_VALUE};
            long[] resumedAt = {Long.MAX_VALUE};
            while (System.nanoTime() < endAt) {
                long now = System.nanoTime();
                if (pausedAt[0] == Long.MAX_VALUE && now > pauseAt) {
                    pausedAt[0] = System.nanoTime();
                    redis.pause();
                }
                if (pausedAt[0] != Long.MAX_VALUE && resumedAt[0] == Long.MAX_VALUE && now > resumeAt) {
                    redis.resume();
                    resumedAt[0] = System.nanoTime();
                }
                long stepAt = System.nanoTime();
                if (probe.step()) {
                    count(0, stepAt, pausedAt[0], resumedAt[0], hitsBefore, hitsAfter);
                }
                FeedConsumerMain.judge(child, childReads,
                        started -> count(1, started, pausedAt[0], resumedAt[0], hitsBefore, hitsAfter));
                Thread.sleep(10);
            }
            assertTrue(hitsBefore[0] > 0 && hitsAfter[0] > 0 && hitsBefore[1] > 0 && hitsAfter[1] > 0,
                    "both JVMs served from the cache before the pause and after it: this JVM " + hitsBefore[0] + ", "
                            + hitsAfter[0] + "; the child " + hitsBefore[1] + ", " + hitsAfter[1]);
            System.out.println("change feed, Redis paused 3 s: " + probe.summary());
            System.out.println("change feed, Redis paused 3 s: " + childReads.summary());
        }
    }

    /** Counts JVM {@code jvm}'s hit in {@code before} or {@code after} when its read started outside the pause. */
    private static void count(int jvm, long readStarted, long pausedAt, long resumedAt, long[] before, long[] after) {
        if (readStarted < pausedAt) {
            before[jvm]++;
        } else if (readStarted > resumedAt) {
            after[jvm]++;
        }
    }
}
