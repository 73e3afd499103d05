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
            try (Statement s = observer.createStatement()) {
                s.execute("DROP TABLE IF EXISTS " + TABLE);
                s.execute("CREATE TABLE " + TABLE + " (id INT PRIMARY KEY, v INT NOT NULL)");
                s.execute("INSERT INTO " + TABLE + " VALUES (1, 0)");
            }
            AtomicReference<Connection> proxy = new AtomicReference<>();
            AtomicReference<Object> lateWrite = new AtomicReference<>();
            Runnable afterRelease = () -> {
                Future<Integer> write = other.submit(() -> {
                    try (Statement s = proxy.get().createStatement()) {
                        return s.executeUpdate("UPDATE " + TABLE + " SET v = v + 1 WHERE id = 1");
                    }
                });
                try {
                    lateWrite.set(write.get(30, TimeUnit.SECONDS));
                } catch (java.util.concurrent.ExecutionException e) {
                    lateWrite.set(e.getCause());
                } catch (Exception e) {
                    lateWrite.set(e);
                }
            };
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
                try (Statement s = observer.createStatement()) {
                    s.execute("DROP TABLE IF EXISTS " + TABLE);
                }
            }
        } finally {
            other.shutdownNow();
        }
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
