package dev.sqlcache.driver;

import dev.sqlcache.testing.RedisServerFixture;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PostgreSQL restarted mid-run, on a cluster of the test's own ({@link PrivatePostgres}): an outside writer commits
 * every 100 ms before and after the restart while this JVM reads through sqlcache and consumes the change feed, and
 * no read returns a value older than {@code maxLag} after a newer one's commit ({@link OutsideWriterProbe}). The
 * consumer's stream is cut by the restart; it resumes from its slot's confirmed position, and the cache serves again.
 */
class ChangeFeedRestartTest {

    private static final long MAX_LAG_MILLIS = 2_000;
    /** Scheduling on a shared two-core machine: how late a read may start after the moment it is judged against. */
    private static final long SLACK_MILLIS = 250;

    @Test
    void whenPostgresRestartsNoReadIsOlderThanMaxLagAndTheFeedResumes() throws Exception {
        try (PrivatePostgres postgres = PrivatePostgres.start(); RedisServerFixture redis = RedisServerFixture.start()) {
            try (Connection direct = postgres.direct()) {
                OutsideWriterProbe.createTable(direct);
            }
            Map<String, String> settings = new HashMap<>();
            ChangeFeedFaultTest.settings(redis.port()).forEach((k, v) -> settings.put((String) k, (String) v));
            try (SqlCacheDataSource dataSource = new SqlCacheDataSource(new UrlDataSource(postgres.url()
                    + "?user=postgres&binaryTransfer=false"), settings)) {
                Connection direct = postgres.direct();
                Connection cached = dataSource.getConnection();
                OutsideWriterProbe probe = new OutsideWriterProbe(direct, cached, MAX_LAG_MILLIS + SLACK_MILLIS);
                try {
                    long restartAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
                    long endAt = restartAt + TimeUnit.SECONDS.toNanos(14);
                    long hitsBefore = 0;
                    long hitsAfter = 0;
                    boolean restarted = false;
                    while (System.nanoTime() < endAt) {
                        if (!restarted && System.nanoTime() > restartAt) {
                            postgres.restart();
                            restarted = true;
                            direct.close();
                            cached.close();
                            direct = postgres.direct();
                            cached = dataSource.getConnection();
                            probe.reconnect(direct, cached);
                        }
                        boolean hit = probe.step();
                        if (hit && restarted) {
                            hitsAfter++;
                        } else if (hit) {
                            hitsBefore++;
                        }
                        Thread.sleep(10);
                    }
                    assertTrue(hitsBefore > 0 && hitsAfter > 0, "served from the cache before the restart and after "
                            + "it: " + hitsBefore + ", " + hitsAfter);
                    System.out.println("change feed, PostgreSQL restarted: " + probe.summary());
                } finally {
                    probe.close();
                    direct.close();
                    cached.close();
                }
            }
        }
    }
}
