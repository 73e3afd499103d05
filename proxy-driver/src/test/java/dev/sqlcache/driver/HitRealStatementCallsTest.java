package dev.sqlcache.driver;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a hit asks the real statement. A hit does not run it, but its result set must start with the fetch settings
 * the real driver's would, and the statement must report no warnings left from before (the real driver clears them
 * when it executes). Asked on every hit, that was three calls into the real statement per hit; the proxy remembers
 * the settings and asks again only after something changed them or may have left warnings, and every time once the
 * application holds the real statement (unwrap). H2 in memory, the in-process store; the real statements are H2's,
 * seen through a layer that only counts the calls they receive.
 */
class HitRealStatementCallsTest {

    private static final String SQL = "select v from item where id = ?";

    /** Calls received by the real statements, by method name. */
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private JdbcDataSource h2;

    @BeforeEach
    void database() throws SQLException {
        h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:hitcalls_" + UUID.randomUUID().toString().replace("-", "") + ";DB_CLOSE_DELAY=-1");
        h2.setUser("sa");
        try (Connection c = h2.getConnection(); Statement s = c.createStatement()) {
            s.execute("create table item(id int primary key, v int)");
            s.execute("insert into item values (1, 100)");
        }
    }

    private SqlCacheDataSource cached() throws SQLException {
        return new SqlCacheDataSource(new CountingDataSource(h2, calls), Map.of("sqlcache.store", "memory",
                "sqlcache.tablePolicy", "item=on"));
    }

    private int count(String method) {
        AtomicInteger n = calls.get(method);
        return n == null ? 0 : n.get();
    }

    /** Executes until the answer is a hit (the store lands on the writer thread), then returns that result set. */
    private static ResultSet untilHit(Connection c, PreparedStatement ps) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            long hits = c.unwrap(SqlCacheConnection.class).statistics().hits();
            ResultSet rs = ps.executeQuery();
            if (c.unwrap(SqlCacheConnection.class).statistics().hits() > hits) {
                return rs;
            }
            while (rs.next()) {
                // A miss is stored once its result was read to the end.
            }
            rs.close();
            Thread.sleep(10);
        }
        throw new AssertionError("no hit within 10 s: " + c.unwrap(SqlCacheConnection.class).statistics());
    }

    /** What the real driver's result set reports for the same statement settings. */
    private int realFetchSize(int statementFetchSize) throws SQLException {
        try (Connection c = h2.getConnection(); PreparedStatement ps = c.prepareStatement(SQL)) {
            ps.setFetchSize(statementFetchSize);
            ps.setInt(1, 1);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.getFetchSize();
            }
        }
    }

    @Test
    void repeatedHitsAskTheRealStatementNothingAndReportWhatTheRealDriverWould() throws Exception {
        try (SqlCacheDataSource ds = cached(); Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement(SQL)) {
            ps.setFetchSize(25);
            ps.setInt(1, 1);
            untilHit(c, ps).close();
            calls.clear();
            long hits = c.unwrap(SqlCacheConnection.class).statistics().hits();
            for (int i = 0; i < 5; i++) {
                ps.setInt(1, 1);
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    assertEquals(100, rs.getInt(1));
                    assertEquals(realFetchSize(25), rs.getFetchSize());
                    assertEquals(ResultSet.FETCH_FORWARD, rs.getFetchDirection());
                }
                assertEquals(null, ps.getWarnings());
            }
            assertEquals(5, c.unwrap(SqlCacheConnection.class).statistics().hits() - hits, "all five were hits");
            assertEquals(0, count("clearWarnings"), "calls: " + calls);
            assertEquals(0, count("getFetchSize"), "calls: " + calls);
            assertEquals(0, count("getFetchDirection"), "calls: " + calls);
        }
    }

    @Test
    void settingsChangedBetweenHitsAreSeenByTheNextHit() throws Exception {
        try (SqlCacheDataSource ds = cached(); Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement(SQL)) {
            ps.setInt(1, 1);
            untilHit(c, ps).close();

            ps.setFetchSize(7);
            calls.clear();
            try (ResultSet rs = ps.executeQuery()) {
                assertEquals(realFetchSize(7), rs.getFetchSize(), "set through the proxy");
            }
            assertEquals(1, count("clearWarnings"), "a setter reached the real statement: the hit clears once");
            try (ResultSet rs = ps.executeQuery()) {
                assertEquals(realFetchSize(7), rs.getFetchSize());
            }
            assertEquals(1, count("clearWarnings"), "and not again while nothing reached it: " + calls);
            assertEquals(1, count("getFetchSize"), "read once after the change: " + calls);

            // The application holds the real statement: whatever it sets there, the next hit reports.
            PreparedStatement real = ps.unwrap(org.h2.jdbc.JdbcPreparedStatement.class);
            real.setFetchSize(9);
            try (ResultSet rs = ps.executeQuery()) {
                assertEquals(realFetchSize(9), rs.getFetchSize(), "set on the unwrapped real statement");
            }
            real.setFetchSize(11);
            try (ResultSet rs = ps.executeQuery()) {
                assertEquals(realFetchSize(11), rs.getFetchSize(), "and again: asked at every hit from then on");
            }
        }
    }

    /**
     * A data source whose connections and statements are H2's, passed every call unchanged, counting the calls the
     * statements receive. Unwrapping reaches H2's own objects.
     */
    private static final class CountingDataSource implements DataSource {
        private final DataSource real;
        private final Map<String, AtomicInteger> calls;

        CountingDataSource(DataSource real, Map<String, AtomicInteger> calls) {
            this.real = real;
            this.calls = calls;
        }

        private Connection counting(Connection connection) {
            InvocationHandler handler = (proxy, method, args) -> {
                Object result = invoke(connection, method, args);
                if (result instanceof PreparedStatement statement && method.getName().startsWith("prepare")) {
                    return countingStatement(statement, PreparedStatement.class);
                }
                if (result instanceof Statement statement && method.getName().equals("createStatement")) {
                    return countingStatement(statement, Statement.class);
                }
                return result;
            };
            return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class},
                    handler);
        }

        private Object countingStatement(Statement statement, Class<? extends Statement> type) {
            InvocationHandler handler = (proxy, method, args) -> {
                calls.computeIfAbsent(method.getName(), m -> new AtomicInteger()).incrementAndGet();
                return invoke(statement, method, args);
            };
            return Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {type}, handler);
        }

        private static Object invoke(Object target, java.lang.reflect.Method method, Object[] args) throws Throwable {
            try {
                return method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }

        @Override
        public Connection getConnection() throws SQLException {
            return counting(real.getConnection());
        }

        @Override
        public Connection getConnection(String username, String password) throws SQLException {
            return counting(real.getConnection(username, password));
        }

        @Override
        public PrintWriter getLogWriter() throws SQLException {
            return real.getLogWriter();
        }

        @Override
        public void setLogWriter(PrintWriter out) throws SQLException {
            real.setLogWriter(out);
        }

        @Override
        public void setLoginTimeout(int seconds) throws SQLException {
            real.setLoginTimeout(seconds);
        }

        @Override
        public int getLoginTimeout() throws SQLException {
            return real.getLoginTimeout();
        }

        @Override
        public Logger getParentLogger() {
            return Logger.getGlobal();
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            return real.unwrap(iface);
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) throws SQLException {
            return real.isWrapperFor(iface);
        }
    }
}
