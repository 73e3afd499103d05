package dev.sqlcache.driver;

import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Single flight on MariaDB, where a session can hold a table lock outside any transaction (LOCK TABLES ... WRITE,
 * in auto-commit mode) and still read through the cache. Another session's miss of a query on that table leads,
 * and its query waits for the lock. The session holding the lock must not wait for that leader: it would be
 * waiting for itself.
 */
class SingleFlightTableLockTest extends RedisBackedTest {

    private static final String QUERY = "select v from fl_locked where id = 1";
    private static final long BOUND_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final TestDatabase db = TestDatabase.MARIADB;

    @Test
    void aSessionHoldingATableLockDoesNotWaitForALeaderItsLockBlocks() throws Exception {
        try (Connection direct = db.direct(); Connection holder = db.cached(settings());
             Connection other = db.cached(settings())) {
            exec(direct, "drop table if exists fl_locked",
                    "create table fl_locked (id integer primary key, v integer not null) engine = InnoDB",
                    "insert into fl_locked values (1, 10), (2, 20)");
            // The table's layout is learnt now: the holder's read needs no catalog query under its lock.
            assertEquals(List.of(List.of("20")), rows(holder, "select v from fl_locked where id = 2"));
            exec(holder, "lock tables fl_locked write");
            CompletableFuture<List<List<String>>> leader = new CompletableFuture<>();
            Thread leading = reader(other, leader, "leader");
            try {
                awaitBlockedOnTheLock(direct);
                CompletableFuture<List<List<String>>> own = new CompletableFuture<>();
                Thread holding = reader(holder, own, "holder");
                boolean waitedForTheLeader = false;
                long deadline = System.nanoTime() + BOUND_NANOS;
                while (!own.isDone() && !waitedForTheLeader && System.nanoTime() < deadline) {
                    waitedForTheLeader = inFlightWait(holding);
                    Thread.sleep(5);
                }
                assertFalse(waitedForTheLeader, "the lock's holder waits for a leader that waits for its lock");
                assertEquals(List.of(List.of("10")), own.get(30, TimeUnit.SECONDS));
            } finally {
                exec(holder, "unlock tables");
            }
            assertEquals(List.of(List.of("10")), leader.get(30, TimeUnit.SECONDS));
            leading.join(TimeUnit.SECONDS.toMillis(30));
        }
    }

    private static Thread reader(Connection connection, CompletableFuture<List<List<String>>> answer, String name) {
        Thread thread = new Thread(() -> {
            try {
                answer.complete(rows(connection, QUERY));
            } catch (SQLException | RuntimeException e) {
                answer.completeExceptionally(e);
            }
        }, "single-flight-" + name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /** Until the other session's query waits for the table lock (bounded). */
    private static void awaitBlockedOnTheLock(Connection direct) throws Exception {
        long deadline = System.nanoTime() + BOUND_NANOS;
        while (System.nanoTime() < deadline) {
            try (Statement s = direct.createStatement(); var rs = s.executeQuery(
                    "select count(*) from information_schema.processlist where info = '" + QUERY
                            + "' and state like 'Waiting for table%'")) {
                rs.next();
                if (rs.getInt(1) > 0) {
                    return;
                }
            }
            Thread.sleep(5);
        }
        throw new AssertionError("the other session's query never waited for the lock");
    }

    private static boolean inFlightWait(Thread thread) {
        for (StackTraceElement frame : thread.getStackTrace()) {
            if (frame.getClassName().endsWith("Flights$Flight") && frame.getMethodName().equals("await")) {
                return true;
            }
        }
        return false;
    }
}
