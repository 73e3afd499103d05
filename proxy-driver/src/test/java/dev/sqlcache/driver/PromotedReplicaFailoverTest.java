package dev.sqlcache.driver;

import dev.sqlcache.stats.BypassReason;
import dev.sqlcache.stats.CacheStatistics;
import dev.sqlcache.testing.PostgresPair;
import dev.sqlcache.testing.RedisServerFixture;
import dev.sqlcache.testing.TcpRelay;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #15 through a real failover ({@link PostgresPair}): two JVMs reach the database through one host list
 * ({@code targetServerType=primary}), so after the primary is stopped and its streaming replica promoted, new
 * connections reach the promoted server. The other JVM ({@link MemberSessionMain}) is cut off from Redis and wrote
 * on the old primary before it stopped. The cache must come back on the promoted server — bounded by
 * sqlcache.fenceTimeout after the cut-off JVM's lapse (its registration names the old primary's timeline, which no
 * check on the promoted server can match), or earlier when that is safe — and never serve the answer from before
 * the cut-off JVM's write.
 */
class PromotedReplicaFailoverTest {

    private static final String TABLE = "promoted_replica_t";
    private static final String FENCE_TIMEOUT = "15s";
    private static final long FENCE_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(15);
    private static final String DATABASE_ID = "primary-and-replica";

    private static Properties settings(RedisServerFixture redis) {
        Properties p = new Properties();
        p.setProperty("user", "postgres");
        p.setProperty("password", "");
        p.setProperty("sqlcache.redis.host", "127.0.0.1");
        p.setProperty("sqlcache.redis.port", Integer.toString(redis.port()));
        p.setProperty("sqlcache.fenceTimeout", FENCE_TIMEOUT);
        p.setProperty("sqlcache.databaseId", DATABASE_ID);
        return p;
    }

    private static int value(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select v from " + TABLE + " where id = 1")) {
            assertTrue(rs.next());
            return rs.getInt(1);
        }
    }

    /** "127.0.0.1:port" of a real driver's URL ("jdbc:postgresql://127.0.0.1:port/..."). */
    private static String hostAndPort(String url) {
        String rest = url.substring("jdbc:postgresql://".length());
        return rest.substring(0, rest.indexOf('/'));
    }

    private static CacheStatistics stats(Connection c) throws SQLException {
        return c.unwrap(SqlCacheConnection.class).statistics();
    }

    @Test
    void afterAPromotionWithTheOldPrimaryStoppedTheCacheResumesWithoutAStaleAnswer() throws Exception {
        try (PostgresPair pair = PostgresPair.start(); RedisServerFixture redis = RedisServerFixture.start();
             TcpRelay relay = TcpRelay.to(redis.port())) {
            try (Connection c = pair.primary(); Statement s = c.createStatement()) {
                s.execute("create table " + TABLE + "(id int primary key, v int)");
                s.execute("insert into " + TABLE + " values (1, 100)");
            }
            String hosts = "jdbc:sqlcache:postgresql://" + hostAndPort(pair.primaryUrl()) + ","
                    + hostAndPort(pair.replicaUrl()) + "/postgres?targetServerType=primary";
            ChildJvm child = ChildJvm.start(MemberSessionMain.class, Integer.toString(relay.port()), hosts,
                    FENCE_TIMEOUT, TABLE, DATABASE_ID);
            try {
                assertEquals("ready", child.awaitLine("ready"), "the child joined");
                child.send("write 200");
                assertEquals("wrote 200", child.awaitLine("wrote"));
                try (Connection reader = DriverManager.getConnection(hosts, settings(redis))) {
                    boolean hit = false;
                    for (int i = 0; i < 50 && !hit; i++) {
                        CacheStatistics before = stats(reader);
                        assertEquals(200, value(reader));
                        hit = stats(reader).since(before).hits() > 0;
                    }
                    assertTrue(hit, "cached while both JVMs renew");
                }

                relay.cut();
                child.send("write 300"); // on the old primary; returns once its membership has lapsed for certain
                assertEquals("wrote 300", child.awaitLine("wrote"));
                long lapsed = System.nanoTime();
                pair.awaitReplayed();
                pair.stopPrimary(true);
                pair.promote();
                long promoted = System.nanoTime();

                // A new connection reaches the promoted server, which has the cut-off JVM's write.
                try (Connection reader = DriverManager.getConnection(hosts, settings(redis))) {
                    long fenced = 0;
                    boolean back = false;
                    while (!back && System.nanoTime() - lapsed < FENCE_TIMEOUT_NANOS + TimeUnit.SECONDS.toNanos(30)) {
                        CacheStatistics before = stats(reader);
                        assertEquals(300, value(reader), "never the answer from before the cut-off JVM's write");
                        CacheStatistics delta = stats(reader).since(before);
                        fenced += delta.bypasses(BypassReason.FENCED);
                        back = delta.hits() > 0;
                        Thread.sleep(200);
                    }
                    System.out.printf("promoted %d ms after the lapse; cache back %d ms after the lapse "
                                    + "(fenceTimeout %s), %d fenced reads before%n",
                            TimeUnit.NANOSECONDS.toMillis(promoted - lapsed),
                            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lapsed), FENCE_TIMEOUT, fenced);
                    assertTrue(back, "served from the cache again on the promoted server");
                    for (int i = 0; i < 5; i++) {
                        assertEquals(300, value(reader), "never the answer from before the cut-off JVM's write");
                    }
                }
            } finally {
                child.kill();
            }
        }
    }
}
