package dev.sqlcache.driver;

import dev.sqlcache.stats.CacheStatistics;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Single flight on PostgreSQL: concurrent misses of one query in one JVM run it once and share the result, and a
 * result the leader cannot keep still reaches every reader whole. The query scans a table big enough to take a few
 * hundred milliseconds, so the readers, released together, all look up while the first one's query runs.
 */
class SingleFlightTest extends RedisBackedTest {

    private static final int READERS = 4;
    private static final int ROWS = 1_500_000;
    private static final String AGGREGATE = "select count(*), sum(v) from flight_big where v % 7 = 3";
    /** 15 rows, found by scanning every row. */
    private static final String SPARSE = "select v from flight_big where v % 100000 = 7 order by v";

    private final TestDatabase db = TestDatabase.POSTGRES;

    @BeforeEach
    void table() throws Exception {
        try (Connection c = db.direct()) {
            boolean present;
            try (ResultSet rs = c.getMetaData().getTables(null, null, "flight_big", null)) {
                present = rs.next();
            }
            if (present) {
                try (var s = c.createStatement(); ResultSet rs = s.executeQuery("select count(*) from flight_big")) {
                    rs.next();
                    present = rs.getLong(1) == ROWS;
                }
            }
            if (!present) {
                exec(c, "drop table if exists flight_big",
                        "create table flight_big (v bigint not null) with (parallel_workers = 0)",
                        "insert into flight_big select g from generate_series(1, " + ROWS + ") g",
                        "analyze flight_big");
            }
        }
    }

    @Test
    void concurrentMissesRunTheQueryOnceAndShareItsResult() throws Exception {
        String expected;
        try (Connection c = db.direct()) {
            expected = rows(c, AGGREGATE).toString();
        }
        List<String> answers;
        CacheStatistics before;
        CacheStatistics after;
        List<Connection> connections = connections(settings());
        try {
            before = stats(connections.get(0));
            answers = readTogether(connections, AGGREGATE);
            after = stats(connections.get(0));
        } finally {
            for (Connection c : connections) {
                c.close();
            }
        }
        for (String answer : answers) {
            assertEquals(expected, answer);
        }
        // Without single flight every reader misses (the first store lands only after a whole query).
        assertEquals(1, after.misses() - before.misses(), "one reader ran the query: " + after);
        assertEquals(READERS - 1, after.hits() - before.hits(), "the others shared its result: " + after);
    }

    @Test
    void aResultTheLeaderCannotKeepReachesEveryReaderWhole() throws Exception {
        List<List<String>> expected;
        try (Connection c = db.direct()) {
            expected = rows(c, SPARSE);
        }
        assertEquals(15, expected.size());
        List<Connection> connections = connections(settings("sqlcache.maxRows", "5"));
        List<String> answers;
        try {
            answers = readTogether(connections, SPARSE);
        } finally {
            for (Connection c : connections) {
                c.close();
            }
        }
        for (String answer : answers) {
            assertEquals(expected.toString(), answer);
        }
    }

    /**
     * A statement set to closeOnCompletion() closes when its result does. A leader closes the result it read in
     * full itself: that must not close the application's statement under it (nor fail its executeQuery), whether
     * the result is shared or too large to keep (then the leader runs the query again on that statement).
     */
    @Test
    void aLeaderOnACloseOnCompletionStatementServesItsApplication() throws Exception {
        for (String maxRows : new String[] {"1000", "5"}) {
            flushCaches();
            List<List<String>> expected;
            try (Connection c = db.direct()) {
                expected = rows(c, SPARSE);
            }
            List<Connection> connections = connections(settings("sqlcache.maxRows", maxRows));
            List<String> answers;
            try {
                answers = readTogether(connections, SPARSE, true);
            } finally {
                for (Connection c : connections) {
                    c.close();
                }
            }
            for (String answer : answers) {
                assertEquals(expected.toString(), answer, "sqlcache.maxRows=" + maxRows);
            }
        }
    }

    private List<Connection> connections(java.util.Properties settings) throws Exception {
        List<Connection> connections = new ArrayList<>();
        for (int i = 0; i < READERS; i++) {
            connections.add(db.cached(settings));
        }
        return connections;
    }

    /** Each connection runs the query once, all released at the same moment; their answers. */
    private static List<String> readTogether(List<Connection> connections, String sql) throws Exception {
        return readTogether(connections, sql, false);
    }

    /**
     * Each connection runs the query once, all released at the same moment; their answers. With
     * {@code closeOnCompletion}, each statement is set to close with its result, which must still be open and
     * readable, the statement open with it, until the result is closed.
     */
    private static List<String> readTogether(List<Connection> connections, String sql, boolean closeOnCompletion)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(connections.size());
        try {
            CyclicBarrier start = new CyclicBarrier(connections.size());
            List<Future<String>> futures = new ArrayList<>();
            for (Connection c : connections) {
                futures.add(pool.submit(() -> {
                    start.await(30, TimeUnit.SECONDS);
                    if (!closeOnCompletion) {
                        return rows(c, sql).toString();
                    }
                    java.sql.Statement statement = c.createStatement();
                    statement.closeOnCompletion();
                    String answer;
                    try (ResultSet rs = statement.executeQuery(sql)) {
                        assertFalse(statement.isClosed(), "open while its result is");
                        answer = rows(rs).toString();
                    }
                    assertTrue(statement.isClosed(), "closed with its result");
                    return answer;
                }));
            }
            List<String> answers = new ArrayList<>();
            for (Future<String> future : futures) {
                answers.add(future.get(120, TimeUnit.SECONDS));
            }
            return answers;
        } finally {
            pool.shutdownNow();
        }
    }
}
