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
