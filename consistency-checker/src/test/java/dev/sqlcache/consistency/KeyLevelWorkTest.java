package dev.sqlcache.consistency;

import dev.sqlcache.testing.RedisServerFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What key-level invalidation (issue #11) saves the database, measured on PostgreSQL without faults: key lookups,
 * sums and key-pinned joins under key-pinned writes, in two JVMs, and the scans the database made per statement
 * sent ({@code pg_stat_user_tables}, see {@link TableScans}) next to the hit ratio. With table-level invalidation
 * every write empties the table's entries; with key-level, only its rows' and the sums'.
 *
 * <p>The figure is asserted below 0.55 ({@code -Dsqlcache.checker.maxScansPerStatement=0.40}: issue #11's target); {@code -Dsqlcache.checker.baseline=true} first runs the same workload with
 * {@code sqlcache.enabled=false}, the database's work without a cache.
 */
class KeyLevelWorkTest {

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
    void postgresqlKeyLookupsSumsAndJoinsUnderKeyPinnedWrites() throws Exception {
        Target target = Target.postgres();
        long seconds = Long.getLong("sqlcache.checker.keyedSeconds", 8);
        if (Boolean.getBoolean("sqlcache.checker.baseline")) {
            Report baseline = Harness.run(target, redis,
                    Harness.Run.keyed(seconds, false).with("sqlcache.enabled", "false"));
            assertEquals(0, baseline.get("errors"), "application errors without the cache, " + baseline.summary());
        }
        Report report = Harness.run(target, redis, Harness.Run.keyed(seconds, false));
        String summary = report.summary() + "\n  " + Harness.databaseWork(report);
        double scansPerStatement = Harness.scansPerStatement(report);
        // Table-level invalidation measured 0.74-0.81 here, key-level 0.25-0.33 (issue #11's target: 0.40). The
        // default bound catches a return to table-level with room for a loaded machine's lower hit ratio.
        String limit = System.getProperty("sqlcache.checker.maxScansPerStatement", "0.55");
        assertAll(
                () -> assertEquals(0, report.get("violations"), "violations, " + summary),
                () -> assertEquals(0, report.get("errors"), "application errors, " + summary),
                () -> Checks.cacheTookPart(report, summary),
                () -> assertTrue(!Double.isNaN(scansPerStatement), "no scans measured, " + summary),
                () -> assertTrue(scansPerStatement <= Double.parseDouble(limit),
                        String.format("the database made %.2f scans per statement sent, more than %s, %s",
                                scansPerStatement, limit, summary)));
    }
}
