package dev.sqlcache.bench.throughput;

import org.apache.commons.rng.UniformRandomProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An operation that never returns (here a 30 s sleep; in life a lock a proxy never releases) must not stop the
 * run: its connections are aborted after the overrun, the round is reported as failed, the target leaves the
 * alternation, and the other targets go on.
 */
class HungOperationTest {
    private static final String PREFIX = "hung_test_";

    @AfterAll
    static void dropSchemas() throws SQLException {
        TestPostgres.dropSchemas(PREFIX);
    }

    @Test
    void aHungTargetIsAbortedAndTheOthersGoOn() throws Exception {
        TargetSpec direct = new TargetSpec(Targets.DIRECT, "real driver", TestPostgres.URL, null, TestPostgres.LOGIN,
                null, false, null, Set.of());
        // Same database; stands for a second target that keeps working.
        TargetSpec other = new TargetSpec("other", "real driver again", TestPostgres.URL, null, TestPostgres.LOGIN,
                null, false, null, Set.of());
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        HarnessConfig config = new HarnessConfig(TestPostgres.URL, TestPostgres.LOGIN, PREFIX, List.of(direct, other),
                List.of(new SleepsOnDirect()), 2, 2, 0.5, 0, true, 1L, 1.0, Map.of(),
                new PrintStream(log, true, StandardCharsets.UTF_8));

        long start = System.nanoTime();
        RunResult run = new Harness(config).run();
        double seconds = (System.nanoTime() - start) / 1e9;

        String progress = log.toString(StandardCharsets.UTF_8);
        assertNull(run.abortedBecause, progress);
        assertTrue(seconds < 25, "the sleeping operations were cut short, not waited for: " + seconds + " s");
        List<RoundResult> hung = run.rounds.stream().filter(r -> r.target().equals(Targets.DIRECT)).toList();
        assertEquals(1, hung.size(), "the hung target leaves the alternation after its failed round: " + progress);
        assertTrue(hung.get(0).error().contains("aborted"), hung.get(0).error());
        List<RoundResult> others = run.rounds.stream().filter(r -> r.target().equals("other")).toList();
        assertEquals(2, others.size(), progress);
        others.forEach(r -> assertNull(r.error(), r.error()));
        Summary summary = Summary.of(run).get(0);
        assertTrue(summary.status().startsWith("failed in round 1"), summary.status());
    }

    /** Each operation on the target named {@code direct} sleeps 30 s in the database; elsewhere it returns. */
    private static final class SleepsOnDirect implements Workload {
        @Override
        public String name() {
            return "sleep";
        }

        @Override
        public String description() {
            return "pg_sleep on direct";
        }

        @Override
        public int writePercent() {
            return 0;
        }

        @Override
        public String dataset() {
            return "none";
        }

        @Override
        public List<String> tables() {
            return List.of();
        }

        @Override
        public void load(Connection connection) {
        }

        @Override
        public Client client(Connection connection) throws SQLException {
            boolean sleeps = connection.getSchema().equals(PREFIX + Targets.DIRECT);
            PreparedStatement statement = connection.prepareStatement(
                    sleeps ? "select pg_sleep(30)" : "select 1");
            return new Client() {
                @Override
                public void use(UniformRandomProvider random) {
                }

                @Override
                public boolean execute(OpCounter counter) throws SQLException {
                    statement.executeQuery().close();
                    counter.select(1, 0);
                    return false;
                }

                @Override
                public void close() throws SQLException {
                    statement.close();
                }
            };
        }
    }
}
