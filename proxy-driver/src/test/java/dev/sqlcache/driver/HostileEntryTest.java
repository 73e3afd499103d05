package dev.sqlcache.driver;

import dev.sqlcache.stats.CacheStatistics;
import dev.sqlcache.stats.EntryRejection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import redis.clients.jedis.Jedis;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Whoever can write to Redis must not be able to make the application read rows the database never held. Each
 * case puts hostile bytes under a real entry's key (a genuine entry of another query, table or database, a forged
 * or truncated one, ...) and checks the three promises: the application gets exactly the database's answer,
 * nothing is thrown at it, and the counter of that cause moves (and no hit is counted).
 */
class HostileEntryTest extends RedisBackedTest {

    /**
     * Entries put in Redis behind the cache are what is under test: copies in this JVM's near cache would
     * answer before Redis is read.
     */
    static Properties settings(String... extra) {
        Properties properties = RedisBackedTest.settings(extra);
        properties.setProperty("sqlcache.nearCache.maxBytes", "0");
        return properties;
    }

    static Properties settings() {
        return settings(new String[0]);
    }


    private static final String BY_ID = "select id, name from he_user where id = ?";
    /** No key pin (an expression), so every row's entry depends on the same table-level tokens. */
    private static final String TABLE_LEVEL = "select id, name from he_user where id + 0 = ?";
    private static final String OTHER_BY_ID = "select id, name from he_other where id = ?";

    private Jedis jedis;

    @BeforeEach
    void connect() {
        jedis = new Jedis(redis.host(), redis.port());
    }

    @AfterEach
    void disconnect() {
        jedis.close();
    }

    private static void schema(Connection direct) throws Exception {
        exec(direct, "drop table if exists he_user", "drop table if exists he_other",
                "create table he_user (id int primary key, name varchar(40))",
                "insert into he_user values (1, 'alice')", "insert into he_user values (2, 'bob')",
                "create table he_other (id int primary key, name varchar(40))",
                "insert into he_other values (1, 'mallory')");
    }

    static List<List<String>> byId(Connection c, String sql, int id) throws Exception {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setInt(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rows(rs);
            }
        }
    }

    private Set<String> dataKeys() {
        return new HashSet<>(jedis.keys("sql:*:data:*"));
    }

    /**
     * Reads through the cache until the result is stored, and returns the key it was stored under. The key shows
     * in Redis a moment before its store stops being pending in this JVM, which serves its own pending result
     * meanwhile: so it also waits for the store to be counted, or a hostile value put under the key next would
     * not be what the next read meets.
     */
    private String stored(Connection cached, String sql, int id) throws Exception {
        Set<String> before = dataKeys();
        long storesBefore = stats(cached).stores();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            byId(cached, sql, id);
            Set<String> now = dataKeys();
            now.removeAll(before);
            if (now.size() == 1) {
                landed(cached, storesBefore);
                return now.iterator().next();
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the result of " + sql + " with " + id + " was never stored");
    }

    private byte[] value(String key) {
        byte[] value = jedis.get(key.getBytes(StandardCharsets.UTF_8));
        assertNotNull(value, key);
        return value;
    }

    /**
     * Waits until the miss that refused a hostile value has stored the right answer over it: this JVM serves its
     * own store while it is on its way, so the next hostile value must go in after it. A store is counted after
     * it has landed and stopped being pending.
     */
    private static void landed(Connection cached, long storesBefore) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (stats(cached).stores() <= storesBefore && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }

    private void put(String key, byte[] value) {
        jedis.set(key.getBytes(StandardCharsets.UTF_8), value);
    }

    /**
     * Reads {@code id} through the cache with the hostile value in place and checks the promises: the database's
     * answer, no hit, the cause counted once.
     */
    private static void refused(Connection cached, Connection direct, String sql, int id, EntryRejection cause)
            throws Exception {
        CacheStatistics before = stats(cached);
        assertEquals(byId(direct, sql, id), byId(cached, sql, id), "the database's answer");
        CacheStatistics delta = stats(cached).since(before);
        assertEquals(0, delta.hits(), "not served from the cache");
        assertEquals(1, delta.rejections(cause), "counted as " + cause + ": " + delta);
        assertEquals(1, delta.totalRejections(), "counted once: " + delta);
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"H2", "POSTGRES"})
    void anEntryOfAnotherRowOfTheSameTableIsRefused(TestDatabase db) throws Exception {
        try (Connection direct = db.direct(); Connection cached = db.cached(settings())) {
            schema(direct);
            // Same tokens: only the binding tells these two entries apart.
            String one = stored(cached, TABLE_LEVEL, 1);
            String two = stored(cached, TABLE_LEVEL, 2);
            put(one, value(two));
            refused(cached, direct, TABLE_LEVEL, 1, EntryRejection.FOREIGN_KEY);
            // Row-level entries depend on their row's token as well.
            String rowOne = stored(cached, BY_ID, 1);
            String rowTwo = stored(cached, BY_ID, 2);
            put(rowOne, value(rowTwo));
            refused(cached, direct, BY_ID, 1, EntryRejection.FOREIGN_KEY);
        }
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"H2", "POSTGRES"})
    void anEntryOfAnotherTableIsRefused(TestDatabase db) throws Exception {
        try (Connection direct = db.direct(); Connection cached = db.cached(settings())) {
            schema(direct);
            String user = stored(cached, BY_ID, 1);
            String other = stored(cached, OTHER_BY_ID, 1);
            put(user, value(other));
            refused(cached, direct, BY_ID, 1, EntryRejection.FOREIGN_KEY);
        }
    }

    /** Another database: here the same one under another {@code sqlcache.databaseId}, so the rows differ by id only. */
    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"H2", "POSTGRES"})
    void anEntryOfAnotherDatabaseIsRefused(TestDatabase db) throws Exception {
        Properties elsewhere = settings("sqlcache.databaseId", "elsewhere");
        try (Connection direct = db.direct(); Connection cached = db.cached(settings());
             Connection other = db.cached(elsewhere)) {
            schema(direct);
            String mine = stored(cached, BY_ID, 1);
            String theirs = stored(other, BY_ID, 2);
            assertTrue(!mine.equals(theirs));
            put(mine, value(theirs));
            refused(cached, direct, BY_ID, 1, EntryRejection.FOREIGN_KEY);
            // The same query's entry of the other database, under this database's key for it.
            String theirsOne = stored(other, BY_ID, 1);
            put(mine, value(theirsOne));
            refused(cached, direct, BY_ID, 1, EntryRejection.FOREIGN_KEY);
        }
    }

    /**
     * A refusal is visible: the Micrometer counter of its cause moves, and a WARN names the key (never a value);
     * more refusals within the interval are only counted. A fresh engine (its own databaseId) so that no earlier
     * refusal used up its warning.
     */
    @org.junit.jupiter.api.Test
    void aRefusalIsCountedInMicrometerAndWarnedAboutByKey() throws Exception {
        var registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        Properties own = settings("sqlcache.databaseId", "warned-" + java.util.UUID.randomUUID());
        try (Connection direct = TestDatabase.H2.direct(); Connection cached = TestDatabase.H2.cached(own)) {
            new dev.sqlcache.stats.SqlCacheMetrics(cached.unwrap(SqlCacheConnection.class).statisticsSource(),
                    io.micrometer.core.instrument.Tags.empty()).bindTo(registry);
            schema(direct);
            String one = stored(cached, TABLE_LEVEL, 1);
            byte[] foreign = value(stored(cached, TABLE_LEVEL, 2));
            put(one, foreign);
            double foreignBefore = registry.get("sqlcache.rejected.entries").tag("cause", "foreign_key")
                    .functionCounter().count();
            double macBefore = registry.get("sqlcache.rejected.entries").tag("cause", "bad_mac")
                    .functionCounter().count();
            java.io.PrintStream err = System.err;
            java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
            System.setErr(new java.io.PrintStream(captured, true, StandardCharsets.UTF_8));
            try {
                long stores = stats(cached).stores();
                refused(cached, direct, TABLE_LEVEL, 1, EntryRejection.FOREIGN_KEY);
                landed(cached, stores);
                put(one, foreign);
                refused(cached, direct, TABLE_LEVEL, 1, EntryRejection.FOREIGN_KEY);
            } finally {
                System.setErr(err);
            }
            String log = captured.toString(StandardCharsets.UTF_8);
            assertEquals(1, log.lines().filter(l -> l.contains("WARN") && l.contains(one)).count(),
                    "one WARN naming the key: " + log);
            assertTrue(log.contains("FOREIGN_KEY"), log);
            assertTrue(!log.contains("bob") && !log.contains("alice"), "no value in the log: " + log);
            assertEquals(foreignBefore + 2, registry.get("sqlcache.rejected.entries").tag("cause", "foreign_key")
                    .functionCounter().count());
            assertEquals(macBefore, registry.get("sqlcache.rejected.entries").tag("cause", "bad_mac").functionCounter()
                    .count());
        }
    }

    /**
     * A 100 MB value under an entry key, read by an application running with {@code -Xmx256m} (a child JVM): the
     * database's answer, counted as over the limit, no {@code OutOfMemoryError} (the value is never transferred).
     */
    @org.junit.jupiter.api.Test
    void aHundredMegabyteValueIsNeverTransferred() throws Exception {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process child = new ProcessBuilder(List.of(
                java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:TieredStopAtLevel=1", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp", classPath, OversizedEntryMain.class.getName(), Integer.toString(redis.port())))
                .redirectErrorStream(true).start();
        try {
            String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(child.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "the child exits");
            assertEquals(0, child.exitValue(), output);
            assertTrue(output.contains("OK"), output);
            assertTrue(output.contains("OVER_LIMIT"), "warned: " + output);
        } finally {
            child.destroyForcibly();
        }
    }

    private static final String SIGNING_KEY = "test-signing-key-0123456789abcdef";

    /** The database's identity as entries are bound to it: the one database version key this test created. */
    private String databaseIdentity() {
        Set<String> keys = jedis.keys("sql:_database:version:*");
        assertEquals(1, keys.size(), keys.toString());
        return keys.iterator().next();
    }

    /** The entry with 'alice' replaced by 'mallo' (same length), framed right for the key but not signed. */
    private byte[] forged(String key, byte[] genuine, dev.sqlcache.internal.codec.EntrySigner signer) {
        byte[] document = dev.sqlcache.internal.codec.ResultCodec.document(genuine);
        String text = new String(document, StandardCharsets.ISO_8859_1).replace("alice", "mallo");
        return dev.sqlcache.internal.codec.ResultCodec.frame(
                dev.sqlcache.internal.codec.EntryBinding.of(key, databaseIdentity()),
                text.getBytes(StandardCharsets.ISO_8859_1), signer);
    }

    /**
     * With {@code sqlcache.signingKey}, a forged entry (right key, right checksum, other rows) and one re-signed
     * with another key are refused as BAD_MAC; the genuine entries are still served.
     */
    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"H2", "POSTGRES"})
    void forgedAndForeignSignedEntriesAreRefused(TestDatabase db) throws Exception {
        try (Connection direct = db.direct();
             Connection cached = db.cached(settings("sqlcache.signingKey", SIGNING_KEY))) {
            schema(direct);
            String one = stored(cached, TABLE_LEVEL, 1);
            byte[] genuine = value(one);
            CacheStatistics before = stats(cached);
            assertEquals(List.of(List.of("1", "alice")), byId(cached, TABLE_LEVEL, 1));
            assertEquals(1, stats(cached).since(before).hits(), "a signed genuine entry is served");
            byte[] unsigned = forged(one, genuine, null);
            put(one, unsigned);
            long stores = stats(cached).stores();
            refused(cached, direct, TABLE_LEVEL, 1, EntryRejection.BAD_MAC);
            landed(cached, stores);
            put(one, forged(one, genuine, new dev.sqlcache.internal.codec.EntrySigner(
                    List.of("another-key-0123456789abcdef".getBytes(StandardCharsets.UTF_8)))));
            refused(cached, direct, TABLE_LEVEL, 1, EntryRejection.BAD_MAC);
        }
    }

    private static int indexOf(byte[] haystack, int... needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if ((haystack[i + j] & 0xff) != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }

    /** Puts a hostile value, reads through the cache, checks the promises, and waits for the right answer to land. */
    private void hostile(Connection cached, Connection direct, String key, String what, byte[] value,
                         EntryRejection cause) throws Exception {
        put(key, value);
        long stores = stats(cached).stores();
        try {
            refused(cached, direct, TABLE_LEVEL, 1, cause);
        } catch (AssertionError e) {
            throw new AssertionError(what + ": " + e.getMessage(), e);
        }
        landed(cached, stores);
    }

    /**
     * Damaged and lying entries under the right key: truncated at every length, one bit flipped in every byte,
     * empty, not a string at all, and well-framed (right checksum and binding) but lying about its column count,
     * row count or a string's length. Each is refused as CORRUPT; the application gets the database's row.
     */
    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"H2", "POSTGRES"})
    void damagedAndLyingEntriesAreRefused(TestDatabase db) throws Exception {
        try (Connection direct = db.direct(); Connection cached = db.cached(settings())) {
            schema(direct);
            String key = stored(cached, TABLE_LEVEL, 1);
            byte[] genuine = value(key);
            hostile(cached, direct, key, "empty", new byte[0], EntryRejection.CORRUPT);
            for (int length = 1; length < genuine.length; length += Math.max(1, genuine.length / 40)) {
                hostile(cached, direct, key, "cut to " + length, java.util.Arrays.copyOf(genuine, length),
                        EntryRejection.CORRUPT);
            }
            for (int i = 0; i < genuine.length; i++) {
                byte[] flipped = genuine.clone();
                flipped[i] ^= (byte) 0x80;
                hostile(cached, direct, key, "byte " + i + " of " + genuine.length + " flipped", flipped,
                        EntryRejection.CORRUPT);
            }
            byte[] document = dev.sqlcache.internal.codec.ResultCodec.document(genuine);
            byte[] binding = dev.sqlcache.internal.codec.EntryBinding.of(key, databaseIdentity());
            java.util.Map<String, byte[]> lies = new java.util.LinkedHashMap<>();
            // Two columns (small int 2 = 0xC4 after the tokens' END_ARRAY 0xF9) said to be three.
            byte[] columns = document.clone();
            columns[indexOf(columns, 0xF9, 0xC4, 0xF8) + 1] = (byte) 0xC6;
            lies.put("three columns declared", columns);
            // One row (0xC2 before the row's START_ARRAY) said to be 15, then 200,000 (an int token 0x24).
            int rowCount = indexOf(document, 0xC2, 0xF8, 0xC2);
            byte[] rows = document.clone();
            rows[rowCount] = (byte) 0xDE;
            lies.put("15 rows declared", rows);
            byte[] manyRows = new byte[document.length + 3];
            System.arraycopy(document, 0, manyRows, 0, rowCount);
            System.arraycopy(new byte[] {0x24, 0x18, 0x35, (byte) 0x80}, 0, manyRows, rowCount, 4);
            System.arraycopy(document, rowCount + 1, manyRows, rowCount + 4, document.length - rowCount - 1);
            lies.put("200,000 rows declared", manyRows);
            // 'alice' is a tiny ASCII string, its length in its token (0x40 + length - 1): said to be 6, then 30.
            int alice = indexOf(document, 0x44, 'a', 'l', 'i', 'c', 'e');
            byte[] longer = document.clone();
            longer[alice] = 0x45;
            lies.put("a string one byte longer than it is", longer);
            byte[] muchLonger = document.clone();
            muchLonger[alice] = 0x5D;
            lies.put("a string 25 bytes longer than the entry", muchLonger);
            for (var lie : lies.entrySet()) {
                hostile(cached, direct, key, lie.getKey(),
                        dev.sqlcache.internal.codec.ResultCodec.frame(binding, lie.getValue(), null),
                        EntryRejection.CORRUPT);
            }
            // Not a string: the lookup script reads it as empty.
            jedis.del(key);
            jedis.rpush(key, "x");
            CacheStatistics before = stats(cached);
            assertEquals(byId(direct, TABLE_LEVEL, 1), byId(cached, TABLE_LEVEL, 1));
            assertEquals(1, stats(cached).since(before).rejections(EntryRejection.CORRUPT));
        }
    }
}
