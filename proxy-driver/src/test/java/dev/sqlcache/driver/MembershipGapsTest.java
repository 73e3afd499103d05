package dev.sqlcache.driver;

import dev.sqlcache.internal.membership.MembershipStore;
import dev.sqlcache.internal.store.CacheStore;
import dev.sqlcache.testing.RedisServerFixture;
import dev.sqlcache.testing.TcpRelay;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Review of the membership / fence mechanism: interleavings in which a read that starts after a write's commit
 * returned is still answered from the cache with the value from before the write. Two engines with separate
 * stores stand for two JVMs (as in {@link PartitionedWriterTest}); "the writer" reaches Redis through a relay the
 * test controls, "the reader" directly. Every wait is bounded.
 */
class MembershipGapsTest {

    private RedisServerFixture redis;
    private TcpRelay relay;
    private ScriptedRelay scripted;
    private OneRowDatabase db;

    @BeforeEach
    void start() throws Exception {
        redis = RedisServerFixture.start();
        relay = TcpRelay.to(redis.port());
        scripted = ScriptedRelay.to(redis.port());
        db = OneRowDatabase.create("gaps");
    }

    @AfterEach
    void stop() {
        scripted.close();
        relay.close();
        redis.close();
    }

    private Connection direct(String... extra) throws SQLException {
        return open(redis.port(), extra);
    }

    private Connection behindRelay(String... extra) throws SQLException {
        return open(relay.port(), extra);
    }

    private Connection open(int port, String... extra) throws SQLException {
        return db.through(port, extra);
    }

    private int value(Connection c) throws SQLException {
        return db.value(c);
    }

    private void update(Connection c, int v) throws SQLException {
        db.update(c, v);
    }

    /**
     * Reads until a read is a hit (each answer the expected value), within 30 s: the value is cached for this reader.
     * Not a fixed second read: a read right after the miss may still pass through (a renewal not yet answered since
     * the runtime started, a lookup timed out under load), which the fresh-clone CI met once.
     */
    private void cached(Connection reader, int expected) throws SQLException, InterruptedException {
        // A connection just opened joins the membership in the background: under load its first reads may come
        // before the fence is up, and pass through (FENCED) rather than fill the cache.
        awaitFence(true);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        boolean hit = false;
        while (!hit && System.nanoTime() < deadline) {
            long hits = reader.unwrap(SqlCacheConnection.class).statistics().hits();
            assertEquals(expected, value(reader));
            hit = reader.unwrap(SqlCacheConnection.class).statistics().hits() > hits;
            if (!hit) {
                Thread.sleep(20);
            }
        }
        assertTrue(hit, "cached");
    }

    private void awaitFence(boolean up) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (redis.command("EXISTS", MembershipStore.FENCE_KEY).equals(up ? ":1" : ":0")) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("the fence did not go " + (up ? "up" : "down") + " within 10 s");
    }

    /** Reads that found a table leased (WRITE_IN_PROGRESS), as of now. */
    private static long leased(Connection c) throws SQLException {
        return statistics(c).bypasses().getOrDefault(dev.sqlcache.stats.BypassReason.WRITE_IN_PROGRESS, 0L);
    }

    /** The reader's statistics, as of now (each call takes a copy). */
    private static dev.sqlcache.stats.CacheStatistics statistics(Connection c) throws SQLException {
        return c.unwrap(SqlCacheConnection.class).statistics();
    }

    private Jedis jedis() {
        return new Jedis(redis.host(), redis.port());
    }

    /**
     * A transaction longer than its lease: the lease expires, the reader caches the (still committed) old value
     * under a fresh token, then the writer loses Redis right at commit. The end of the lease cannot be delivered,
     * and {@code StoreGuard.endLeases} returns at once (only {@code bump} waits for delivery or the fence), while
     * the writer's membership is still alive for up to 2 s: the fence stays up, the old entry matches.
     */
    @Test
    void anEndThatCannotBeDeliveredAfterTheLeaseExpiredMustNotLeaveTheOldAnswer() throws Exception {
        try (Connection reader = direct(); Connection writer = behindRelay("sqlcache.writeLease", "1s")) {
            cached(reader, 100);
            writer.setAutoCommit(false);
            update(writer, 200);
            Thread.sleep(1_500); // the 1 s lease has expired; the transaction is still open
            cached(reader, 100); // uncommitted: the old value, cached again under a fresh token

            relay.cut();
            writer.commit();
            assertEquals(200, value(reader), "the commit returned: the reader must not answer from before it");
        }
    }

    /**
     * A write whose lease could not be placed waits for its JVM's membership to lapse and runs; the writer then
     * reaches Redis again, owes nothing (the transaction has not ended) and joins again, so the fence comes back.
     * Before the join it places the lease of the write still in flight (UnleasedWrites): the reader does not cache
     * the table again while the transaction is open (it used to, and a snapshot begun between the commit and its
     * end could mix moments: EngineDecisionsTest). The writer loses Redis again right at commit: the end cannot be
     * delivered, the lease placed at the join keeps the table uncached, and the commit waits for the lapse.
     */
    @Test
    void anUnleasedTransactionThatCommitsAfterItsJvmRejoinedMustNotLeaveTheOldAnswer() throws Exception {
        try (Connection reader = direct(); Connection writer = behindRelay()) {
            cached(reader, 100);
            relay.cut();
            writer.setAutoCommit(false);
            update(writer, 200); // the lease fails: waits until this JVM's membership lapsed, then runs
            assertEquals(100, value(reader));

            relay.restore();
            awaitFence(true); // the writer owes nothing yet: it joined again
            long hits = statistics(reader).hits();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (leased(reader) == 0 && System.nanoTime() < deadline) {
                // the reader leaves its 250 ms recovery grace: then it looks the table up and finds it leased
                assertEquals(100, value(reader));
                Thread.sleep(20);
            }
            assertTrue(leased(reader) > 0, "the join leased the table of the write in flight: "
                    + statistics(reader).bypasses());
            assertEquals(100, value(reader));
            assertEquals(hits, statistics(reader).hits(), "not cached while the unleased write runs");

            relay.cut();
            writer.commit();
            assertEquals(200, value(reader), "the commit returned: the reader must not answer from before it");
        }
    }

    /**
     * Membership lives only in Redis's memory. The writer is cut off and lapses, so the fence is down; then Redis
     * restarts without persistence. Had the reader just joined the empty set, the fence would come back fresh
     * although the writer is still cut off and known to nobody, and its next write (it does not wait, its
     * membership lapsed long ago) would be invisible to the reader. The reader remembers the members it saw and
     * puts them back, so the fence stays down. The same holds when maxmemory evicts {@code sql:_members}.
     */
    @Test
    void aRedisRestartWithoutPersistenceMustNotForgetACutOffMember() throws Exception {
        try (Connection reader = direct(); Connection writer = behindRelay()) {
            cached(reader, 100);
            relay.cut();
            update(writer, 200); // waits about 4.3 s, then runs
            assertEquals(200, value(reader));

            redis.restart();
            // The reader remembers the members it saw, the cut-off writer among them, and puts them back: the
            // writer's lapsed membership keeps the fence down although the set was lost.
            long deadline = System.nanoTime() + 3_000_000_000L;
            while (System.nanoTime() < deadline) {
                assertEquals(200, value(reader));
                Thread.sleep(20);
            }
            awaitFence(false);
            assertEquals(":2", redis.command("ZCOUNT", MembershipStore.MEMBERS_KEY, "-inf", "(+inf"),
                    "both members are back in the set");

            update(writer, 300); // still cut off
            assertEquals(300, value(reader), "the commit returned: the reader must not answer from before it");

            relay.restore(); // the writer joins again: caching resumes
            deadline = System.nanoTime() + 10_000_000_000L;
            boolean hit = false;
            while (!hit && System.nanoTime() < deadline) {
                long hits = reader.unwrap(SqlCacheConnection.class).statistics().hits();
                assertEquals(300, value(reader));
                hit = reader.unwrap(SqlCacheConnection.class).statistics().hits() > hits;
                Thread.sleep(20);
            }
            assertTrue(hit, "the reader caches again once the writer is back");
        }
    }

    /**
     * Redis restarts from a snapshot (or an AOF with {@code appendfsync everysec}) taken less than 2 s before the
     * crash: the last acknowledged invalidation is lost, and the old token, the old entry, the memberships and the
     * fence all come back as they were. The fence has not expired yet and every member's renewal finds its own
     * membership alive, so the fence is renewed with its old token for good: the old entry is served until its
     * TTL, in every JVM, although its write's commit returned before the crash.
     */
    @Test
    void aRedisRestartThatRestoresARecentSnapshotMustNotBringBackAnOldAnswer() throws Exception {
        try (Connection reader = direct(); Connection writer = direct()) {
            cached(reader, 100);
            assertEquals("+OK", redis.command("SAVE"));
            update(writer, 200); // leased and ended: acknowledged by Redis
            cached(reader, 200);

            redis.restart(); // loads the snapshot: written less than 2 s ago
            assertEquals(200, value(reader), "the commit returned before the crash");
            Thread.sleep(2_500); // well past the restored fence's expiry, had nobody renewed it
            assertEquals(200, value(reader), "the commit returned before the crash");
        }
    }

    /**
     * The bound a cut-off writer computes (2 x 2 s + margins after its last answered renewal) assumes that at
     * most one unanswered renewal lands. On a slow link (here: commands arrive 600 ms late, the writer's socket
     * timeout is 100 ms) every renewal sent while the writer still believes it is a member lands, each one while
     * the membership is still alive, and each prolongs it by 2 s from when it lands: the membership outlives the
     * bound by about 650 ms. A write that starts just before the bound gives up on its lease when the bound has
     * passed and runs; its lease is still on the wire when the commit returns.
     */
    @Test
    void renewalsThatLandLateMustNotKeepTheFenceUpPastTheWritersBound() throws Exception {
        List<String> before;
        try (Jedis jedis = jedis()) {
            before = jedis.zrange(MembershipStore.MEMBERS_KEY, 0, -1);
        }
        Connection writer = open(scripted.port(), "sqlcache.redis.socketTimeout", "100ms");
        String writerId;
        try (Jedis jedis = jedis()) {
            List<String> members = new java.util.ArrayList<>(jedis.zrange(MembershipStore.MEMBERS_KEY, 0, -1));
            members.removeAll(before); // engines of earlier tests may renew here too, when a port is reused
            members.removeIf(member -> member.startsWith("epoch:")); // the set's epoch, not a member
            assertEquals(1, members.size(), members::toString);
            writerId = members.get(0);
        }
        try (Connection reader = direct()) {
            cached(reader, 100);

            // Right after one of the writer's renewals landed (and was answered), the link slows down.
            long t0;
            try (Jedis jedis = jedis()) {
                Double renewed = jedis.zscore(MembershipStore.MEMBERS_KEY, writerId);
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (renewed.equals(jedis.zscore(MembershipStore.MEMBERS_KEY, writerId))) {
                    assertTrue(System.nanoTime() < deadline, "the writer renews");
                    Thread.sleep(1);
                }
                scripted.delayRequests(600);
                t0 = System.nanoTime();
            }
            // The writer's bound is t0 + 4.25 s. Its lease, sent at t0 + 4.2 s, times out at t0 + 4.3 s.
            Thread.sleep(Math.max(0, (t0 + 4_200_000_000L - System.nanoTime()) / 1_000_000));
            update(writer, 200);
            long returned = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(200, value(reader),
                    "the commit returned " + returned + " ms after the writer's last answered renewal");
        } finally {
            scripted.close(); // the writer's late commands would otherwise keep arriving
            writer.close();
        }
    }

    /**
     * "Readers never create the fence": but a reader that finds the fence present and a table's token missing
     * calls {@code initVersions} on all its version keys, the fence included, and {@code SET NX} creates it again,
     * with no expiry, when it vanished in between (it expires with the earliest membership). Here a member lapses
     * exactly then (the test adds a lapsed member and removes the fence, as its expiry would, right before the
     * reader's initVersions reaches Redis): the fence is back, the reader stores under it, and a write by the
     * lapsed member is hidden until some live member's renewal deletes the fence again.
     */
    @Test
    void aReaderMustNeverCreateTheFence() throws Exception {
        try (Connection reader = open(scripted.port()); Connection plain = db.plain()) {
            awaitFence(true);
            // The reader's own renewals would delete a fence while a lapsed member remains: hold them back for the
            // few hundred ms of this test, as a renewal thread busy elsewhere (or a GC pause) would.
            scripted.delayRequests(3_000, Pattern.compile("\\$12\r\n" + Pattern.quote(MembershipStore.MEMBERS_KEY) + "\r\n"));
            // The lookup script: EVALSHA <sha> <numkeys> with the entry key first and the version keys (the fence
            // among them) after it: it creates the missing ones and must never create the fence.
            scripted.onceBefore(Pattern.compile("EVAL(?:SHA)?\r\n\\$\\d+\r\n[^\r]*\r\n\\$\\d+\r\n\\d+\r\n\\$\\d+\r\n"
                    + "sql:[^\r]*:data:"), () -> {
                        try (Jedis jedis = jedis()) {
                            List<String> time = jedis.time();
                            long now = Long.parseLong(time.get(0)) * 1000 + Long.parseLong(time.get(1)) / 1000;
                            jedis.zadd(MembershipStore.MEMBERS_KEY, now - 1, "a-member-that-just-lapsed");
                            jedis.del(MembershipStore.FENCE_KEY);
                        }
                    });
            assertEquals(100, value(reader)); // the fence vanished just before the lookup: bypass, nothing stored
            String pttl = redis.command("PTTL", MembershipStore.FENCE_KEY);
            try (Statement s = plain.createStatement()) { // the lapsed member's write
                s.executeUpdate("update gaps set v = 200 where id = 1");
            }
            assertEquals(200, value(reader), "the lapsed member's write is hidden by a fence a reader created");
            assertEquals(":-2", pttl, "a reader created the fence");
        }
    }

    /**
     * A full Redis (noeviction) refuses the join ticket ({@code SET ... PX}), while the scripts of renewals and
     * leases still write (their first write is one a full Redis allows, and a script that has written may go on).
     * A JVM that starts while Redis is full therefore reaches Redis for everything but membership, and is not a
     * member: once it is cut off, its writes do not wait and fence nobody, while the others go on serving.
     */
    @Test
    void aJvmThatReachesAFullRedisMustStillBecomeAMember() throws Exception {
        try (Connection reader = direct()) {
            cached(reader, 100);
            redis.command("CONFIG", "SET", "maxmemory-policy", "noeviction");
            redis.command("CONFIG", "SET", "maxmemory", "1");
            try (Connection writer = behindRelay()) {
                assertEquals(100, value(writer)); // it reaches Redis
                relay.cut();
                update(writer, 200);
                assertEquals(200, value(reader), "the commit returned: the reader must not answer from before it");
            } finally {
                redis.command("CONFIG", "SET", "maxmemory", "0");
            }
        }
    }

    /**
     * A link (or proxy) that hangs up on the writer: its renewals never arrive, its join ticket is answered, and its
     * join runs in Redis but the connection is closed before the reply comes back, on the retry's fresh connection
     * too. Two hang-ups in a row look like "plain text to a TLS port", a misconfiguration said to be refused before
     * running, so the membership forgot the join (its bound went back to before it): the writer took itself for
     * lapsed for certain while every join it sent, one per renewal, kept it a live member in Redis and the fence up.
     * Its write then went without lease or wait, and the reader served the value from before it.
     */
    @Test
    void aJoinWhoseConnectionClosedAfterItRanMustStillBoundTheWritersWait() throws Exception {
        try (Connection reader = direct(); Connection writer = open(scripted.port())) {
            cached(reader, 100);
            assertEquals(100, value(writer)); // it reaches Redis, and has joined
            String ticketKey = Pattern.quote(MembershipStore.TICKET_PREFIX);
            scripted.hangUp(Pattern.compile("\\$1\r\n1\r\n\\$\\d+\r\n" + ticketKey + "[^\r]"),
                    Pattern.compile(Pattern.quote(MembershipStore.FENCE_KEY) + "\r\n\\$\\d+\r\n" + ticketKey
                            + "[^\r]"));
            Thread.sleep(3_000); // the writer lapses locally (2 s) and joins again, unanswered, every 500 ms
            long deadline = System.nanoTime() + 10_000_000_000L;
            boolean hit = false;
            while (!hit && System.nanoTime() < deadline) { // the fence is up: the writer is a live member in Redis
                long hits = reader.unwrap(SqlCacheConnection.class).statistics().hits();
                assertEquals(100, value(reader));
                hit = reader.unwrap(SqlCacheConnection.class).statistics().hits() > hits;
                Thread.sleep(20);
            }
            assertTrue(hit, "the reader caches again");

            update(writer, 200);
            assertEquals(200, value(reader), "the commit returned: the reader must not answer from before it");
        }
    }

    /**
     * The same forgotten join by another road: the join runs but its connection is closed before the reply, and the
     * retry's fresh connection is refused its credentials (rotated meanwhile). A refused login is a misconfiguration
     * "refused before running", true of the retry but not of the first attempt, which ran. The writer had lapsed
     * long ago (cut off), so with the join forgotten it took itself for lapsed, while the join had made it a live
     * member again and brought the fence back: its write went without lease or wait.
     */
    @Test
    void aJoinThatRanBeforeItsRetryWasRefusedItsCredentialsMustStillBoundTheWritersWait() throws Exception {
        redis.command("ACL", "SETUSER", "writer", "on", ">before", "~*", "&*", "+@all");
        try (Connection reader = direct();
             Connection writer = open(scripted.port(), "sqlcache.redis.username", "writer",
                     "sqlcache.redis.password", "before")) {
            cached(reader, 100);
            assertEquals(100, value(writer)); // it reaches Redis, and has joined
            Pattern nothing = Pattern.compile("\\A\\z.");
            scripted.hangUp(nothing, nothing); // cut off: every command closes its connection unsent
            awaitFence(false);
            Thread.sleep(5_000); // long past the writer's lapse for certain (2 memberships and a margin)
            String ticketKey = Pattern.quote(MembershipStore.TICKET_PREFIX);
            Pattern join = Pattern.compile(Pattern.quote(MembershipStore.FENCE_KEY) + "\r\n\\$\\d+\r\n" + ticketKey
                    + "[^\r]");
            scripted.onceBefore(join, () -> redis.command("ACL", "SETUSER", "writer", "resetpass", ">after"));
            scripted.hangUp(Pattern.compile("\\$1\r\n1\r\n\\$\\d+\r\n" + ticketKey + "[^\r]"), join);
            awaitFence(true); // the join ran: the writer is a live member in Redis for 2 s
            long deadline = System.nanoTime() + 10_000_000_000L;
            boolean hit = false;
            while (!hit && System.nanoTime() < deadline) {
                long hits = reader.unwrap(SqlCacheConnection.class).statistics().hits();
                assertEquals(100, value(reader));
                hit = reader.unwrap(SqlCacheConnection.class).statistics().hits() > hits;
                Thread.sleep(20);
            }
            assertTrue(hit, "the reader caches again");

            update(writer, 200);
            assertEquals(200, value(reader), "the commit returned: the reader must not answer from before it");
        }
    }
}
