package dev.sqlcache.driver;

import dev.sqlcache.internal.membership.DatabaseRegistration;
import dev.sqlcache.testing.RedisServerFixture;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * MariaDB's early drop has each connection take a user lock of its own ({@code GET_LOCK('sqlc:<key>:<n>', 0)}), held
 * by the physical session until it ends or releases it. A pool under sqlcache hands the same physical session to one
 * new proxy connection after another: each took one more lock and none was released, so a long-lived pooled session
 * piled up one lock per borrow (server memory, for as long as the session lived). A proxy connection closing with
 * its transaction idle now releases its own lock before the pool takes the session back.
 */
class PooledSessionLockTest {

    private static final String MEMBERS = "sql:_members";

    /** A pool of one: the same physical connection on every borrow, whose close only gives it back. */
    private static DataSource poolOfOne(Connection physical) {
        Connection borrowed = (Connection) Proxy.newProxyInstance(PooledSessionLockTest.class.getClassLoader(),
                new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "close":
                            return null;
                        case "isClosed":
                            return false;
                        default:
                            try {
                                return method.invoke(physical, args);
                            } catch (InvocationTargetException e) {
                                throw e.getCause();
                            }
                    }
                });
        return HandingDataSource.of(() -> borrowed);
    }

    @Test
    void aPooledSessionWrappedAgainAndAgainHoldsOneUserLockAtMost() throws Exception {
        try (Connection physical = TestDatabase.MARIADB.direct(); RedisServerFixture own = RedisServerFixture.start()) {
            long session = single(physical, "SELECT CONNECTION_ID()");
            SqlCacheDataSource dataSource = new SqlCacheDataSource(poolOfOne(physical), own.tcpProperties());
            try {
                long from = DatabaseRegistration.nextMariaDbLockNumber();
                int borrows = 5;
                for (int i = 0; i < borrows; i++) {
                    try (Connection c = dataSource.getConnection()) {
                        assertEquals(1, single(c, "SELECT 1"));
                    }
                }
                Connection open = dataSource.getConnection();
                long to = DatabaseRegistration.nextMariaDbLockNumber();
                List<String> members = members(own);
                // The open borrow holds its lock: the names looked up are the ones taken.
                assertEquals(1, held(physical, members, from, to, session), "the open borrow's own lock");
                open.close();
                assertEquals(0, held(physical, members, from, to, session),
                        borrows + 1 + " borrows closed: user locks still held by the pooled session");
            } finally {
                dataSource.close();
            }
        }
    }

    /**
     * A {@code MysqlDataSource} the application configured with {@code autoReconnect} and SqlCacheDataSource wraps:
     * its connection may go on writing on a new session after losing its own, so it must take no user lock (its
     * member counts as holding none, and is never dropped early). Before, only the URL and the properties handed
     * through sqlcache were read, neither of which shows a data source's own settings: the session took its lock.
     * The same data source without the setting takes one, so the count is the one looked up.
     */
    @Test
    void aWrappedMysqlDataSourceThatReconnectsTakesNoUserLock() throws Exception {
        try (Connection observer = TestDatabase.MARIADB.direct(); RedisServerFixture own = RedisServerFixture.start()) {
            for (boolean reconnects : new boolean[] {false, true}) {
                com.mysql.cj.jdbc.MysqlDataSource mysql = new com.mysql.cj.jdbc.MysqlDataSource();
                mysql.setUrl("jdbc:mysql://" + dev.sqlcache.testing.TestServices.mariadb().address() + "/"
                        + dev.sqlcache.testing.TestServices.databaseName()
                        + "?sslMode=DISABLED&allowPublicKeyRetrieval=true");
                mysql.setUser("root");
                mysql.setPassword("");
                mysql.setAutoReconnect(reconnects);
                SqlCacheDataSource dataSource = new SqlCacheDataSource(mysql, own.tcpProperties());
                try {
                    long from = DatabaseRegistration.nextMariaDbLockNumber();
                    try (Connection c = dataSource.getConnection()) {
                        long session = single(c, "SELECT CONNECTION_ID()");
                        long to = DatabaseRegistration.nextMariaDbLockNumber();
                        assertEquals(reconnects ? 0 : 1, held(observer, members(own), from, to, session),
                                "user locks held by a wrapped MysqlDataSource's session, autoReconnect=" + reconnects);
                    }
                } finally {
                    dataSource.close();
                }
            }
        }
    }

    /**
     * How many of the lock numbers strictly between {@code from} and {@code to}, under any member's key,
     * {@code session} holds.
     */
    private static int held(Connection physical, List<String> members, long from, long to, long session)
            throws SQLException {
        int held = 0;
        try (PreparedStatement s = physical.prepareStatement("SELECT IS_USED_LOCK(?)")) {
            for (String member : members) {
                int key = DatabaseRegistration.lockKey(member);
                for (long n = from + 1; n < to; n++) {
                s.setString(1, DatabaseRegistration.mariaDbLockName(key, n));
                    try (ResultSet rs = s.executeQuery()) {
                        rs.next();
                        if (rs.getLong(1) == session && !rs.wasNull()) {
                            held++;
                        }
                    }
                }
            }
        }
        return held;
    }

    /** The members on this test's own Redis (this runtime's; a runtime may be a member more than once). */
    private static List<String> members(RedisServerFixture own) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        try (redis.clients.jedis.Jedis jedis = new redis.clients.jedis.Jedis(own.host(), own.port())) {
            List<String> members;
            while ((members = jedis.zrange(MEMBERS, 0, -1)).isEmpty()) {
                assertTrue(System.nanoTime() - deadline < 0, "the runtime never joined");
                Thread.sleep(10);
            }
            return members;
        }
    }

    private static long single(Connection c, String sql) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql); ResultSet rs = s.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
