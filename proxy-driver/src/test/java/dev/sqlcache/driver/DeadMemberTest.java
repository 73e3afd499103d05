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
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

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
    /**
     * The database both JVMs share: PostgreSQL unless a scenario that also runs on MariaDB says otherwise
     * ({@link #on}). MariaDB's early drop has no anchor, so only the scenarios that need none run on both.
     */
    private TestDatabase db = TestDatabase.POSTGRES;

    @BeforeEach
    void start() throws Exception {
        redis = RedisServerFixture.start();
        relay = TcpRelay.to(redis.port());
        on(TestDatabase.POSTGRES);
    }

    /** The scenario runs on {@code database}: the table is made there. */
    private void on(TestDatabase database) throws SQLException {
        db = database;
        try (Connection c = db.direct(); Statement s = c.createStatement()) {
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
        return DriverManager.getConnection(db.cachedUrl(), readerSettings());
    }

    /** This JVM's settings: the test's Redis, directly (the child's is behind the relay), and the fence timeout. */
    private Properties readerSettings() {
        Properties p = db.credentials();
        p.setProperty("sqlcache.redis.host", "127.0.0.1");
        p.setProperty("sqlcache.redis.port", Integer.toString(redis.port()));
        p.setProperty("sqlcache.fenceTimeout", FENCE_TIMEOUT);
        return p;
    }

    /**
     * The opening every test shares: the child joins (on {@code childUrl}, with {@code databaseId} when given) and
     * writes 200, which the reader reads and then serves from the cache.
     */
    private void bothCachingAt200(Connection reader, String childUrl, String... databaseId) throws Exception {
        String[] args = {Integer.toString(relay.port()), childUrl, FENCE_TIMEOUT, TABLE};
        if (databaseId.length > 0) {
            args = new String[] {args[0], args[1], args[2], args[3], databaseId[0]};
        }
        child = ChildJvm.start(MemberSessionMain.class, args);
        assertEquals("ready", child.awaitLine("ready"), "the child joined");
        childWrites(200);
        assertEquals(200, value(reader));
        assertTrue(hit(reader, 200), "cached while both JVMs renew");
    }

    private void bothCachingAt200(Connection reader) throws Exception {
        bothCachingAt200(reader, db.cachedUrl());
    }

    /** {@link #bothCachingAt200}, then the child's anchor holds its lock ({@link #awaitChildAnchor}). */
    private void bothCachingAt200WithItsAnchor(Connection reader) throws Exception {
        bothCachingAt200(reader);
        awaitChildAnchor();
    }

    private void childWrites(int v) throws Exception {
        child.send("write " + v);
        assertEquals("wrote " + v, child.awaitLine("wrote"));
    }

    /** How a JVM's own check session, its anchor, shows in pg_stat_activity (MemberSessionChecks). */
    private static final String ANCHOR_APPLICATION_NAME = "sqlcache member check";
    /** The member locks' class ("sqlc"), as pg_locks shows it. */
    private static final long LOCK_CLASS = 0x73716c63L;

    /**
     * The sessions holding the child's member lock (found through its application's session, whose application
     * name is the child's own) whose application name is one of {@code names}.
     */
    private static String childLockHolders(String... names) {
        return "select l.pid from pg_locks l join pg_stat_activity a on a.pid = l.pid where l.locktype = 'advisory'"
                + " and l.classid::bigint = " + LOCK_CLASS + " and l.objsubid = 2 and a.application_name in ('"
                + String.join("', '", names) + "') and l.objid in (select c.objid from pg_locks c join "
                + "pg_stat_activity ca on ca.pid = c.pid where c.locktype = 'advisory' and c.classid::bigint = "
                + LOCK_CLASS + " and ca.application_name = '" + MemberSessionMain.APPLICATION_NAME + "')";
    }

    private static int terminateChildSessions(String... names) throws SQLException {
        int terminated = 0;
        try (Connection c = TestDatabase.POSTGRES.direct(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select pg_terminate_backend(pid) from (" + childLockHolders(names)
                     + ") holders")) {
            while (rs.next()) {
                terminated += rs.getBoolean(1) ? 1 : 0;
            }
        }
        return terminated;
    }

    /**
     * Waits until the child's anchor session holds its lock, then for renewals answered after it: from then on
     * the anchor's lock counts as held from before the last answered renewal's send.
     */
    private static void awaitChildAnchor() throws Exception {
        long start = System.nanoTime();
        while (true) {
            try (Connection c = TestDatabase.POSTGRES.direct(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery(childLockHolders(ANCHOR_APPLICATION_NAME))) {
                if (rs.next()) {
                    break;
                }
            }
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10), "the child opened its anchor");
            Thread.sleep(100);
        }
        Thread.sleep(1500);
    }

    private static int value(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select v from " + TABLE + " where id = 1")) {
            assertTrue(rs.next());
            return rs.getInt(1);
        }
    }

    private int databaseValue() throws SQLException {
        try (Connection c = db.direct()) {
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

    /** Whether the child's lapse showed ({@link #fencedOrReplaced}), and whether the cache served again after it. */
    private record Lapse(boolean fenced, boolean back) {
    }

    /**
     * Reads 200 every 100 ms from {@code from} until the child's lapse showed and a later read was a hit again, or for
     * sqlcache.fenceTimeout at most. {@code fence}: the token before the lapse.
     */
    private Lapse fencedThenServedAgain(Connection reader, String fence, long from) throws Exception {
        boolean fenced = false;
        boolean back = false;
        while (!back && System.nanoTime() - from < FENCE_TIMEOUT_NANOS) {
            CacheStatistics before = stats(reader);
            boolean served = hit(reader, 200);
            fenced |= fencedOrReplaced(stats(reader).since(before), fence);
            back = fenced && served;
            Thread.sleep(100);
        }
        return new Lapse(fenced, back);
    }

    /** The fence token now ("" while it is down). */
    private String fence() {
        try (redis.clients.jedis.Jedis jedis = new redis.clients.jedis.Jedis(redis.host(), redis.port())) {
            String token = jedis.get(MembershipStore.FENCE_KEY);
            return token == null ? "" : token;
        }
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"POSTGRES", "MARIADB"})
    void aKilledJvmFencesTheOthersOnlyUntilItsSessionsAreFoundGone(TestDatabase database) throws Exception {
        on(database);
        try (Connection reader = reader()) {
            bothCachingAt200(reader);

            String fence = fence();
            child.kill();
            long killed = System.nanoTime();
            Lapse lapse = fencedThenServedAgain(reader, fence, killed);
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - killed);
            System.out.println("after the kill: fenced " + lapse.fenced + ", served again after " + seconds + " s");
            assertTrue(lapse.fenced, "the killed JVM's lapse fences the others");
            assertTrue(lapse.back,
                    "served from the cache again before sqlcache.fenceTimeout, as its sessions are gone");
        }
    }

    @Test
    void aKilledJvmWithEarlyDropOffFencesTheOthersUntilFenceTimeout() throws Exception {
        // sqlcache.earlyDrop=false is for JVMs behind a pooler whose sessions outlive or change under them: their
        // sessions vouch for nothing, so they register none and the others wait for fenceTimeout as before.
        String url = TestDatabase.POSTGRES.cachedUrl();
        String noEarlyDrop = url + (url.contains("?") ? "&" : "?") + "sqlcache.earlyDrop=false";
        try (Connection reader = reader()) {
            bothCachingAt200(reader, noEarlyDrop);

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

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"POSTGRES", "MARIADB"})
    void aJvmCutOffFromRedisButAliveKeepsTheOthersFencedUntilFenceTimeout(TestDatabase database) throws Exception {
        on(database);
        try (Connection reader = reader()) {
            bothCachingAt200(reader);

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
            bothCachingAt200WithItsAnchor(reader);

            String fence = fence();
            relay.cut();
            // Every session holding the child's lock: its application's and its anchor (its check session).
            assertTrue(terminateChildSessions(MemberSessionMain.APPLICATION_NAME, ANCHOR_APPLICATION_NAME) >= 2,
                    "its application's session and its anchor were terminated");
            // Alive but without a session: the others cannot tell it from a dead JVM and drop it.
            assertTrue(fencedThenServedAgain(reader, fence, System.nanoTime()).back,
                    "dropped early: no session of the cut-off JVM was left");

            reconnectAndWrite300();
            // Its new connection took the lock after its last answered renewal: the write must not commit while
            // the others, having dropped it, serve from the cache; it waits until fenceTimeout after its lapse.
            long sent = System.nanoTime();
            String wrote = watchWrite(reader, sent, TimeUnit.SECONDS.toNanos(6), false);
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
                    // Quoted: the name is the one the URL asks for, in its case (CACHETEST_DB may have capitals).
                    s.execute("create database \"" + replica + "\"");
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
        Properties p = readerSettings();
        p.setProperty("sqlcache.databaseId", "primary-and-replica");
        try (Connection reader = DriverManager.getConnection("jdbc:sqlcache:" + replicaUrl.substring("jdbc:".length()),
                p)) {
            bothCachingAt200(reader, TestDatabase.POSTGRES.cachedUrl(), "primary-and-replica");

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
    @CsvSource(delimiter = '|', value = {"POSTGRES|DISCARD ALL", "POSTGRES|select pg_advisory_unlock_all()",
            "MARIADB|select release_all_locks()"})
    void aConnectionThatReleasedItsSessionLockIsNotTrustedToTheEarlyDrop(TestDatabase database, String reset)
            throws Exception {
        on(database);
        try (Connection reader = reader()) {
            bothCachingAt200(reader);
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
            String wrote = watchWrite(reader, sent, TimeUnit.SECONDS.toNanos(8), false);
            assertNull(wrote, "the write waits for fenceTimeout after the lapse");
        }
    }

    /**
     * Review rM: MariaDB Connector/J in a high-availability mode ({@code jdbc:mariadb:sequential:}, {@code
     * loadbalance:}, ...; MySQL Connector/J with {@code autoReconnect} or a host list) replaces a lost session behind
     * the same {@code Connection}: the statement that finds it lost fails, the next runs on a new session, which
     * holds no user lock. A lost session is a network cut, a proxy's restart or a {@code KILL} (used here): its lock
     * is then free, the others drop the cut-off JVM, and its next write must not commit unseen on the new session.
     */
    @Test
    void aMariaDbConnectionThatReconnectsUnderItsConnectionIsNotTrustedToTheEarlyDrop() throws Exception {
        on(TestDatabase.MARIADB);
        String ha = TestDatabase.MARIADB.cachedUrl().replace("jdbc:sqlcache:mariadb://",
                "jdbc:sqlcache:mariadb:sequential://");
        try (Connection reader = DriverManager.getConnection(ha, readerSettings())) {
            bothCachingAt200(reader, ha);
            child.send("connid");
            String session = child.awaitLine("connid").substring("connid ".length());

            String fence = fence();
            relay.cut();
            try (Connection c = db.direct(); Statement s = c.createStatement()) {
                s.execute("KILL " + Long.parseLong(session));
            }
            // Not asserted: whether the others drop it (a member whose sessions vouch for nothing is kept). When they
            // do (within seconds of the lapse, about 5 s after the cut), the write below must not commit while they
            // serve from the cache. Bounded at 12 s, so that the write and its watch end well before fenceTimeout
            // after the lapse, when the fenceTimeout drop would serve again anyway.
            long twelveSecondsLeft = System.nanoTime() - (FENCE_TIMEOUT_NANOS - TimeUnit.SECONDS.toNanos(12));
            fencedThenServedAgain(reader, fence, twelveSecondsLeft);
            child.follow();
            child.send("write 300"); // fails, or waits: the driver finds its session lost and reconnects
            child.send("write 300"); // on the new session
            String wrote = watchWrite(reader, System.nanoTime(), TimeUnit.SECONDS.toNanos(6), false);
            // It commits (the check above is what matters: never the answer from before it while it does).
            assertEquals("wrote 300", wrote, "the cut-off JVM's write on its replaced session");
        }
    }

    /**
     * Issue #15: a pool opens a new connection while its JVM is cut off from Redis. Its lock was taken after the
     * last answered renewal's send, but the JVM's anchor session held the same lock from before it and is shown
     * alive after the new connection's lock: the write waits for the lapse alone, not sqlcache.fenceTimeout after
     * it, and the others stay fenced (the lock is held throughout, so nobody drops the child early).
     */
    @Test
    void aCutOffJvmsNewConnectionWaitsOnlyForTheLapseWhileItsAnchorLives() throws Exception {
        try (Connection reader = reader()) {
            bothCachingAt200WithItsAnchor(reader);

            relay.cut();
            long cut = System.nanoTime();
            reconnectAndWrite300();
            String wrote = watchWrite(reader, cut, FENCE_TIMEOUT_NANOS, true);
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - cut);
            System.out.println("the new connection's write returned " + seconds + " s after the cut: " + wrote);
            assertEquals("wrote 300", wrote, "the write returns about at the lapse, well before fenceTimeout after it");
            // Still alive and holding its lock: not dropped early, so nothing older than its write is served.
            long returned = System.nanoTime();
            while (System.nanoTime() - returned < TimeUnit.SECONDS.toNanos(6)) {
                CacheStatistics before = stats(reader);
                assertEquals(300, value(reader), "never the answer from before the cut-off JVM's write");
                CacheStatistics delta = stats(reader).since(before);
                assertEquals(0, delta.hits(), delta::toString);
                Thread.sleep(200);
            }
        }
    }

    /**
     * The anchor is what vouches for the gap between the last answered renewal and the new connection's lock: with
     * it terminated (a dead or replaced session), the new connection is not covered and its write waits until
     * sqlcache.fenceTimeout after the lapse, as before. (The connection's own lock keeps the child from being
     * dropped here; the test checks the wait the rule asks for.)
     */
    @Test
    void aCutOffJvmsNewConnectionWaitsForFenceTimeoutWhenItsAnchorWasTerminated() throws Exception {
        try (Connection reader = reader()) {
            bothCachingAt200WithItsAnchor(reader);

            relay.cut();
            assertEquals(1, terminateChildSessions(ANCHOR_APPLICATION_NAME), "the child's anchor was terminated");
            reconnectAndWrite300();
            long sent = System.nanoTime();
            // Well past the lapse (about 5 s after the cut), well before fenceTimeout after it.
            String wrote = watchWrite(reader, sent, TimeUnit.SECONDS.toNanos(10), false);
            assertNull(wrote, "without a live anchor the write waits for fenceTimeout after the lapse");
        }
    }

    /** The child opens a new connection (as a pool would during the outage) and writes 300 on it. */
    private void reconnectAndWrite300() throws Exception {
        child.send("reconnect");
        assertEquals("reconnected", child.awaitLine("reconnected"));
        child.follow();
        child.send("write 300");
    }

    /**
     * Watches the child's write from {@code from} for {@code nanos} (or until it returns, when {@code untilWritten}),
     * checking that the reader never serves an answer older than the database's meanwhile; the child's last "wrote"
     * or "failed" line, or null.
     */
    private String watchWrite(Connection reader, long from, long nanos, boolean untilWritten) throws Exception {
        String wrote = null;
        while (!(untilWritten && wrote != null) && System.nanoTime() - from < nanos) {
            int before = databaseValue();
            int served = value(reader);
            int after = databaseValue();
            if (before == after) {
                assertEquals(after, served, "the reader served an answer older than the database's");
            }
            String line = wroteOrFailed();
            wrote = line != null ? line : wrote;
            Thread.sleep(200);
        }
        return wrote;
    }

    /** The child's last "wrote" or "failed" line since the last call, or null. */
    private String wroteOrFailed() {
        String wrote = null;
        for (String line; (line = child.poll()) != null; ) {
            if (line.startsWith("wrote") || line.startsWith("failed")) {
                wrote = line;
            }
        }
        return wrote;
    }
}
