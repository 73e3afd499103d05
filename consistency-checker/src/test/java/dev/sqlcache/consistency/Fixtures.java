package dev.sqlcache.consistency;

import dev.sqlcache.testing.RedisServerFixture;
import org.h2.tools.Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** One Redis and one H2 TCP server per test class, and small read helpers. */
abstract class Fixtures {

    static RedisServerFixture redis;
    static Server h2;

    @BeforeAll
    static void startServers() throws SQLException {
        redis = RedisServerFixture.start();
        h2 = Harness.startH2();
    }

    @AfterAll
    static void stopServers() {
        if (redis != null) {
            redis.close();
        }
        if (h2 != null) {
            h2.stop();
        }
    }

    static Target h2Target() {
        return Target.h2Server(h2.getPort(), "targeted");
    }

    /** Fresh tables and an empty Redis. */
    static void reset(Target target) throws SQLException {
        if (!redis.isRunning()) {
            redis.restart();
        }
        redis.resume();
        Harness.createSchema(target);
        redis.flushAll();
    }

    static Connection cached(Target target) throws SQLException {
        return target.cached(redis.tcpProperties());
    }

    static long counter(Connection c, int id) throws SQLException {
        return Workload.single(c, "SELECT val FROM cc_counter WHERE id = ?", id);
    }

    /** The generations of a parent's children, through whatever connection is given. */
    static List<Long> children(Connection c, int parent) throws SQLException {
        List<Long> out = new ArrayList<>();
        try (PreparedStatement p = c.prepareStatement("SELECT gen FROM cc_child WHERE parent_id = ? ORDER BY id")) {
            p.setInt(1, parent);
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getLong(1));
                }
            }
        }
        return out;
    }

    static int execute(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            return s.executeUpdate(sql);
        }
    }
}
