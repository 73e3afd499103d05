package dev.sqlcache.driver;

import dev.sqlcache.stats.CacheStatistics;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a hit asks of Redis (issues #10, #13), counted by the server ({@code INFO commandstats}), not timed: a JVM
 * without a near cache keeps no copy, so its hit reads the entry and the tokens ({@code GETRANGE}, {@code MGET})
 * and not how long a copy may live ({@code PTTL}). A JVM with a near cache still reads that, and its copy dies with
 * the entry it was made from.
 */
class RedisHitCommandsTest extends TwoRuntimesOnOneRedis {

    private static final String TABLE = "hits";
    private static final Pattern CALLS = Pattern.compile("cmdstat_([a-z|]+):calls=(\\d+)");
    private static final long PATIENCE_NANOS = 30_000_000_000L;

    RedisHitCommandsTest() {
        super(TABLE);
    }

    /** Commands run per name since the last reset, the reset and INFO left out. */
    private Map<String, Long> commands() {
        Map<String, Long> counted = new TreeMap<>();
        Matcher m;
        try (redis.clients.jedis.Jedis jedis = new redis.clients.jedis.Jedis(redis.host(), redis.port())) {
            m = CALLS.matcher(jedis.info("commandstats"));
        }
        while (m.find()) {
            counted.put(m.group(1), Long.parseLong(m.group(2)));
        }
        counted.remove("config|resetstat");
        counted.remove("info");
        return counted;
    }

    /** A JVM without a near cache that has the table pinned on (the harness's Redis-only target). */
    private Connection redisOnly(int port) throws SQLException {
        return db.through(port, "sqlcache.nearCache.maxBytes", "0", "sqlcache.tablePolicy", TABLE + "=on");
    }

    /** Reads until a read is a hit (the first stores its result off the reader's thread). */
    private void untilHit(Connection c) throws Exception {
        long deadline = System.nanoTime() + PATIENCE_NANOS;
        while (true) {
            long hits = stats(c).hits();
            assertEquals(100, db.value(c));
            if (stats(c).hits() > hits) {
                return;
            }
            assertTrue(System.nanoTime() < deadline, "no hit within 30 s: " + stats(c));
            Thread.sleep(20);
        }
    }

    @Test
    void aRedisHitWithoutANearCacheIsOneGetrangeAndOneMget() throws Exception {
        try (Connection c = redisOnly(redis.port())) {
            untilHit(c);
            int reads = 50;
            CacheStatistics before = stats(c);
            redis.command("CONFIG", "RESETSTAT");
            for (int i = 0; i < reads; i++) {
                assertEquals(100, db.value(c));
            }
            Map<String, Long> counted = commands();
            CacheStatistics delta = stats(c).since(before);
            System.out.printf("RedisHitCommandsTest: %d Redis hits: %s%n", delta.hits(), counted);
            assertEquals(reads, delta.hits(), "every read a Redis hit: " + delta);
            assertEquals(0, counted.getOrDefault("pttl", 0L), "no copy kept, no time to live read: " + counted);
            assertEquals(reads, counted.getOrDefault("getrange", 0L), counted.toString());
            assertEquals(reads, counted.getOrDefault("mget", 0L), counted.toString());
            // The membership's renewals run meanwhile, scripts whose own commands are counted too (EXISTS, GET):
            // of the commands only a lookup sends, these two ran.
            // Its lookups found entries: no EXISTS per hit (a new statement's first lookups still send one, and the
            // renewals' scripts a few).
            assertTrue(counted.getOrDefault("exists", 0L) < reads / 2, "an EXISTS per hit: " + counted);
            counted.keySet().retainAll(java.util.Set.of("getrange", "mget", "pttl", "strlen"));
            assertEquals(2L * reads, counted.values().stream().mapToLong(Long::longValue).sum(), counted.toString());
        }
    }

    /**
     * Reads of rows nobody read before (a row's first read: its token does not exist yet) cost one round trip each
     * once the statement's last two lookups had to create a token: {@code lookup.lua} alone, which creates the token
     * and reads the entry, not a pipelined read that finds the token missing and the script after it (issue #13).
     * Only the first two of the series read first ({@code GETRANGE}); every one runs the script ({@code STRLEN} is
     * its entry read, sent by no other lookup). A read of a row read before, after such a series, is still answered as a hit
     * (by the script: the guess changes what is sent, not what is answered), and the statement then reads plainly.
     */
    @Test
    void aRowsFirstReadAfterAnotherIsOneScriptedRoundTrip() throws Exception {
        int rows = 20;
        try (Connection plain = db.plain(); java.sql.Statement s = plain.createStatement()) {
            for (int id = 2; id < 2 + rows; id++) {
                s.execute("insert into " + TABLE + " values (" + id + ", " + (1000 + id) + ")");
            }
        }
        try (Connection c = redisOnly(redis.port());
             java.sql.PreparedStatement read = c.prepareStatement("select v from " + TABLE + " where id = ?")) {
            untilHit(c);
            CacheStatistics before = stats(c);
            redis.command("CONFIG", "RESETSTAT");
            for (int id = 2; id < 2 + rows; id++) {
                assertEquals(1000 + id, valueOf(read, id));
            }
            Map<String, Long> counted = commands();
            CacheStatistics delta = stats(c).since(before);
            System.out.printf("RedisHitCommandsTest: %d first reads: %s%n", rows, counted);
            assertEquals(rows, delta.misses(), "every first read a miss: " + delta);
            assertEquals(rows, counted.getOrDefault("strlen", 0L), "every first read creates its row's token: "
                    + counted);
            assertEquals(2L, counted.getOrDefault("getrange", 0L),
                    "only the first two of the series read before their script: " + counted);
            // The entries land off the reader's thread: wait for the first row's, then read it again.
            long deadline = System.nanoTime() + PATIENCE_NANOS;
            while (entries().size() < 2) { // the one-row read of untilHit, and at least the first row's
                assertTrue(System.nanoTime() < deadline, "no entry stored within 30 s");
                Thread.sleep(20);
            }
            long hits = stats(c).hits();
            long deadlineHit = System.nanoTime() + PATIENCE_NANOS;
            // Row 2's entry is stored first; read it until it hits (the first read after the series is scripted).
            while (true) {
                assertEquals(1002, valueOf(read, 2));
                if (stats(c).hits() > hits) {
                    break;
                }
                assertTrue(System.nanoTime() < deadlineHit, "no hit within 30 s: " + stats(c));
                Thread.sleep(20);
            }
            redis.command("CONFIG", "RESETSTAT");
            for (int i = 0; i < 10; i++) {
                assertEquals(1002, valueOf(read, 2));
            }
            Map<String, Long> after = commands();
            assertEquals(0L, after.getOrDefault("strlen", 0L), "hits read plainly again: " + after);
            assertEquals(10L, after.getOrDefault("getrange", 0L), after.toString());
        }
    }

    private static int valueOf(java.sql.PreparedStatement read, int id) throws SQLException {
        read.setInt(1, id);
        try (java.sql.ResultSet rs = read.executeQuery()) {
            assertTrue(rs.next());
            return rs.getInt(1);
        }
    }

    /**
     * A JVM with a near cache keeps a copy of a Redis hit no longer than the entry had left: once the entry is gone
     * from Redis, and as long as it had when the copy was served, the copy is not served. Another JVM (through the
     * relay, without a near cache) stores the entry, so that the copy is made from a hit, not from this JVM's miss.
     * A copy of another query with a long life, still served after, shows that the near cache was not cleared
     * meanwhile (a lapse of its lease would clear it, and prove nothing): else the attempt is made again.
     */
    @Test
    void aNearCopyOfARedisHitDiesWithTheEntry() throws Exception {
        long entryMillis = 1500;
        String longLived = "select id from " + TABLE + " where id = 1";
        try (Connection storer = redisOnly(relay.port()); Connection reader = db.through(redis.port())) {
            for (int attempt = 0; ; attempt++) {
                assertTrue(attempt < 10, "ten attempts, none conclusive");
                // The reader's near lease comes with its first renewal; this copy lives the entries' full TTL.
                untilNearHit(reader, longLived, 1);
                deleteEntries();
                untilHit(storer);
                String entry = onlyEntry();
                assertEquals(":1", redis.command("PEXPIRE", entry, Long.toString(entryMillis)));
                CacheStatistics before = stats(reader);
                boolean served = false;
                while (!served && !redis.command("PTTL", entry).equals(":-2")) {
                    assertEquals(100, db.value(reader));
                    served = stats(reader).since(before).nearHits() > 0;
                }
                long servedAt = System.nanoTime();
                if (!served || stats(reader).since(before).misses() > 0) {
                    continue; // a busy machine: the entry went first, or the reader's copy came from its own miss
                }
                // The copy was made before it was served, from a hit that read at most entryMillis left: by then its
                // life is over, and the entry's too.
                long deadline = System.nanoTime() + PATIENCE_NANOS;
                while (!redis.command("PTTL", entry).equals(":-2")
                        || System.nanoTime() - servedAt < (entryMillis + 1) * 1_000_000L) {
                    assertTrue(System.nanoTime() < deadline, "the entry never expired");
                    Thread.sleep(20);
                }
                CacheStatistics after = stats(reader);
                assertEquals(100, db.value(reader));
                long nearHits = stats(reader).since(after).nearHits();
                CacheStatistics then = stats(reader);
                untilNearHit(reader, longLived, 1, 1);
                if (stats(reader).since(then).nearHits() == 0) {
                    continue; // the near cache was cleared meanwhile: inconclusive
                }
                System.out.printf("RedisHitCommandsTest: conclusive at attempt %d, near hits after: %d%n", attempt,
                        nearHits);
                assertEquals(0, nearHits, "a copy outlived the entry it was made from: " + stats(reader).since(after));
                return;
            }
        }
    }

    private java.util.Set<String> entries() {
        try (redis.clients.jedis.Jedis jedis = new redis.clients.jedis.Jedis(redis.host(), redis.port())) {
            return jedis.keys("sql:" + TABLE + ":data:*");
        }
    }

    private void deleteEntries() {
        for (String key : entries()) {
            redis.command("DEL", key);
        }
    }

    /** The one entry of the table in Redis: the one the storer just stored. */
    private String onlyEntry() {
        java.util.Set<String> keys = entries();
        assertEquals(1, keys.size(), keys.toString());
        return keys.iterator().next();
    }

    private void untilNearHit(Connection c, String sql, int expected) throws Exception {
        untilNearHit(c, sql, expected, Integer.MAX_VALUE);
    }

    /** Reads until a near hit, at most {@code reads} times. */
    private void untilNearHit(Connection c, String sql, int expected, int reads) throws Exception {
        long deadline = System.nanoTime() + PATIENCE_NANOS;
        for (int read = 0; read < reads; read++) {
            long near = stats(c).nearHits();
            try (java.sql.Statement s = c.createStatement(); java.sql.ResultSet rs = s.executeQuery(sql)) {
                assertTrue(rs.next());
                assertEquals(expected, rs.getInt(1));
            }
            if (stats(c).nearHits() > near) {
                return;
            }
            assertTrue(System.nanoTime() < deadline, "no near hit within 30 s: " + stats(c));
            Thread.sleep(20);
        }
    }
}
