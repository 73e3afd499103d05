package dev.sqlcache.driver;

import dev.sqlcache.stats.BypassReason;
import dev.sqlcache.stats.CacheStatistics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Writes to a table that no JVM caches skip their lease and its end, under a skip permit; a JVM that has the table
 * on takes it back, and no read after a write returned shows what that write changed. Two runtimes stand for two
 * JVMs: one reaches Redis directly, the other through a relay.
 */
class SkipInvalidationTest extends TwoRuntimesOnOneRedis {

    private static final String TABLE = "skipped";
    /**
     * How long a wait for something that does come (a permit, hits) may take before the test gives up: generous,
     * since it ends as soon as the condition holds, and a loaded machine (CI, two cores) stretches every renewal
     * round (a permit once took over 10 s under a load average of 27). Bounds the product promises stay as written.
     */
    private static final long PATIENCE_NANOS = 30_000_000_000L;
    private static final Pattern EVALSHA_CALLS = Pattern.compile("cmdstat_evalsha:calls=(\\d+)");

    SkipInvalidationTest() {
        super(TABLE);
    }

    /** A connection of a JVM that has the table pinned off. */
    private Connection pinnedOff(int port, String... more) throws SQLException {
        String[] settings = new String[more.length + 2];
        settings[0] = "sqlcache.tablePolicy";
        settings[1] = TABLE + "=off";
        System.arraycopy(more, 0, settings, 2, more.length);
        return db.through(port, settings);
    }

    /** Writes (which makes the table known) until this JVM holds the table's permit. */
    private void untilPermit(Connection c, int value) throws Exception {
        long deadline = System.nanoTime() + PATIENCE_NANOS;
        while (stats(c).skipPermits() == 0) {
            assertTrue(System.nanoTime() < deadline, "no skip permit within 30 s: " + stats(c));
            db.update(c, value);
            Thread.sleep(50);
        }
    }

    /** Scripts Redis has run; read with Jedis, since the fixture's {@code command} returns a reply's first line only. */
    private long evalshaCalls() {
        try (redis.clients.jedis.Jedis jedis = new redis.clients.jedis.Jedis(redis.host(), redis.port())) {
            Matcher m = EVALSHA_CALLS.matcher(jedis.info("commandstats"));
            if (!m.find()) {
                throw new AssertionError("no EVALSHA in INFO commandstats: the count could not be read");
            }
            return Long.parseLong(m.group(1));
        }
    }

    /**
     * A skipping write makes one Redis call, after its statement: a read-only script confirming its permit's lease
     * still stands (a lease deleted from outside must not let it return unseen). A leased write runs two scripts.
     */
    @Test
    void aWriteToATablePinnedOffEverywhereRunsOneReadOnlyScript() throws Exception {
        try (Connection c = pinnedOff(redis.port())) {
            untilPermit(c, 100);
            CacheStatistics before = stats(c);
            long calls = evalshaCalls();
            int writes = 300;
            for (int v = 1; v <= writes; v++) {
                db.update(c, v);
            }
            long made = evalshaCalls() - calls;
            System.out.println(writes + " skipping writes; scripts Redis ran meanwhile (their checks and background "
                    + "renewals): " + made);
            assertEquals(writes, stats(c).since(before).skippedWrites());
            // Each skipping write runs its check; a leased write runs two scripts, so leasing makes at least
            // 2 x writes. The background runs about eight a second (membership, near cache, the permit) however long
            // the writes take, which on a loaded machine reached 62 during 300 writes: the bound sits between
            // writes + that and 2 x writes, and does not depend on the pace.
            assertTrue(made >= writes && made < 2 * writes, made + " scripts for " + writes + " writes");
            assertEquals(writes, db.value(c));
        }
    }

    /** The table's version keys (not its cachers set) that hold a lease now, with their values. */
    private java.util.Map<String, String> leasedKeys() {
        java.util.Map<String, String> leased = new java.util.TreeMap<>();
        try (redis.clients.jedis.Jedis jedis = new redis.clients.jedis.Jedis(redis.host(), redis.port())) {
            for (String key : jedis.keys("sql:" + TABLE + ":version:*")) {
                if (key.endsWith(":cachers") || key.endsWith(":leases")) {
                    continue;
                }
                String value = jedis.get(key);
                if (value != null && value.startsWith("lease:")) {
                    leased.put(key, value);
                }
            }
        }
        return leased;
    }

    /**
     * A permit is a lease on the table: while it stands no JVM serves or stores the table. Once the writes it was for
     * have stopped it must go, and none may be granted for a table nobody writes any more, however long it stays
     * off. (Before: a table once written asked for a permit as long as it was off, and kept renewing it with no
     * write in sight; the sample's demo, pinning the table on in a pool of its own, found every read
     * WRITE_IN_PROGRESS.)
     */
    @Test
    void aPermitEndsOnceItsTableIsNoLongerWrittenAndNoneIsGrantedUntilItIs() throws Exception {
        try (Connection a = pinnedOff(redis.port())) {
            untilPermit(a, 100);
            assertTrue(!leasedKeys().isEmpty(), "the permit's lease stands");
            // No write from now on.
            long deadline = System.nanoTime() + 15_000_000_000L;
            while (stats(a).skipPermits() > 0 || !leasedKeys().isEmpty()) {
                assertTrue(System.nanoTime() < deadline, "the permit outlived its writes by 15 s: "
                        + stats(a).skipPermits() + " permit(s), leased keys " + leasedKeys());
                Thread.sleep(100);
            }
            // Still off, still not written: no permit comes back (several renewal rounds).
            long quiet = System.nanoTime() + 3_000_000_000L;
            while (System.nanoTime() < quiet) {
                assertEquals(java.util.Map.of(), leasedKeys(), "a lease with no write in flight");
                assertEquals(0, stats(a).skipPermits());
                Thread.sleep(100);
            }
            // Writing again asks for one again.
            untilPermit(a, 200);
            assertEquals(200, db.value(a));
        }
    }

    /**
     * A table written now and then, a little less often than a permit's idle window (2 s), must not get a permit
     * after each write: the write that makes it wanted has already taken its own lease (no permit yet), and the
     * permit then stands for up to 2 s with no write to stand for (no write comes before it is given up), keeping the
     * table from every JVM that caches it and has not registered, for nothing, and costing a grant (lease, near-cache
     * acknowledgement, write sequence), renewals, an end and two INFO lines per write. Failed before the fix (a
     * permit granted after each of the writes, none of which skipped).
     */
    @Test
    void aTableWrittenLessOftenThanTheIdleWindowGetsNoPermitThatNoWriteUses() throws Exception {
        try (Connection c = pinnedOff(redis.port())) {
            CacheStatistics before = stats(c);
            int grants = 0;
            boolean held = false;
            int writes = 4;
            for (int v = 1; v <= writes; v++) {
                db.update(c, v);
                // 2.6 s between writes: longer than the idle window, so each write is alone in it.
                long next = System.nanoTime() + 2_600_000_000L;
                while (System.nanoTime() < next) {
                    boolean now = stats(c).skipPermits() > 0;
                    if (now && !held) {
                        grants++;
                    }
                    held = now;
                    Thread.sleep(20);
                }
            }
            long skipped = stats(c).since(before).skippedWrites();
            System.out.println(writes + " writes 2.6 s apart: " + grants + " permit(s) granted, " + skipped
                    + " write(s) skipped");
            assertEquals(0, skipped, "no write comes under a permit granted after the write");
            assertEquals(0, grants, "permits granted that no write used");
            assertEquals(writes, db.value(c));
        }
    }

    /**
     * A skipping write in a transaction that stays open must not keep its permit, and so a lease on the table, beyond
     * {@code sqlcache.writeLease} once the permit is given up (here: unwanted, no write for 2 s), as an ordinary
     * write's lease in the same transaction would not: a connection left idle in a transaction (a leaked pooled
     * connection, a session the database killed while the proxy never heard) kept the table from every JVM that
     * caches it for as long as this JVM lived (review r1 of t1). Now the permit is released writeLease after it was
     * given up: its generation moves (the open write no longer counts, and is no longer covered) and its lease ends.
     * Another JVM then caches the table while the write is still open; the write's commit leases the table first
     * (as an ordinary write whose lease is old does) and ends that lease after it, so the other JVM reads the
     * committed value right after the commit returned. Failed before (the lease still stood). The same through SQL
     * COMMIT and {@code setAutoCommit(true)}, which did not lease the table before committing (only bumped it after:
     * the sequence moved once, not twice).
     */
    @ParameterizedTest
    @EnumSource(CommitWay.class)
    void aSkippingWriteLeftOpenHoldsItsPermitNoLongerThanAWriteLease(CommitWay way) throws Exception {
        try (Connection a = pinnedOff(redis.port(), "sqlcache.writeLease", "2s");
             Connection b = db.through(relay.port())) {
            untilPermit(a, 100);
            CacheStatistics before = stats(a);
            a.setAutoCommit(false);
            try {
                db.update(a, 101);
                assertEquals(1, stats(a).since(before).skippedWrites(), "the write skipped under the permit");
                // The transaction stays open, as a leaked connection's would: the permit is given up after 2 s
                // without writes, and released 2 s (writeLease) later. A bound for a loaded machine, not a figure.
                long deadline = System.nanoTime() + PATIENCE_NANOS;
                while (!leasedKeys().isEmpty() || stats(a).skipPermits() > 0) {
                    assertTrue(System.nanoTime() < deadline, "a lease 30 s into a transaction, writeLease 2 s: "
                            + leasedKeys() + ", " + stats(a).skipPermits() + " permit(s)");
                    Thread.sleep(100);
                }
                // The other JVM caches the table (the committed value) while the write is still open.
                CacheStatistics bBefore = stats(b);
                while (stats(b).since(bBefore).hits() < 3) {
                    assertTrue(System.nanoTime() < deadline, "B served no hits: " + stats(b).since(bBefore));
                    assertEquals(100, db.value(b));
                    Thread.sleep(20);
                }
                long sequence = writeSequence();
                switch (way) {
                    case JDBC_COMMIT -> a.commit();
                    case SQL_COMMIT -> {
                        try (java.sql.Statement commit = a.createStatement()) {
                            commit.execute("commit");
                        }
                    }
                    case AUTO_COMMIT_ON -> a.setAutoCommit(true);
                }
                // Leased before the commit and ended after it: the write sequence moved twice. A bump after the
                // commit alone (what SQL COMMIT and setAutoCommit(true) did) moves it once and leaves a snapshot
                // reader pinned before the commit a window to be served what it wrote.
                assertEquals(sequence + 2, writeSequence(), "the uncovered write leased before its commit");
            } finally {
                a.setAutoCommit(true);
            }
            assertEquals(101, db.value(b), "B's read right after A's commit returned");
            assertEquals(java.util.Map.of(), leasedKeys(), "the commit's lease ended with it");
        }
    }

    /** The counter of the database's write sequence: every lease, end and bump moves it. */
    private long writeSequence() {
        try (redis.clients.jedis.Jedis jedis = new redis.clients.jedis.Jedis(redis.host(), redis.port())) {
            String value = jedis.get(jedis.keys("sql:_database:seq:*").iterator().next());
            return Long.parseLong(value.substring(value.lastIndexOf(':') + 1));
        }
    }

    /** How a test's transaction commits. */
    enum CommitWay {
        JDBC_COMMIT, SQL_COMMIT, AUTO_COMMIT_ON
    }

    @Test
    void aRedisThatMayEvictTheLeaseGrantsNoPermitAndTakesBackTheOneHeld() throws Exception {
        try (Connection c = pinnedOff(redis.port())) {
            untilPermit(c, 100);
            // An evicting policy set at run time: the next renewal gives the permit up.
            redis.command("CONFIG", "SET", "maxmemory", "64mb");
            redis.command("CONFIG", "SET", "maxmemory-policy", "allkeys-lru");
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (stats(c).skipPermits() > 0) {
                assertTrue(System.nanoTime() < deadline, "the permit outlived an evicting policy: " + stats(c));
                Thread.sleep(50);
            }
            // And none is granted again while the policy stands: every write leases.
            CacheStatistics before = stats(c);
            for (int v = 1; v <= 40; v++) {
                db.update(c, v);
                Thread.sleep(50);
            }
            assertEquals(0, stats(c).since(before).skippedWrites(), "no write skipped on an evicting Redis");
            assertEquals(0, stats(c).skipPermits());
            assertEquals(40, db.value(c));
        }
    }

    @Test
    void anotherJvmTurningTheTableOnNeverReadsWhatASkippingWriteChanged() throws Exception {
        try (Connection a = pinnedOff(redis.port()); Connection b = db.through(relay.port())) {
            untilPermit(a, 100);
            CacheStatistics aBefore = stats(a);
            CacheStatistics bBefore = stats(b);
            int v = 1000;
            long deadline = System.nanoTime() + 30_000_000_000L;
            int afterHits = 0;
            for (int i = 0; i < 5_000 && afterHits < 50; i++) {
                assertTrue(System.nanoTime() < deadline, "B served no hits within 30 s: " + stats(b).since(bBefore));
                db.update(a, ++v);
                assertEquals(v, db.value(b), "B's read after A's write returned");
                assertEquals(v, db.value(b), "B's second read after A's write returned");
                if (stats(b).since(bBefore).hits() > 0) {
                    afterHits++;
                }
                if (i % 8 == 0) {
                    Thread.sleep(10);
                }
            }
            CacheStatistics aSince = stats(a).since(aBefore);
            CacheStatistics bSince = stats(b).since(bBefore);
            System.out.println("A: " + aSince.skippedWrites() + " skipped writes, " + aSince.invalidations()
                    + " invalidations; B: " + bSince.hits() + " hits, bypasses " + bSince.bypasses());
            assertTrue(aSince.skippedWrites() > 0, "A skipped some writes before B took the table back");
            assertTrue(bSince.hits() > 0, "B caches the table once A gave its permit up");
            assertEquals(0, stats(a).skipPermits(), "A gave its permit up");
        }
    }

    @Test
    void aSkippingWriteInFlightKeepsTheTableOffUntilItsTransactionEnds() throws Exception {
        try (Connection a = pinnedOff(redis.port()); Connection b = db.through(relay.port())) {
            untilPermit(a, 100);
            CacheStatistics aBefore = stats(a);
            a.setAutoCommit(false);
            db.update(a, 555);
            assertEquals(1, stats(a).since(aBefore).skippedWrites());
            CacheStatistics bBefore = stats(b);
            // B meets the permit's lease and asks for the table back; A gives it up only once its write has ended.
            long until = System.nanoTime() + 2_500_000_000L;
            while (System.nanoTime() < until) {
                assertEquals(100, db.value(b), "B reads the committed value while A's write is open");
                Thread.sleep(50);
            }
            CacheStatistics bWhileOpen = stats(b).since(bBefore);
            assertEquals(0, bWhileOpen.hits(), "nothing of the table is cached while a skipping write is open");
            assertTrue(bWhileOpen.bypasses().getOrDefault(BypassReason.WRITE_IN_PROGRESS, 0L) > 0,
                    "B's reads met the permit's lease: " + bWhileOpen.bypasses());
            assertEquals(1, stats(a).skipPermits(), "A keeps its permit while its write is in flight");
            a.commit();
            assertEquals(555, db.value(b), "B's read right after A's commit returned");
            long deadline = System.nanoTime() + PATIENCE_NANOS;
            CacheStatistics bAfter = stats(b);
            while (stats(b).since(bAfter).hits() < 3) {
                assertTrue(System.nanoTime() < deadline, "B served no hits within 30 s: " + stats(b).since(bAfter));
                assertEquals(555, db.value(b));
                Thread.sleep(20);
            }
            // A's count of permits is updated by its background thread, which may not have run yet when B's hits
            // (the table given back) are seen.
            while (stats(a).skipPermits() != 0) {
                assertTrue(System.nanoTime() < deadline, "A still holds its permit: " + stats(a).skipPermits());
                Thread.sleep(20);
            }
        }
    }

    @Test
    void aPermitLostInAFlushMakesTheOpenWriteInvalidateAtItsEnd() throws Exception {
        try (Connection a = pinnedOff(redis.port()); Connection b = db.through(relay.port())) {
            untilPermit(a, 100);
            a.setAutoCommit(false);
            db.update(a, 555);
            redis.flushAll();
            // The lease is gone: B caches the committed value, also after A found its permit lost (next renewal).
            long settle = System.nanoTime() + 1_500_000_000L;
            while (System.nanoTime() < settle) {
                assertEquals(100, db.value(b));
                Thread.sleep(50);
            }
            CacheStatistics bCaching = stats(b);
            long deadline = System.nanoTime() + PATIENCE_NANOS;
            while (stats(b).since(bCaching).hits() < 3) {
                assertTrue(System.nanoTime() < deadline, "B served no hits within 30 s: " + stats(b).since(bCaching));
                assertEquals(100, db.value(b));
                Thread.sleep(20);
            }
            a.commit();
            assertEquals(555, db.value(b), "B's read right after A's commit returned");
        }
    }

    @Test
    void redisFrozenWhileASkippingWriteIsInFlight() throws Exception {
        String[] fast = {"sqlcache.redis.socketTimeout", "200ms", "sqlcache.redis.socketConnectTimeout", "200ms"};
        try (Connection a = pinnedOff(redis.port(), fast); Connection b = db.through(relay.port(), fast)) {
            untilPermit(a, 100);
            a.setAutoCommit(false);
            db.update(a, 777);
            redis.pause();
            try {
                // Longer than the permit is valid locally: the write's end must invalidate by itself.
                Thread.sleep(4_500);
                a.commit();
                assertEquals(777, db.value(b), "B's read after A's commit returned, Redis frozen");
            } finally {
                redis.resume();
            }
            a.setAutoCommit(true);
            long deadline = System.nanoTime() + PATIENCE_NANOS;
            CacheStatistics bAfter = stats(b);
            while (stats(b).since(bAfter).hits() < 3) {
                assertTrue(System.nanoTime() < deadline, "B served no hits within 30 s: " + stats(b).since(bAfter));
                assertEquals(777, db.value(b));
                Thread.sleep(50);
            }
        }
    }

    /**
     * Redis evicts keys that have a time to live under every {@code volatile-*} policy and any key under
     * {@code allkeys-*} (the policy docs/consistency.md recommends): a permit's lease keys included, while the fence
     * stays up. Simulated here by deleting them (what an eviction does) just after a renewal found them, with the
     * holder's next renewals slow to arrive (a loaded link): the holder's permit stays valid locally for up to
     * 3.75 s, the other JVM recreates the table's tokens and caches it, and a write that skips under the permit
     * returns with nothing telling anybody. The documented "Redis losing the lease" window (FLUSHALL, restart,
     * failover), reached in normal operation, fence up, and longer than one renewal interval. (No permit is granted
     * on a Redis that may evict, so in practice a DEL from outside.) Closed by the skipping write's end: after its
     * statement it asks Redis whether the lease still stands (skip_stands.lua) and bumps the table when it does not,
     * before returning. Failed before (B read 100 after A's write of 200 returned).
     */
    @Test
    void aPermitLeaseEvictedByRedisMustNotLetASkippingWriteBeServedStale() throws Exception {
        try (ScriptedRelay slow = ScriptedRelay.to(redis.port());
             Connection a = pinnedOff(slow.port()); Connection b = db.through(relay.port())) {
            untilPermit(a, 100);
            // The renewal script names the table's cachers set, then its version keys.
            slow.delayRequests(3_000, Pattern.compile(":cachers\r\n\\$\\d+\r\nsql:"));
            Thread.sleep(700); // a renewal sent from now on arrives 3 s late; the last answered one keeps it valid
            try (redis.clients.jedis.Jedis jedis = new redis.clients.jedis.Jedis(redis.host(), redis.port())) {
                for (String key : jedis.keys("sql:" + TABLE + ":version:*")) {
                    if (!key.endsWith(":cachers") && !key.contains("holders")) {
                        jedis.del(key); // evicted
                    }
                }
            }
            long deadline = System.nanoTime() + 2_000_000_000L;
            CacheStatistics bBefore = stats(b);
            while (stats(b).since(bBefore).hits() == 0) {
                assertTrue(System.nanoTime() < deadline, "B cached nothing: " + stats(b).since(bBefore));
                assertEquals(100, db.value(b));
                Thread.sleep(20);
            }
            CacheStatistics aBefore = stats(a);
            db.update(a, 200);
            assertEquals(1, stats(a).since(aBefore).skippedWrites(), "the write skipped under the permit");
            assertEquals(200, db.value(b), "B's read after A's write returned");
        }
    }
}
