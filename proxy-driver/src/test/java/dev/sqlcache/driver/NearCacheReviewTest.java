package dev.sqlcache.driver;

import dev.sqlcache.internal.store.NearChannel;
import dev.sqlcache.stats.CacheStatistics;
import dev.sqlcache.testing.RedisServerFixture;
import dev.sqlcache.testing.TcpRelay;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Adversarial review of the near cache (branch nreview): interleavings and inputs under which a JVM serves, from
 * its near cache, an answer older than a write whose commit has already returned, or a write waits too long.
 * Two runtimes stand for two JVMs (connections naming different Redis ports: one direct, one through a relay).
 * Each test describes its interleaving; a failure here is a finding, not a flaky test.
 */
class NearCacheReviewTest {

    private RedisServerFixture redis;
    private TcpRelay relay;

    @BeforeEach
    void start() throws Exception {
        redis = RedisServerFixture.start();
        relay = TcpRelay.to(redis.port());
    }

    @AfterEach
    void stop() {
        relay.close();
        redis.close();
    }

    /** A private H2 database with one table of any name (quoted as given) holding the row (1, 100). */
    private static final class Db {
        final String url = "jdbc:h2:mem:nreview_" + UUID.randomUUID().toString().replace("-", "") + ";DB_CLOSE_DELAY=-1";
        final String table;

        Db(String quotedTable) throws SQLException {
            this.table = quotedTable;
            try (Connection c = DriverManager.getConnection(url, "sa", ""); Statement s = c.createStatement()) {
                s.execute("create table " + table + "(id int primary key, v int)");
                s.execute("insert into " + table + " values (1, 100)");
            }
        }

        Connection through(int port, String... settings) throws SQLException {
            Properties p = new Properties();
            p.putAll(Map.of("sqlcache.redis.host", "127.0.0.1", "sqlcache.redis.port", Integer.toString(port)));
            p.setProperty("user", "sa");
            p.setProperty("password", "");
            for (int i = 0; i < settings.length; i += 2) {
                p.setProperty(settings[i], settings[i + 1]);
            }
            return DriverManager.getConnection("jdbc:sqlcache:" + url.substring("jdbc:".length()), p);
        }

        int value(Connection c) throws SQLException {
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("select v from " + table + " where id = 1")) {
                assertTrue(rs.next());
                return rs.getInt(1);
            }
        }

        void update(Connection c, int v) throws SQLException {
            try (Statement s = c.createStatement()) {
                assertEquals(1, s.executeUpdate("update " + table + " set v = " + v + " where id = 1"));
            }
        }
    }

    private static CacheStatistics stats(Connection c) throws SQLException {
        return TwoRuntimesOnOneRedis.stats(c);
    }

    private static void untilNearHit(Db db, Connection c, int expected) throws Exception {
        TwoRuntimesOnOneRedis.untilNearHit(c, expected, db::value);
    }

    /**
     * Finding 1. Notices are "N\n writer\n id\n key\n key..." split on '\n' by the holder, but a version key holds the
     * table's name as written, and a quoted identifier may contain a newline. The holder then bumps the generations
     * of the fragments, not of the key, acknowledges, and the writer's commit returns while the holder still serves
     * the old row from its copy (until the entry's TTL).
     */
    @Test
    void aTableWhoseNameHoldsANewlineIsInvalidatedInOtherJvms() throws Exception {
        Db db = new Db("\"nl\nx\"");
        try (Connection reader = db.through(redis.port()); Connection writer = db.through(relay.port())) {
            untilNearHit(db, reader, 100);
            assertEquals(100, db.value(writer));
            db.update(writer, 101);
            assertEquals(101, db.value(reader), "a read in another JVM after the write's commit returned");
        }
    }

    /**
     * Finding 2. The writer drops its own copies in changing(), before its end script is sent, and does not wait
     * for (or even get, when it is the only live holder) a notice of its own change. When the key holds no lease
     * at the end (the lease was evicted, expired, or lost in a FLUSHALL or failover), a read in the writer's own
     * JVM that tags after changing() and looks up before the end script runs finds the old entry under the current
     * token, keeps a copy under the new generations, and that copy outlives the commit:
     * <ol>
     *   <li>W: BEGIN; UPDATE (lease); the lease keys disappear (here: deleted, as an eviction would);</li>
     *   <li>R (same JVM) reads: recreates the tokens, reads the committed row (100), stores the entry;</li>
     *   <li>W: COMMIT; endLeases: changing() bumps the generations; R tags now, and its lookup runs before W's
     *       end script: a hit on the old entry, put into the near cache under the post-bump tag;</li>
     *   <li>W's end script runs; no other holder is live, so nothing is published; commit returns;</li>
     *   <li>any read in this JVM is a near hit on the old row until the entry's TTL.</li>
     * </ol>
     * The window is one round trip, so the test repeats the commit with a reader spinning beside it.
     */
    @Test
    void aCommitWhoseLeaseWasLostLeavesNoOldCopyInItsOwnJvm() throws Exception {
        Db db = new Db("own_race");
        try (Connection writer = db.through(redis.port()); Connection spinner = db.through(redis.port());
             Connection checker = db.through(redis.port())) {
            untilNearHit(db, checker, 100);
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> failed = new AtomicReference<>();
            Thread spin = new Thread(() -> {
                try {
                    while (!stop.get()) {
                        db.value(spinner);
                    }
                } catch (Throwable e) {
                    failed.set(e);
                }
            }, "nreview-spinner");
            spin.start();
            int stale = 0;
            int rounds = 0;
            long deadline = System.nanoTime() + 8_000_000_000L;
            try {
                for (int v = 101; v < 2000 && System.nanoTime() < deadline; v++) {
                    rounds++;
                    writer.setAutoCommit(false);
                    db.update(writer, v);
                    dropLeases();
                    Thread.sleep(2); // the spinner reads the committed row and stores it under fresh tokens
                    writer.commit();
                    writer.setAutoCommit(true);
                    int seen = db.value(checker);
                    if (seen != v) {
                        stale++;
                        System.out.println("round " + rounds + ": committed " + v + ", read " + seen + " "
                                + stats(checker));
                        break;
                    }
                }
            } finally {
                stop.set(true);
                spin.join(5000);
            }
            if (failed.get() != null) {
                throw new AssertionError("the spinning reader failed", failed.get());
            }
            System.out.println("own-JVM race: " + rounds + " rounds, " + stale + " stale");
            assertEquals(0, stale, "a read in the writer's own JVM after its commit returned served the old row");
        }
    }

    /**
     * Finding 2 without any lost lease: {@link SqlCacheConnection#invalidateAll()} after a write made outside
     * sqlcache bumps the database's key with no lease before it. A read in the same JVM that tags after
     * changing() and looks up before the bump script runs keeps the old row as a copy that survives the bump (a
     * Redis reader would find the entry dead). Same window, same repetition.
     */
    @Test
    void invalidateAllLeavesNoOldCopyInItsOwnJvm() throws Exception {
        Db db = new Db("own_invalidate");
        try (Connection app = db.through(redis.port()); Connection spinner = db.through(redis.port());
             Connection outside = DriverManager.getConnection(db.url, "sa", "")) {
            untilNearHit(db, app, 100);
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> failed = new AtomicReference<>();
            Thread spin = new Thread(() -> {
                try {
                    while (!stop.get()) {
                        db.value(spinner);
                    }
                } catch (Throwable e) {
                    failed.set(e);
                }
            }, "nreview-spinner");
            spin.start();
            int stale = 0;
            int rounds = 0;
            long deadline = System.nanoTime() + 8_000_000_000L;
            try {
                for (int v = 101; v < 3000 && System.nanoTime() < deadline; v++) {
                    rounds++;
                    try (Statement s = outside.createStatement()) {
                        s.executeUpdate("update " + db.table + " set v = " + v + " where id = 1");
                    }
                    app.unwrap(SqlCacheConnection.class).invalidateAll();
                    int seen = db.value(app);
                    if (seen != v) {
                        stale++;
                        System.out.println("round " + rounds + ": wrote " + v + " and invalidated, read " + seen);
                        break;
                    }
                }
            } finally {
                stop.set(true);
                spin.join(5000);
            }
            if (failed.get() != null) {
                throw new AssertionError("the spinning reader failed", failed.get());
            }
            System.out.println("invalidateAll race: " + rounds + " rounds, " + stale + " stale");
            assertEquals(0, stale, "a read after invalidateAll() returned served the row from before it");
        }
    }

    /**
     * Finding 5. A holder that closes cleanly ZREMs itself; when it was the last one the set disappears, and every
     * later change finds it missing ({-1}): a writer that keeps no near cache but met a holder in the last ten
     * minutes then waits out a whole near lease after its lease and again after its end, for every write, though
     * nobody holds a copy.
     */
    @Test
    void aWriteDoesNotWaitOutNearLeasesAfterTheLastHolderLeft() throws Exception {
        Db db = new Db("last_holder");
        org.h2.jdbcx.JdbcDataSource h2 = new org.h2.jdbcx.JdbcDataSource();
        h2.setURL(db.url);
        h2.setUser("sa");
        SqlCacheDataSource holderSource = new SqlCacheDataSource(h2, Map.of("sqlcache.redis.host", "127.0.0.1",
                "sqlcache.redis.port", Integer.toString(relay.port())));
        try (Connection writer = db.through(redis.port(), "sqlcache.nearCache.maxBytes", "0")) {
            try (Connection holder = holderSource.getConnection()) {
                untilNearHit(db, holder, 100);
                db.update(writer, 101); // meets the holder
                assertEquals(101, db.value(holder));
            }
            holderSource.close(); // the last reference: the holder's runtime closes and leaves the near members
            long started = System.nanoTime();
            for (int v = 102; v < 105; v++) {
                db.update(writer, v);
            }
            long perWriteMillis = (System.nanoTime() - started) / 1_000_000 / 3;
            System.out.println("after the last holder left, a write took " + perWriteMillis + " ms");
            assertTrue(perWriteMillis < 500, "each write waited " + perWriteMillis + " ms with no holder left");
        } finally {
            holderSource.close();
        }
    }

    /** Deletes every version key that holds a lease (what an eviction or a lost failover write does). */
    private void dropLeases() {
        String reply = redis.command("EVAL", """
                local cursor, n = '0', 0
                repeat
                  local page = redis.call('SCAN', cursor, 'MATCH', 'sql:*:version:*', 'COUNT', 1000)
                  cursor = page[1]
                  for _, key in ipairs(page[2]) do
                    if redis.call('TYPE', key).ok == 'string' then
                      local v = redis.call('GET', key)
                      if string.sub(v, 1, 6) == 'lease:' then
                        redis.call('DEL', key)
                        n = n + 1
                      end
                    end
                  end
                until cursor == '0'
                return n""", "0");
        assertTrue(reply.startsWith(":") && !reply.equals(":0"), "no lease found to drop: " + reply);
    }

    /**
     * Finding 3. A writer waits for a silent holder until {@code lapse - storeMillis} (store clock) plus a margin,
     * with no cap: a holder's score in {@code sql:_near:members} that lies further ahead than one near lease (the
     * Redis host's clock stepped back after the holder renewed: NTP, a VM resumed; simulated here by moving the
     * score) makes every write wait that long for a holder that is dead or cut off, though the holder itself stops
     * serving at most one near lease after it sent its renewal. The bound the doc promises is "at most 1 s".
     */
    @Test
    void aWriteWaitsAtMostOneNearLeaseForASilentHolder() throws Exception {
        Db db = new Db("bounded_wait");
        try (Connection holder = db.through(relay.port());
             Connection writer = db.through(redis.port(), "sqlcache.nearCache.maxBytes", "0")) {
            untilNearHit(db, holder, 100);
            assertEquals(100, db.value(writer));
            relay.cut(); // the holder can neither renew nor acknowledge
            // The Redis clock steps back 6 s: the holder's lapse now lies 6 s further ahead on it.
            String moved = redis.command("EVAL", """
                    local t = redis.call('TIME')
                    local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
                    local members = redis.call('ZRANGE', KEYS[1], 0, -1)
                    for _, m in ipairs(members) do
                      redis.call('ZADD', KEYS[1], 'XX', now + 7000, m)
                    end
                    return #members""", "1", NearChannel.MEMBERS_KEY);
            assertEquals(":1", moved, "one holder registered");
            long started = System.nanoTime();
            db.update(writer, 101);
            long waitedMillis = (System.nanoTime() - started) / 1_000_000;
            System.out.println("the write waited " + waitedMillis + " ms for a silent holder");
            assertTrue(waitedMillis < 2_500, "a write waited " + waitedMillis + " ms, more than its near-lease bound");
            relay.restore();
        }
    }

    /**
     * Finding 4 (same root as 3, the other direction). The store judges a holder live by comparing its score with
     * the Redis host's wall clock (TIME), while the holder serves by its own monotonic clock. A forward step of the
     * Redis clock (simulated by moving the score back) makes a live holder look lapsed: the writer neither
     * publishes nor waits, and the holder serves its old copy for up to a near lease after the commit returned.
     */
    /**
     * Liveness is judged by the Redis host's wall clock (TIME), like membership: a forward step makes a live holder
     * look lapsed, so the writer does not wait for it. What bounds the harm: the notice still reaches it (the set
     * names it), and its next renewal (within 250 ms) finds its lease gone and drops every copy. The old row may be
     * served for that moment only (docs/consistency.md, "Near caches").
     */
    @Test
    void aForwardStepOfTheRedisClockLetsAHolderServeAnOldCopyForAMomentAtMost() throws Exception {
        Db db = new Db("clock_step");
        try (Connection holder = db.through(redis.port());
             Connection writer = db.through(relay.port(), "sqlcache.nearCache.maxBytes", "0")) {
            untilNearHit(db, holder, 100);
            assertEquals(100, db.value(writer));
            // The Redis clock steps forward 2 s: every lapse recorded so far is now in the past.
            redis.command("EVAL", """
                    local t = redis.call('TIME')
                    local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
                    for _, m in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
                      redis.call('ZADD', KEYS[1], 'XX', now - 1000, m)
                    end
                    return 1""", "1", NearChannel.MEMBERS_KEY);
            db.update(writer, 101);
            long returned = System.nanoTime();
            while (db.value(holder) != 101) {
                assertTrue(System.nanoTime() - returned < 1_000_000_000L,
                        "the holder served the old row for a whole second after the write returned");
                Thread.sleep(5);
            }
            System.out.println("after a forward step of the Redis clock the holder served the new row "
                    + (System.nanoTime() - returned) / 1_000_000 + " ms after the write returned");
        }
    }
}
