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
 * Each phase lasts until both JVMs have been served from the cache in it (after a restart, from {@code maxLag} after
 * the server was up again), and at least {@link #PHASE_MILLIS}.
 * No read in either JVM returns a value older than {@code maxLag} after a newer one's commit ({@link
 * OutsideWriterProbe}; the child's reads are judged here against the same commit times). The consumer's stream is
 * cut by each restart; it resumes from its slot, and both JVMs are served from the cache again.
 */
class ChangeFeedRestartTest {

    private static final long MAX_LAG_MILLIS = 2_000;
    /** Scheduling on a shared two-core machine: how late a read may start after the moment it is judged against. */
    private static final long SLACK_MILLIS = 250;
    private static final int RESTARTS = 2;
    /** How long the outside writers commit in each phase at least: before the first restart, after each one. */
    private static final long PHASE_MILLIS = 2_500;
    /**
     * How long a phase may wait for both JVMs to be served from the cache: on a loaded machine the consumer applies
     * heartbeats late and the feed key lapses now and then (reads then go to the database), so a fixed window could
     * miss the hits of a feed that did resume.
     */
    private static final long PHASE_TIMEOUT_MILLIS = 20_000;

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
            long[][] hits = new long[2][RESTARTS + 1];
            long[] restarted = new long[RESTARTS];
            Arrays.fill(restarted, Long.MAX_VALUE);
            try {
                for (int phase = 0; phase <= RESTARTS; phase++) {
                    if (phase > 0) {
                        postgres.restart(phase == 2);
                        restarted[phase - 1] = System.nanoTime();
                        direct.close();
                        cached.close();
                        direct = postgres.direct();
                        cached = dataSource.getConnection();
                        probe.reconnect(direct, cached);
                    }
                    long phaseStart = System.nanoTime();
                    while (hits[0][phase] == 0 || hits[1][phase] == 0
                            || System.nanoTime() - phaseStart < TimeUnit.MILLISECONDS.toNanos(PHASE_MILLIS)) {
                        assertTrue(System.nanoTime() - phaseStart < TimeUnit.MILLISECONDS.toNanos(
                                PHASE_TIMEOUT_MILLIS), "both JVMs served from the cache " + (phase == 0
                                ? "before the first restart" : "maxLag after restart " + phase)
                                + ": this JVM " + hits[0][phase] + ", the child " + hits[1][phase] + "; this JVM's "
                                + cached.unwrap(SqlCacheConnection.class).statistics());
                        long stepAt = System.nanoTime();
                        if (probe.step()) {
                            count(hits[0], restarted, stepAt);
                        }
                        FeedConsumerMain.judge(child, childReads, started -> count(hits[1], restarted, started));
                        Thread.sleep(10);
                    }
                }
                String run = "change feed, PostgreSQL restarted (fast, then immediate), ";
                String phases = "; hits before the restarts and from maxLag after each one ";
                System.out.println(run + probe.summary() + phases + Arrays.toString(hits[0]));
                System.out.println(run + childReads.summary() + phases + Arrays.toString(hits[1]));
            } finally {
                probe.close();
                direct.close();
                cached.close();
            }
        }
    }

    /**
     * Counts a hit in its phase: before the first restart, or after restart i once {@code maxLag} has passed since
     * the server was up again. Until then a hit may still ride the feed key of a heartbeat sent while the server was
     * stopping (still streamed and applied before the stream ended); later, only a heartbeat sent after the restart
     * keeps the key alive, so the hit tells that the feed resumed.
     */
    private static void count(long[] hits, long[] restarted, long readStarted) {
        int phase = 0;
        while (phase < restarted.length && restarted[phase] <= readStarted) {
            phase++;
        }
        if (phase == 0 || readStarted - restarted[phase - 1] > TimeUnit.MILLISECONDS.toNanos(MAX_LAG_MILLIS)) {
            hits[phase]++;
        }
    }
}
