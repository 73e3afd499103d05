package dev.sqlcache.consistency;

import dev.sqlcache.testing.RedisServerFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bank invariant (issue #12) on its own: {@link BankWriter}s move amounts in READ COMMITTED and REPEATABLE READ
 * transactions, {@link BankReader}s sum every balance, each read by its own statement, in read-only REPEATABLE READ
 * (and, on PostgreSQL, SERIALIZABLE) transactions, in two JVMs. The full mix of {@link MixedWorkloadTest} runs the
 * same bank next to everything else; this test shows that the check can fail, and runs the bank alone when asked
 * ({@code -Dsqlcache.checker.bank=true}, with Redis faults unless {@code -Dsqlcache.checker.faults=false}).
 */
class BankInvariantTest {

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

    /**
     * Readers that skip their transaction and read each balance in auto-commit see transfers between two of their
     * reads: the checker must report wrong totals, with no cache bug involved.
     */
    @Test
    void naiveReadersBreakTheInvariant() throws Exception {
        Report report = Harness.run(Target.postgres(), redis, Harness.Run.bank(4, false, true));
        String summary = report.summary();
        long wrongTotals = report.get("violation.bank-total") + report.get("violation.bank-total-no-hit");
        assertAll(
                () -> assertTrue(report.get("bank.naiveTotals") > 0, "the naive readers did not run, " + summary),
                () -> assertTrue(wrongTotals > 0, "readers outside a transaction must see a wrong total, " + summary),
                () -> assertEquals(0, report.get("errors"), "application errors, " + summary));
    }

    @Test
    void postgresql() throws Exception {
        alone(Target.postgres());
    }

    @Test
    void mariadb() throws Exception {
        alone(Target.mariadb());
    }

    private static void alone(Target target) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Boolean.getBoolean("sqlcache.checker.bank"),
                "the bank runs in MixedWorkloadTest; -Dsqlcache.checker.bank=true runs it alone");
        if (!redis.isRunning()) {
            redis.restart();
        }
        boolean faults = Boolean.parseBoolean(System.getProperty("sqlcache.checker.faults", "true"));
        Report report = Harness.run(target, redis, Harness.Run.bank(Harness.soakSeconds(), faults, false));
        String summary = target.name() + ": " + report.summary();
        assertAll(
                () -> assertTrue(!faults || report.get("faults.partition") >= 1,
                        "the run must cut the forked JVM off from Redis at least once, " + summary),
                () -> assertEquals(0, report.get("violations"), "violations, " + summary),
                () -> assertEquals(0, report.get("errors"), "application errors, " + summary),
                () -> Checks.bankRan(report, target, summary));
    }
}
