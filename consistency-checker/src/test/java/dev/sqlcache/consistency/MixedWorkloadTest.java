package dev.sqlcache.consistency;

import dev.sqlcache.testing.RedisServerFixture;
import org.h2.tools.Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The adversarial checker: two JVMs of writers and readers on one database and one Redis, with Redis paused,
 * killed and restarted, and the forked JVM cut off from it while this one is not, during the run. No cached answer
 * may be older than a commit that returned before the read started (nor differ from it when nothing was written
 * since), no answer may show a rolled-back write or a broken invariant, no snapshot transaction may see a bank
 * total other than the constant, the application sees no errors, and the cache must actually be used.
 *
 * <p>{@code -Dsqlcache.checker.faults=false} runs without faults; {@code -Dsqlcache.checker.requireSnapshotHits=false}
 * drops the requirement that the bank's snapshot reads were partly served from the cache.
 */
class MixedWorkloadTest {

    private static RedisServerFixture redis;

    @BeforeAll
    static void startRedis() {
        redis = RedisServerFixture.start();
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void h2ServerMode() throws Exception {
        Server server = Harness.startH2();
        try {
            check(Target.h2Server(server.getPort(), "consistency"));
        } finally {
            server.stop();
        }
    }

    @Test
    void postgresql() throws Exception {
        check(Target.postgres());
    }

    @Test
    void mariadb() throws Exception {
        check(Target.mariadb());
    }

    private static void check(Target target) throws Exception {
        if (!redis.isRunning()) {
            redis.restart();
        }
        boolean faults = Boolean.parseBoolean(System.getProperty("sqlcache.checker.faults", "true"));
        Report report = Harness.run(target, redis, Harness.Run.full(Harness.soakSeconds(), faults));
        String summary = target.name() + ": " + report.summary();
        assertAll(
                () -> assertTrue(!faults || report.get("faults.partition") >= 1,
                        "the run must cut the forked JVM off from Redis at least once, " + summary),
                () -> assertEquals(0, report.get("violations"), "violations, " + summary),
                () -> assertEquals(0, report.get("errors"), "application errors, " + summary),
                () -> assertTrue(report.get("reads") > 1000, "too few reads to mean anything, " + summary),
                () -> Checks.cacheTookPart(report, summary),
                () -> Checks.keyedChecksRan(report, target, summary),
                () -> Checks.bankRan(report, target, summary));
    }
}
