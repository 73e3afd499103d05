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
 * The mixed workload with tables switched off, so that writes skip their invalidation under skip permits: the
 * counters pinned off in both JVMs (nobody caches them: their writes skip throughout), the accounts and owners
 * pinned off in this JVM only (it asks for their permits; the forked JVM, which caches them, takes them back,
 * again after every Redis restart of the faults). Every check of the mixed run still holds.
 */
class SkipPermitWorkloadTest {

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
    void postgresql() throws Exception {
        check(Target.postgres());
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

    private static void check(Target target) throws Exception {
        if (!redis.isRunning()) {
            redis.restart();
        }
        boolean faults = Boolean.parseBoolean(System.getProperty("sqlcache.checker.faults", "true"));
        Harness.Run run = Harness.Run.full(Harness.soakSeconds(), faults)
                .with("sqlcache.tablePolicy", "cc_counter=off")
                .withFirstJvm("sqlcache.tablePolicy", "cc_counter=off,cc_account=off,cc_owner=off");
        Report report = Harness.run(target, redis, run);
        String summary = target.name() + ": " + report.summary();
        System.out.println("[" + target.name() + "] skipped writes: " + report.get("cache.skippedWrites"));
        assertAll(
                () -> assertEquals(0, report.get("violations"), "violations, " + summary),
                () -> assertEquals(0, report.get("errors"), "application errors, " + summary),
                () -> assertTrue(report.get("cache.skippedWrites") > 0, "no write skipped, " + summary));
        Checks.cacheTookPart(report, summary);
    }
}
