package dev.sqlcache.driver;

import dev.sqlcache.testing.RedisServerFixture;
import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A MariaDB connection's close releases its own user lock ({@code SELECT RELEASE_LOCK(?)}) before the real close.
 * Between the two the real connection is still open: a statement another thread opened on the proxy then (JDBC lets
 * a connection be shared) was in no list the close had taken, and wrote on a session whose lock a check already
 * finds free. The test runs that other thread's write at the very moment the release returned.
 */
class CloseReleaseRaceTest {

    private static final String TABLE = "hf_close_release_race";

    @Test
    void noStatementRunsOnAClosingConnectionOnceItsLockIsReleased() throws Exception {
        ExecutorService other = Executors.newSingleThreadExecutor();
        try (Connection observer = TestDatabase.MARIADB.direct(); RedisServerFixture own = RedisServerFixture.start()) {
            freshTable(observer);
            AtomicReference<Connection> proxy = new AtomicReference<>();
            AtomicReference<Object> lateWrite = new AtomicReference<>();
            Runnable afterRelease = () -> lateWrite.set(outcomeOf(other.submit(() -> {
                try (Statement s = proxy.get().createStatement()) {
                    return s.executeUpdate("UPDATE " + TABLE + " SET v = v + 1 WHERE id = 1");
                }
            })));
            Connection physical = TestDatabase.MARIADB.direct();
            SqlCacheDataSource dataSource = new SqlCacheDataSource(
                    HandingDataSource.of(() -> releaseWatching(physical, afterRelease)), own.tcpProperties());
            try {
                Connection c = dataSource.getConnection();
                proxy.set(c);
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT v FROM " + TABLE)) {
                    rs.next();
                }
                c.close();
                assertNotNull(lateWrite.get(), "the close released no user lock: nothing was tried after it");
                assertTrue(lateWrite.get() instanceof SQLException,
                        "a statement opened after the close released the connection's user lock ran: " + lateWrite);
                assertEquals("08003", ((SQLException) lateWrite.get()).getSQLState());
                try (Statement s = observer.createStatement();
                     ResultSet rs = s.executeQuery("SELECT v FROM " + TABLE + " WHERE id = 1")) {
                    rs.next();
                    assertEquals(0, rs.getInt(1), "the write after the release committed");
                }
            } finally {
                dataSource.close();
                physical.close();
                dropTable(observer);
            }
        } finally {
            other.shutdownNow();
        }
    }

    /**
     * The other side of the release's argument (review rF): a write under way on a statement of the list when another
     * thread closes the connection, in a transaction it opens itself (auto-commit off). The close must not read the
     * transaction as idle before that write has ended (the status the idle check reads is the last answer's): closing
     * the statement first waits for it, since the drivers' statement close takes the connection's lock. Were the
     * release sent while the write was under way, it would run right after it, with the transaction open, and a commit
     * from the writing thread then (run here at the worst moment, just after the release) would commit on a session
     * whose lock is free. Fails if the close checks idleness before closing its statements, or on a driver whose
     * statement close does not wait for an execution under way.
     */
    @Test
    void aWriteUnderWayWhenTheCloseBeginsKeepsTheLockUntilTheSessionEnds() throws Exception {
        ExecutorService writer = Executors.newSingleThreadExecutor();
        ExecutorService committer = Executors.newSingleThreadExecutor();
        try (Connection observer = TestDatabase.MARIADB.direct(); RedisServerFixture own = RedisServerFixture.start()) {
            freshTable(observer);
            AtomicReference<Connection> proxy = new AtomicReference<>();
            AtomicReference<Object> lateCommit = new AtomicReference<>();
            Runnable afterRelease = () -> lateCommit.set(outcomeOf(committer.submit(() -> {
                proxy.get().commit();
                return "committed";
            })));
            Connection physical = TestDatabase.MARIADB.direct();
            SqlCacheDataSource dataSource = new SqlCacheDataSource(
                    HandingDataSource.of(() -> releaseWatching(physical, afterRelease)), own.tcpProperties());
            try {
                Connection c = dataSource.getConnection();
                proxy.set(c);
                c.setAutoCommit(false);
                Statement update = c.createStatement();
                Future<Integer> write = writer.submit(() -> update.executeUpdate(
                        "UPDATE " + TABLE + " SET v = v + 1 + 0 * SLEEP(2) WHERE id = 1"));
                assertTrue(running(observer, "SLEEP(2)"), "the write never started");
                c.close();
                Object wrote;
                try {
                    wrote = write.get(30, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException e) {
                    wrote = e.getCause();
                }
                try (Statement s = observer.createStatement();
                     ResultSet rs = s.executeQuery("SELECT v FROM " + TABLE + " WHERE id = 1")) {
                    rs.next();
                    assertEquals(0, rs.getInt(1), "the write under way when the close began committed (write: "
                            + wrote + ", a commit just after the release: " + lateCommit.get() + ")");
                }
            } finally {
                dataSource.close();
                physical.close();
                dropTable(observer);
            }
        } finally {
            writer.shutdownNow();
            committer.shutdownNow();
        }
    }

    /**
     * The refusal's own error reaches the application (review rF): the real statement made for a refused one is
     * closed before the refusal is thrown, and a failure of that close was thrown in its place, without the 08003
     * that says why. Here the real connection's close waits until another thread's statement has been refused, and
     * the real statements' close fails.
     */
    @Test
    void aRefusedStatementReportsTheRefusalEvenWhenItsRealStatementFailsToClose() throws Exception {
        ExecutorService other = Executors.newSingleThreadExecutor();
        try (RedisServerFixture own = RedisServerFixture.start()) {
            Connection physical = TestDatabase.H2.direct();
            java.util.concurrent.CountDownLatch closing = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CountDownLatch refused = new java.util.concurrent.CountDownLatch(1);
            Connection real = (Connection) Proxy.newProxyInstance(CloseReleaseRaceTest.class.getClassLoader(),
                    new Class<?>[] {Connection.class}, (p, method, args) -> {
                        if (method.getName().equals("close")) {
                            closing.countDown();
                            refused.await(30, TimeUnit.SECONDS);
                        }
                        Object result = invoke(physical, method, args);
                        if (method.getName().equals("createStatement") && closing.getCount() == 0) {
                            Statement statement = (Statement) result;
                            return Proxy.newProxyInstance(CloseReleaseRaceTest.class.getClassLoader(),
                                    new Class<?>[] {Statement.class}, (q, m, a) -> {
                                        if (m.getName().equals("close")) {
                                            statement.close();
                                            throw new SQLException("the real statement's close failed", "HY000");
                                        }
                                        return invoke(statement, m, a);
                                    });
                        }
                        return result;
                    });
            SqlCacheDataSource dataSource = new SqlCacheDataSource(HandingDataSource.of(() -> real),
                    own.tcpProperties());
            try {
                Connection c = dataSource.getConnection();
                Future<Object> late = other.submit(() -> {
                    assertTrue(closing.await(30, TimeUnit.SECONDS), "the close never reached the real connection");
                    try (Statement s = c.createStatement()) {
                        return "opened";
                    } catch (SQLException e) {
                        return e;
                    } finally {
                        refused.countDown();
                    }
                });
                c.close();
                Object outcome = late.get(30, TimeUnit.SECONDS);
                assertTrue(outcome instanceof SQLException, "a statement opened on a closing connection: " + outcome);
                assertEquals("08003", ((SQLException) outcome).getSQLState(), outcome.toString());
                assertEquals(1, ((SQLException) outcome).getSuppressed().length, "the close's failure, kept");
            } finally {
                dataSource.close();
                physical.close();
            }
        } finally {
            other.shutdownNow();
        }
    }

    /** The table both MariaDB cases write: one row (1, 0), made anew so no earlier run's row counts. */
    private static void freshTable(Connection observer) throws SQLException {
        try (Statement s = observer.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + TABLE);
            s.execute("CREATE TABLE " + TABLE + " (id INT PRIMARY KEY, v INT NOT NULL)");
            s.execute("INSERT INTO " + TABLE + " VALUES (1, 0)");
        }
    }

    private static void dropTable(Connection observer) throws SQLException {
        try (Statement s = observer.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + TABLE);
        }
    }

    /**
     * What a task run on another thread came to, waited for (bounded: 30 s): its value, or what it threw, or why the
     * wait ended. Called from inside the close, so it records rather than throws: the close's own outcome stays the
     * test's to check.
     */
    private static Object outcomeOf(Future<?> task) {
        try {
            return task.get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            return e;
        }
    }

    /** Whether a statement containing {@code marker} shows up running in the process list (bounded: 400 polls). */
    private static boolean running(Connection observer, String marker) throws Exception {
        try (PreparedStatement s = observer.prepareStatement(
                "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE ? AND ID <> CONNECTION_ID()")) {
            s.setString(1, "%" + marker + "%");
            for (int i = 0; i < 400; i++) {
                try (ResultSet rs = s.executeQuery()) {
                    if (rs.next() && rs.getInt(1) > 0) {
                        return true;
                    }
                }
                Thread.sleep(5);
            }
        }
        return false;
    }

    /** The real connection, whose {@code RELEASE_LOCK} statement runs {@code afterRelease} once it has run. */
    private static Connection releaseWatching(Connection physical, Runnable afterRelease) {
        return (Connection) Proxy.newProxyInstance(CloseReleaseRaceTest.class.getClassLoader(),
                new Class<?>[] {Connection.class}, (p, method, args) -> {
                    Object result = invoke(physical, method, args);
                    if (method.getName().equals("prepareStatement") && args.length == 1
                            && String.valueOf(args[0]).contains("RELEASE_LOCK")) {
                        PreparedStatement real = (PreparedStatement) result;
                        return Proxy.newProxyInstance(CloseReleaseRaceTest.class.getClassLoader(),
                                new Class<?>[] {PreparedStatement.class}, (q, m, a) -> {
                                    Object r = invoke(real, m, a);
                                    if (m.getName().equals("close")) {
                                        afterRelease.run();
                                    }
                                    return r;
                                });
                    }
                    return result;
                });
    }

    private static Object invoke(Object target, java.lang.reflect.Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
