package dev.sqlcache.driver;

import dev.sqlcache.testing.RedisServerFixture;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PostgreSQL restarted mid-run under a two-JVM workload, on a cluster of the test's own ({@link PrivatePostgres}):
 * this JVM and a child ({@link FeedConsumerMain}) share a Redis and both read through sqlcache, while outside writers
 * (a plain JDBC connection, and {@code psql} for every fourth value) commit every 100 ms before and after two
 * restarts, one fast and one immediate (a crash: the slot may come back older than confirmed, so the feed replays).
 * No read in either JVM returns a value older than {@code maxLag} after a newer one's commit ({@link
 * OutsideWriterProbe}; the child's reads are judged here against the same commit times). The consumer's stream is
 * cut by each restart; it resumes from its slot, and both JVMs are served from the cache again.
 */
class ChangeFeedRestartTest {

    private static final long MAX_LAG_MILLIS = 2_000;
    /** Scheduling on a shared two-core machine: how late a read may start after the moment it is judged against. */
    private static final long SLACK_MILLIS = 250;
    private static final long[] RESTART_AFTER_SECONDS = {3, 8};
    private static final long RUN_SECONDS = 13;

    @Test
    void whenPostgresRestartsNoReadInEitherJvmIsOlderThanMaxLagAndTheFeedResumesInBoth() throws Exception {
        try (PrivatePostgres postgres = PrivatePostgres.start(); RedisServerFixture redis = RedisServerFixture.start()) {
            try (Connection direct = postgres.direct()) {
                OutsideWriterProbe.createTable(direct);
            }
            try (ChildJvm child = FeedConsumerMain.startReporting(redis.port(),
                    "jdbc:sqlcache:" + postgres.url().substring("jdbc:".length()))) {
                run(postgres, redis, child);
            }
        }
    }

    private static void run(PrivatePostgres postgres, RedisServerFixture redis, ChildJvm child) throws Exception {
        Map<String, String> settings = new HashMap<>();
        ChangeFeedFaultTest.settings(redis.port()).forEach((k, v) -> settings.put((String) k, (String) v));
        try (SqlCacheDataSource dataSource = new SqlCacheDataSource(new UrlDataSource(postgres.url()
                + "?user=postgres&binaryTransfer=false"), settings)) {
            Connection direct = postgres.direct();
            Connection cached = dataSource.getConnection();
            OutsideWriterProbe probe = new OutsideWriterProbe(direct, cached, MAX_LAG_MILLIS + SLACK_MILLIS);
            probe.alsoWriteWithPsql(4, "127.0.0.1", postgres.port(), "postgres");
            OutsideWriterProbe.Reads childReads = probe.reader("child JVM");
            // Hits per JVM (this one, the child) and per phase (before the first restart, after each one).
            long[][] hits = new long[2][RESTART_AFTER_SECONDS.length + 1];
            long[] restartBegan = new long[RESTART_AFTER_SECONDS.length];
            Arrays.fill(restartBegan, Long.MAX_VALUE);
            try {
                long start = System.nanoTime();
                long endAt = start + TimeUnit.SECONDS.toNanos(RUN_SECONDS);
                int restarts = 0;
                while (System.nanoTime() < endAt) {
                    if (restarts < restartBegan.length
                            && System.nanoTime() > start + TimeUnit.SECONDS.toNanos(RESTART_AFTER_SECONDS[restarts])) {
                        restartBegan[restarts] = System.nanoTime();
                        postgres.restart(restarts % 2 == 1);
                        restarts++;
                        direct.close();
                        cached.close();
                        direct = postgres.direct();
                        cached = dataSource.getConnection();
                        probe.reconnect(direct, cached);
                    }
                    long stepAt = System.nanoTime();
                    if (probe.step()) {
                        count(hits[0], restartBegan, stepAt);
                    }
                    FeedConsumerMain.judge(child, childReads, started -> count(hits[1], restartBegan, started));
                    Thread.sleep(10);
                }
                for (int phase = 0; phase < hits[0].length; phase++) {
                    assertTrue(hits[0][phase] > 0 && hits[1][phase] > 0, "both JVMs served from the cache "
                            + (phase == 0 ? "before the first restart" : "maxLag after restart " + phase + " began")
                            + ": this JVM "
                            + hits[0][phase] + ", the child " + hits[1][phase]);
                }
                String run = "change feed, PostgreSQL restarted (fast, then immediate), ";
                System.out.println(run + probe.summary() + "; hits before the restarts and from maxLag after each "
                        + Arrays.toString(hits[0]));
                System.out.println(run + childReads.summary() + "; hits before the restarts and from maxLag after each "
                        + Arrays.toString(hits[1]));
            } finally {
                probe.close();
                direct.close();
                cached.close();
            }
        }
    }

    /**
     * Counts a hit in its phase: before the first restart, or after restart i once {@code maxLag} has passed since it
     * began. Until then a hit may still be the feed key of a heartbeat applied before the restart; later, only a
     * heartbeat emitted after the restart began keeps it alive, so the hit tells that the feed resumed.
     */
    private static void count(long[] hits, long[] restartBegan, long readStarted) {
        int phase = 0;
        while (phase < restartBegan.length && restartBegan[phase] <= readStarted) {
            phase++;
        }
        if (phase == 0 || readStarted - restartBegan[phase - 1] > TimeUnit.MILLISECONDS.toNanos(MAX_LAG_MILLIS)) {
            hits[phase]++;
        }
    }
}
