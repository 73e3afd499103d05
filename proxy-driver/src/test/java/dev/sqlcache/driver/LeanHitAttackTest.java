package dev.sqlcache.driver;

import dev.sqlcache.testing.RedisServerFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Review of the lean hit path (branch t5): a statement reuses its last read's {@code Execution} and a near copy hands
 * out one shared hit object. Whatever a statement changes between two executions (its values, maxRows, the thread
 * it runs on, the transaction around it), each execution answers what the database holds for that execution, with
 * a result set of its own. Near hits are what these reads become once warmed (checked: some near hits happen), so
 * every reuse is exercised on the near path, where the shared objects live.
 */
class LeanHitAttackTest {

    private RedisServerFixture redis;
    private OneRowDatabase db;

    @BeforeEach
    void start() throws Exception {
        redis = RedisServerFixture.start();
        db = OneRowDatabase.create("lean");
        try (Connection c = db.plain(); Statement s = c.createStatement()) {
            for (int id = 2; id <= 5; id++) {
                s.execute("insert into lean values (" + id + ", " + id * 100 + ")");
            }
        }
    }

    @AfterEach
    void stop() {
        redis.close();
    }

    private static long nearHits(Connection c) throws SQLException {
        return c.unwrap(SqlCacheConnection.class).statistics().nearHits();
    }

    private static List<Integer> rows(PreparedStatement ps) throws SQLException {
        List<Integer> values = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                values.add(rs.getInt(1));
            }
        }
        return values;
    }

    private static List<Integer> from(int first, int count) {
        List<Integer> values = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            values.add((first + i) * 100);
        }
        return values;
    }

    /** Values and maxRows changed back and forth on one statement: each execution answers its own. */
    @Test
    void aReusedExecutionNeverAnswersWithTheLastValuesOrMaxRows() throws Exception {
        try (Connection c = db.through(redis.port());
             PreparedStatement ps = c.prepareStatement("select v from lean where id >= ? order by id")) {
            long before = nearHits(c);
            for (int round = 0; round < 60; round++) {
                ps.setInt(1, 1);
                ps.setMaxRows(0);
                assertEquals(from(1, 5), rows(ps), "round " + round);
                ps.setMaxRows(2);
                assertEquals(from(1, 2), rows(ps), "maxRows 2, round " + round);
                ps.setInt(1, 3);
                assertEquals(from(3, 2), rows(ps), "from 3, maxRows 2, round " + round);
                ps.setMaxRows(0);
                assertEquals(from(3, 3), rows(ps), "from 3, round " + round);
                ps.setLong(1, 4L); // another type for the same parameter: another key
                assertEquals(from(4, 2), rows(ps), "from 4L, round " + round);
                Thread.sleep(10);
            }
            assertTrue(nearHits(c) > before, "the near path was exercised");
        }
    }

    /** One statement used by two threads in turn (a pooled connection handed over), the values set by each. */
    @Test
    void aStatementHandedToAnotherThreadAnswersThatThreadsValues() throws Exception {
        try (Connection c = db.through(redis.port());
             PreparedStatement ps = c.prepareStatement("select v from lean where id = ?")) {
            for (int round = 0; round < 40; round++) {
                int id = 1 + round % 5;
                ps.setInt(1, id);
                assertEquals(List.of(id * 100), rows(ps));
                int other = 1 + (round + 2) % 5;
                AtomicReference<Object> there = new AtomicReference<>();
                Thread t = new Thread(() -> {
                    try {
                        ps.setInt(1, other);
                        there.set(rows(ps));
                    } catch (Throwable e) {
                        there.set(e);
                    }
                });
                t.start();
                t.join();
                assertEquals(List.of(other * 100), there.get(), "round " + round);
                assertEquals(List.of(other * 100), rows(ps), "the values the other thread left");
                Thread.sleep(10);
            }
        }
    }

    /**
     * A warmed statement inside a transaction that wrote: its own write is seen, never the copy from before it; a
     * rollback brings the old value back; the hit after that is a fresh result set, unaffected by the first one.
     */
    @Test
    void aWarmedStatementSeesItsTransactionsWriteAndItsRollback() throws Exception {
        try (Connection c = db.through(redis.port());
             PreparedStatement ps = c.prepareStatement("select v from lean where id = ?")) {
            ps.setInt(1, 2);
            long deadline = System.nanoTime() + 10_000_000_000L;
            long before = nearHits(c);
            while (nearHits(c) == before && System.nanoTime() < deadline) {
                assertEquals(List.of(200), rows(ps));
                Thread.sleep(20);
            }
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                assertEquals(1, s.executeUpdate("update lean set v = 222 where id = 2"));
            }
            for (int i = 0; i < 5; i++) {
                assertEquals(List.of(222), rows(ps), "its own write, read " + i);
            }
            c.rollback();
            for (int i = 0; i < 5; i++) {
                assertEquals(List.of(200), rows(ps), "after the rollback, read " + i);
            }
            c.setAutoCommit(true);
            c.setReadOnly(true);
            ResultSet first = ps.executeQuery();
            assertTrue(first.next());
            first.close();
            ResultSet second = ps.executeQuery();
            assertFalse(second.isClosed(), "a closed flag is not shared between two hits");
            assertNull(second.getWarnings());
            assertTrue(second.next());
            assertEquals(200, second.getInt(1));
            assertFalse(second.next());
            second.close();
        }
    }

    /**
     * Another JVM's writes (a second runtime, through a relay) to the rows a warmed, reused statement reads: each
     * read right after a write returned answers the write, whichever of its values the statement has bound.
     */
    @Test
    void aReusedStatementSeesEveryWriteOfAnotherJvmAtOnce() throws Exception {
        try (dev.sqlcache.testing.TcpRelay relay = dev.sqlcache.testing.TcpRelay.to(redis.port());
             Connection reader = db.through(redis.port()); Connection writer = db.through(relay.port());
             PreparedStatement ps = reader.prepareStatement("select v from lean where id = ?")) {
            long deadline = System.nanoTime() + 10_000_000_000L;
            long before = nearHits(reader);
            while (nearHits(reader) == before && System.nanoTime() < deadline) {
                for (int id = 1; id <= 2; id++) {
                    ps.setInt(1, id);
                    assertEquals(List.of(id * 100), rows(ps));
                }
                Thread.sleep(20);
            }
            assertTrue(nearHits(reader) > before, "warmed to near hits");
            for (int v = 1; v <= 40; v++) {
                int id = 1 + v % 2;
                try (Statement s = writer.createStatement()) {
                    assertEquals(1, s.executeUpdate("update lean set v = " + (id * 1000 + v) + " where id = " + id));
                }
                ps.setInt(1, id);
                assertEquals(List.of(id * 1000 + v), rows(ps), "right after write " + v);
                ps.setInt(1, 3 - id);
                rows(ps); // the other row, its copy untouched by this write
                ps.setInt(1, id);
                assertEquals(List.of(id * 1000 + v), rows(ps), "again after write " + v);
            }
        }
    }
}
