package dev.sqlcache.driver;

import dev.sqlcache.internal.membership.MembershipStore;
import dev.sqlcache.stats.BypassReason;
import dev.sqlcache.stats.CacheStatistics;
import dev.sqlcache.testing.RedisServerFixture;
import dev.sqlcache.testing.TcpRelay;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #15: a JVM killed with {@code kill -9} used to turn the cache off in every other JVM for
 * sqlcache.fenceTimeout; one cut off from Redis but alive and writing must still keep them off. A second JVM
 * ({@link MemberSessionMain}) shares Redis (through a relay the test can cut) and a PostgreSQL table with this one;
 * what this JVM serves is judged by its hits and bypass reasons, and by the database's own value.
 */
class DeadMemberTest {

    private static final String TABLE = "dead_member_t";
    /** Long enough that "back before it" cannot be the fenceTimeout drop, on a loaded machine too. */
    private static final String FENCE_TIMEOUT = "20s";
    private static final long FENCE_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(20);

    private RedisServerFixture redis;
    private TcpRelay relay;
    private ChildJvm child;

    @BeforeEach
    void start() throws Exception {
        redis = RedisServerFixture.start();
        relay = TcpRelay.to(redis.port());
        try (Connection c = TestDatabase.POSTGRES.direct(); Statement s = c.createStatement()) {
            s.execute("drop table if exists " + TABLE);
            s.execute("create table " + TABLE + "(id int primary key, v int)");
            s.execute("insert into " + TABLE + " values (1, 100)");
        }
    }

    @AfterEach
    void stop() {
        if (child != null) {
            child.kill();
        }
        relay.close();
        redis.close();
    }

    private Connection reader() throws SQLException {
        Properties p = TestDatabase.POSTGRES.credentials();
        p.setProperty("sqlcache.redis.host", "127.0.0.1");
        p.setProperty("sqlcache.redis.port", Integer.toString(redis.port()));
        p.setProperty("sqlcache.fenceTimeout", FENCE_TIMEOUT);
        return DriverManager.getConnection(TestDatabase.POSTGRES.cachedUrl(), p);
    }

    private void startChild(String... databaseId) throws Exception {
        String[] args = {Integer.toString(relay.port()), TestDatabase.POSTGRES.cachedUrl(), FENCE_TIMEOUT, TABLE};
        if (databaseId.length > 0) {
            args = new String[] {args[0], args[1], args[2], args[3], databaseId[0]};
        }
        child = ChildJvm.start(MemberSessionMain.class, args);
        assertEquals("ready", child.awaitLine("ready"), "the child joined");
    }

    private void childWrites(int v) throws Exception {
        child.send("write " + v);
        assertEquals("wrote " + v, child.awaitLine("wrote"));
    }

    private static int value(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select v from " + TABLE + " where id = 1")) {
            assertTrue(rs.next());
            return rs.getInt(1);
        }
    }

    private static int databaseValue() throws SQLException {
        try (Connection c = TestDatabase.POSTGRES.direct()) {
            return value(c);
        }
    }

    private static CacheStatistics stats(Connection c) throws SQLException {
        return c.unwrap(SqlCacheConnection.class).statistics();
    }

    /** Reads until a hit, checking every answer; true once one was served from the cache. */
    private static boolean hit(Connection reader, int expected) throws SQLException {
        CacheStatistics before = stats(reader);
        assertEquals(expected, value(reader), "never an answer other than the database's");
        return stats(reader).since(before).hits() > 0;
    }

    /**
     * Whether the child's lapse showed: this read was fenced, or the fence was replaced (it comes back with a new
     * token only once no lapsed member remains, so a drop of the child happened; the fenced moment in between may
     * fall between two reads on a loaded machine).
     */
    private boolean fencedOrReplaced(CacheStatistics read, String fenceBefore) {
        return read.bypasses(BypassReason.FENCED) > 0
                || !fenceBefore.equals(fence());
    }

    /** The fence token now ("" while it is down). */
    private String fence() {
        try (redis.clients.jedis.Jedis jedis = new redis.clients.jedis.Jedis(redis.host(), redis.port())) {
            String token = jedis.get(MembershipStore.FENCE_KEY);
            return token == null ? "" : token;
        }
    }

    @Test
    void aKilledJvmFencesTheOthersOnlyUntilItsSessionsAreFoundGone() throws Exception {
        try (Connection reader = reader()) {
            startChild();
            childWrites(200);
            assertEquals(200, value(reader));
            assertTrue(hit(reader, 200), "cached while both JVMs renew");

            String fence = fence();
            child.kill();
            long killed = System.nanoTime();
            boolean fenced = false;
            boolean back = false;
            while (!back && System.nanoTime() - killed < FENCE_TIMEOUT_NANOS) {
                CacheStatistics before = stats(reader);
                boolean served = hit(reader, 200);
                fenced |= fencedOrReplaced(stats(reader).since(before), fence);
                back = fenced && served;
                Thread.sleep(100);
            }
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - killed);
            System.out.println("after the kill: fenced " + fenced + ", served again after " + seconds + " s");
            assertTrue(fenced, "the killed JVM's lapse fences the others");
            assertTrue(back, "served from the cache again before sqlcache.fenceTimeout, as its sessions are gone");
        }
    }

    @Test
    void aKilledJvmWithEarlyDropOffFencesTheOthersUntilFenceTimeout() throws Exception {
        // sqlcache.earlyDrop=false is for JVMs behind a pooler whose sessions outlive or change under them: their
        // sessions vouch for nothing, so they register none and the others wait for fenceTimeout as before.
        String url = TestDatabase.POSTGRES.cachedUrl();
        String noEarlyDrop = url + (url.contains("?") ? "&" : "?") + "sqlcache.earlyDrop=false";
        try (Connection reader = reader()) {
            child = ChildJvm.start(MemberSessionMain.class,
                    new String[] {Integer.toString(relay.port()), noEarlyDrop, FENCE_TIMEOUT, TABLE});
            assertEquals("ready", child.awaitLine("ready"), "the child joined");
            childWrites(200);
            assertEquals(200, value(reader));
            assertTrue(hit(reader, 200), "cached while both JVMs renew");

            child.kill();
            long killed = System.nanoTime();
            boolean fenced = false;
            // Well past the 1-2 s the early drop takes when it applies, well before fenceTimeout.
            while (System.nanoTime() - killed < TimeUnit.SECONDS.toNanos(8)) {
                CacheStatistics before = stats(reader);
                assertEquals(200, value(reader), "never an answer other than the database's");
                CacheStatistics delta = stats(reader).since(before);
                fenced |= delta.bypasses(BypassReason.FENCED) > 0;
                if (fenced) {
                    assertEquals(0, delta.hits(), "served from the cache while the killed JVM is not yet dropped");
                }
                Thread.sleep(200);
            }
            assertTrue(fenced, "the killed JVM's lapse fences the others");
        }
    }

    @Test
    void aJvmCutOffFromRedisButAliveKeepsTheOthersFencedUntilFenceTimeout() throws Exception {
        try (Connection reader = reader()) {
            startChild();
            childWrites(200);
            assertEquals(200, value(reader));
            assertTrue(hit(reader, 200), "cached while both JVMs renew");

            relay.cut();
            childWrites(300); // returns once its membership has lapsed for certain: the fence is down
            long wrote = System.nanoTime();
            // Well past the lapse and several checks of it, well before fenceTimeout: its lock is still held.
            while (System.nanoTime() - wrote < TimeUnit.SECONDS.toNanos(8)) {
                CacheStatistics before = stats(reader);
                assertEquals(300, value(reader), "never the answer from before the cut-off JVM's write");
                CacheStatistics delta = stats(reader).since(before);
                assertEquals(0, delta.hits(), delta::toString);
                assertEquals(1, delta.bypasses(BypassReason.FENCED), delta::toString);
                Thread.sleep(200);
            }
        }
    }

    @Test
    void aCutOffJvmWhoseSessionsWereTerminatedDoesNotTrustItsNewConnectionToTheEarlyDrop() throws Exception {
        try (Connection reader = reader()) {
            startChild();
            childWrites(200);
            assertEquals(200, value(reader));
            assertTrue(hit(reader, 200), "cached while both JVMs renew");

            String fence = fence();
            relay.cut();
            try (Connection c = TestDatabase.POSTGRES.direct(); Statement s = c.createStatement()) {
                s.execute("select pg_terminate_backend(pid) from pg_stat_activity where application_name = '"
                        + MemberSessionMain.APPLICATION_NAME + "'");
            }
            // Alive but without a session: the others cannot tell it from a dead JVM and drop it.
            long cut = System.nanoTime();
            boolean fenced = false;
            boolean back = false;
            while (!back && System.nanoTime() - cut < FENCE_TIMEOUT_NANOS) {
                CacheStatistics before = stats(reader);
                boolean served = hit(reader, 200);
                fenced |= fencedOrReplaced(stats(reader).since(before), fence);
                back = fenced && served;
                Thread.sleep(100);
            }
            assertTrue(back, "dropped early: no session of the cut-off JVM was left");

            child.send("reconnect");
            assertEquals("reconnected", child.awaitLine("reconnected"));
            child.follow();
            child.send("write 300");
            // Its new connection took the lock after its last answered renewal: the write must not commit while
            // the others, having dropped it, serve from the cache; it waits until fenceTimeout after its lapse.
            long sent = System.nanoTime();
            String wrote = null;
            while (System.nanoTime() - sent < TimeUnit.SECONDS.toNanos(6)) {
                int before = databaseValue();
                int served = value(reader);
                int after = databaseValue();
                if (before == after) {
                    assertEquals(after, served, "the reader served an answer older than the database's");
                }
                for (String line; (line = child.poll()) != null; ) {
                    if (line.startsWith("wrote") || line.startsWith("failed")) {
                        wrote = line;
                    }
                }
                Thread.sleep(200);
            }
            assertNull(wrote, "the write waits for fenceTimeout after the lapse");
        }
    }

    /**
     * Two URLs given one sqlcache.databaseId, as for a primary and its read replica (so that a write through the
     * primary invalidates what the replica's readers cached): a session lock lives in one server's database only.
     * Here the "replica" is another database on the same server, where the child holds no session: this JVM reaches
     * the shared identity only there, and must not take the lock's being free there for the child's death.
     */
    @Test
    void aLockFreeOnAnotherDatabaseOfTheSameIdentityDoesNotDropACutOffJvm() throws Exception {
        String replica = TestDatabase.Name.DB + "_replica";
        try (Connection c = TestDatabase.POSTGRES.direct(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("select 1 from pg_database where datname = '" + replica + "'")) {
                if (!rs.next()) {
                    s.execute("create database " + replica);
                }
            }
        }
        String replicaUrl = TestDatabase.POSTGRES.url().substring(0, TestDatabase.POSTGRES.url().lastIndexOf('/') + 1)
                + replica;
        try (Connection c = DriverManager.getConnection(replicaUrl, TestDatabase.POSTGRES.credentials());
             Statement s = c.createStatement()) {
            s.execute("drop table if exists " + TABLE);
            s.execute("create table " + TABLE + "(id int primary key, v int)");
            s.execute("insert into " + TABLE + " values (1, 200)");
        }
        Properties p = TestDatabase.POSTGRES.credentials();
        p.setProperty("sqlcache.redis.host", "127.0.0.1");
        p.setProperty("sqlcache.redis.port", Integer.toString(redis.port()));
        p.setProperty("sqlcache.fenceTimeout", FENCE_TIMEOUT);
        p.setProperty("sqlcache.databaseId", "primary-and-replica");
        try (Connection reader = DriverManager.getConnection("jdbc:sqlcache:" + replicaUrl.substring("jdbc:".length()),
                p)) {
            startChild("primary-and-replica");
            childWrites(200);
            assertEquals(200, value(reader));
            assertTrue(hit(reader, 200), "cached while both JVMs renew");

            relay.cut();
            childWrites(300); // committed on the primary: a replica would replay it, while this JVM serves 200
            long wrote = System.nanoTime();
            while (System.nanoTime() - wrote < TimeUnit.SECONDS.toNanos(8)) {
                CacheStatistics before = stats(reader);
                value(reader);
                CacheStatistics delta = stats(reader).since(before);
                assertEquals(0, delta.hits(), () -> "served from the cache while the cut-off JVM that wrote is alive: "
                        + delta);
                Thread.sleep(200);
            }
        }
    }

    /**
     * An application that resets its session through its own sqlcache connection ({@code DISCARD ALL}, as some
     * pools do on return, or {@code pg_advisory_unlock_all()}) releases the member's session lock while the
     * session lives: its writes must no longer rely on the early drop.
     */
    @ParameterizedTest
    @ValueSource(strings = {"DISCARD ALL", "select pg_advisory_unlock_all()"})
    void aConnectionThatReleasedItsSessionLockIsNotTrustedToTheEarlyDrop(String reset) throws Exception {
        try (Connection reader = reader()) {
            startChild();
            childWrites(200);
            assertEquals(200, value(reader));
            assertTrue(hit(reader, 200), "cached while both JVMs renew");
            child.send("run " + reset);
            assertEquals("ran", child.awaitLine("ran"));
            Thread.sleep(1500); // renewals after the reset: nothing a later renewal says may cover the connection

            relay.cut();
            child.follow();
            child.send("write 300");
            // Trusting the released lock, the write returns about when the membership lapses, and the others,
            // finding no lock, drop the child and serve the answer from before it; untrusted, the write waits
            // until fenceTimeout after the lapse.
            long sent = System.nanoTime();
            String wrote = null;
            while (System.nanoTime() - sent < TimeUnit.SECONDS.toNanos(8)) {
                int before = databaseValue();
                int served = value(reader);
                int after = databaseValue();
                if (before == after) {
                    assertEquals(after, served, "the reader served an answer older than the database's");
                }
                for (String line; (line = child.poll()) != null; ) {
                    if (line.startsWith("wrote") || line.startsWith("failed")) {
                        wrote = line;
                    }
                }
                Thread.sleep(200);
            }
            assertNull(wrote, "the write waits for fenceTimeout after the lapse");
        }
    }
}
