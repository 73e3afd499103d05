package dev.sqlcache.internal.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The lookup's two ways to Redis: plain pipelined reads when every token it may create exists (every hit), the
 * lookup script when one is missing. Both must answer alike, for hostile values too.
 */
class RedisLookupTest extends PrivateRedisStoreTest {

    private static final long[] CREATE = {CacheStore.NEVER_CREATE, CacheStore.NO_EXPIRY};

    private static int next;

    /** Fresh keys per call: a fence that exists and a table token, present or not. */
    private static String[] versionKeys(boolean tableTokenExists) {
        next++;
        String[] keys = {"sql:_t" + next + ":fence", "sql:t" + next + ":version:db"};
        server.command("SET", keys[0], "fence-" + next);
        if (tableTokenExists) {
            server.command("SET", keys[1], "token-" + next);
        }
        return keys;
    }

    private static long scriptsRun() {
        Matcher calls = Pattern.compile("cmdstat_eval(?:sha)?:calls=(\\d+)").matcher(inspector.info("commandstats"));
        long n = 0;
        while (calls.find()) {
            n += Long.parseLong(calls.group(1));
        }
        return n;
    }

    @Test
    void aLookupWhoseTokensAllExistRunsNoScript() {
        String[] keys = versionKeys(true);
        String entry = "sql:t" + next + ":data:e";
        server.command("SET", entry, "an entry", "PX", "60000");
        server.command("CONFIG", "RESETSTAT");
        CacheStore.Lookup hit = store.lookup(entry, keys, CREATE, 1000);
        assertEquals(0, scriptsRun(), "a hit is plain reads: " + inspector.info("commandstats"));
        assertArrayEquals("an entry".getBytes(StandardCharsets.UTF_8), hit.entry());
        assertArrayEquals(new String[] {"fence-" + next, "token-" + next}, hit.versions());
        assertTrue(hit.entryTtlMillis() > 0 && hit.entryTtlMillis() <= 60_000, hit.toString());
        assertEquals(CacheStore.UNKNOWN_TTL, hit.versionsTtlMillis(), "no key readers never create but the fence");

        CacheStore.Lookup miss = store.lookup("sql:t" + next + ":data:none", keys, CREATE, 1000);
        assertEquals(0, scriptsRun());
        assertNull(miss.entry());
        assertEquals(0, miss.oversized());
        assertEquals(CacheStore.UNKNOWN_TTL, miss.entryTtlMillis());
    }

    @Test
    void aLookupThatMustCreateATokenRunsTheScriptOnceAndCreatesIt() {
        store.lookup("sql:warm:data:e", versionKeys(false), CREATE, 1000); // the server learns the script
        String[] keys = versionKeys(false);
        server.command("CONFIG", "RESETSTAT");
        CacheStore.Lookup first = store.lookup("sql:t" + next + ":data:e", keys, CREATE, 1000);
        assertEquals(1, scriptsRun());
        assertNotNull(first.versions()[1], "created before the caller's query runs");
        CacheStore.Lookup second = store.lookup("sql:t" + next + ":data:e", keys, CREATE, 1000);
        assertEquals(1, scriptsRun(), "once created, no script");
        assertArrayEquals(first.versions(), second.versions());
    }

    @Test
    void aMissingFenceIsReadAsMissingAndNeverCreated() {
        String[] keys = versionKeys(true);
        server.command("DEL", keys[0]);
        CacheStore.Lookup lookup = store.lookup("sql:t" + next + ":data:e", keys, CREATE, 1000);
        assertNull(lookup.versions()[0]);
        assertEquals(":0", server.command("EXISTS", keys[0]));
    }

    /** As read_entry.lua reads them: another type is an empty entry (corrupt), not an error and not a miss. */
    @Test
    void aValueOfAnotherTypeOrAnEmptyValueIsAnEmptyEntryOnBothWays() {
        for (boolean tokenExists : new boolean[] {true, false}) {
            String[] keys = versionKeys(tokenExists);
            String list = "sql:t" + next + ":data:list";
            server.command("RPUSH", list, "a", "b");
            CacheStore.Lookup ofList = store.lookup(list, keys, CREATE, 1000);
            assertNotNull(ofList.entry(), "scripted: " + !tokenExists);
            assertEquals(0, ofList.entry().length);

            String[] again = versionKeys(tokenExists);
            String empty = "sql:t" + next + ":data:empty";
            server.command("SET", empty, "");
            CacheStore.Lookup ofEmpty = store.lookup(empty, again, CREATE, 1000);
            assertNotNull(ofEmpty.entry(), "an empty value is there, and corrupt; scripted: " + !tokenExists);
            assertEquals(0, ofEmpty.entry().length);
        }
    }

    @Test
    void aValueOverTheCapIsReportedWithItsLengthAndNotTransferred() {
        for (boolean tokenExists : new boolean[] {true, false}) {
            String[] keys = versionKeys(tokenExists);
            String entry = "sql:t" + next + ":data:big";
            server.command("SET", entry, "x".repeat(1000));
            CacheStore.Lookup over = store.lookup(entry, keys, CREATE, 10);
            assertNull(over.entry(), "scripted: " + !tokenExists);
            assertEquals(1000, over.oversized(), "scripted: " + !tokenExists);
            assertNotNull(over.versions()[1]);
            CacheStore.Lookup exact = store.lookup(entry, keys, CREATE, 1000);
            assertEquals(1000, exact.entry().length, "a value of exactly the cap is read");
            assertFalse(exact.oversized() > 0);
        }
    }

    private static java.util.Map<String, Long> commands() {
        java.util.Map<String, Long> counted = new java.util.TreeMap<>();
        Matcher m = Pattern.compile("cmdstat_([a-z|]+):calls=(\\d+)").matcher(inspector.info("commandstats"));
        while (m.find()) {
            counted.put(m.group(1), Long.parseLong(m.group(2)));
        }
        counted.remove("config|resetstat");
        return counted;
    }

    /**
     * A reader that keeps no copy (no near cache) is not told how long one may live: EXISTS, GETRANGE and MGET in one
     * round trip, and both times to live 0, so that a copy made by mistake could not live. A missing entry costs the
     * same round trip and no more: the EXISTS before the read says it was missing.
     */
    @Test
    void aLookupThatKeepsNoCopyIsAGetrangeAndAnMget() {
        String[] keys = versionKeys(true);
        String entry = "sql:t" + next + ":data:e";
        server.command("SET", entry, "an entry", "PX", "60000");
        server.command("CONFIG", "RESETSTAT");
        CacheStore.Lookup hit = store.lookup(entry, keys, CREATE, 1000, false);
        assertEquals(java.util.Map.of("exists", 1L, "getrange", 1L, "mget", 1L), commands());
        assertArrayEquals("an entry".getBytes(StandardCharsets.UTF_8), hit.entry());
        assertArrayEquals(new String[] {"fence-" + next, "token-" + next}, hit.versions());
        assertEquals(0, hit.copyTtlMillis(60_000), hit.toString());

        CacheStore.Lookup kept = store.lookup(entry, keys, CREATE, 1000, true);
        assertTrue(kept.copyTtlMillis(3_600_000) > 0 && kept.copyTtlMillis(3_600_000) <= 60_000, kept.toString());
        assertEquals(2, commands().get("pttl"), "a reader that keeps a copy reads the entry's PTTL on both sides");

        server.command("CONFIG", "RESETSTAT");
        CacheStore.Lookup miss = store.lookup("sql:t" + next + ":data:none", keys, CREATE, 1000, false);
        assertNull(miss.entry());
        assertEquals(0, miss.oversized());
        assertEquals(java.util.Map.of("exists", 1L, "getrange", 1L, "mget", 1L), commands(),
                "a missing entry: one round trip, no second read");
    }

    /**
     * Without the PTTLs, an empty value is still told from a missing key (an empty entry: corrupt), another type is
     * still an empty entry, a value over the cap still refused unread, and a missing token still created by the
     * script. Only a read that found the key and then nothing in it pays the second, whole read.
     */
    @Test
    void aLookupThatKeepsNoCopyReadsHostileValuesSafely() {
        String[] keys = versionKeys(true);
        String empty = "sql:t" + next + ":data:empty";
        server.command("SET", empty, "");
        server.command("CONFIG", "RESETSTAT");
        CacheStore.Lookup ofEmpty = store.lookup(empty, keys, CREATE, 1000, false);
        assertNotNull(ofEmpty.entry(), "an empty value is there, and corrupt");
        assertEquals(0, ofEmpty.entry().length);
        // It existed and read empty: the second read is the whole one, whose PTTLs tell an empty value from a value
        // deleted in between.
        assertEquals(java.util.Map.of("exists", 1L, "getrange", 2L, "mget", 2L, "pttl", 2L), commands());
        assertNull(store.lookup("sql:t" + next + ":data:none", keys, CREATE, 1000, false).entry());

        String list = "sql:t" + next + ":data:list";
        server.command("RPUSH", list, "a", "b");
        assertEquals(0, store.lookup(list, keys, CREATE, 1000, false).entry().length);

        String big = "sql:t" + next + ":data:big";
        server.command("SET", big, "x".repeat(1000));
        CacheStore.Lookup over = store.lookup(big, keys, CREATE, 10, false);
        assertNull(over.entry());
        assertEquals(1000, over.oversized());

        String[] created = versionKeys(false);
        CacheStore.Lookup first = store.lookup("sql:t" + next + ":data:e", created, CREATE, 1000, false);
        assertNotNull(first.versions()[1], "created before the caller's query runs");
    }
    /**
     * A reader whose statement's lookups find entries sends no EXISTS: a hit is a GETRANGE and an MGET. The guess
     * changes what is sent, never what is answered: a missing key is still missing (its empty read is sent again
     * with the EXISTS, which says so), an empty value still an empty (corrupt) entry, another type too, a value over the
     * cap still refused unread, a missing token still created by the script.
     */
    @Test
    void aLookupExpectingAnEntryIsAGetrangeAndAnMgetAndAnswersAsOneThatAsks() {
        String[] keys = versionKeys(true);
        String entry = "sql:t" + next + ":data:e";
        server.command("SET", entry, "an entry", "PX", "60000");
        server.command("CONFIG", "RESETSTAT");
        CacheStore.Lookup hit = store.lookup(entry, keys, null, CREATE, 1000, false, true);
        assertEquals(java.util.Map.of("getrange", 1L, "mget", 1L), commands());
        assertArrayEquals("an entry".getBytes(StandardCharsets.UTF_8), hit.entry());
        assertArrayEquals(new String[] {"fence-" + next, "token-" + next}, hit.versions());
        assertEquals(0, hit.copyTtlMillis(60_000), hit.toString());

        server.command("CONFIG", "RESETSTAT");
        CacheStore.Lookup miss = store.lookup("sql:t" + next + ":data:none", keys, null, CREATE, 1000, false, true);
        assertNull(miss.entry(), "missing, not an empty entry: " + miss);
        assertEquals(0, miss.oversized());
        assertArrayEquals(new String[] {"fence-" + next, "token-" + next}, miss.versions());
        assertEquals(0, miss.copyTtlMillis(60_000), miss.toString());
        assertEquals(java.util.Map.of("getrange", 2L, "mget", 2L, "exists", 1L), commands(),
                "a wrong guess: the read with an EXISTS, sent again");

        String empty = "sql:t" + next + ":data:empty";
        server.command("SET", empty, "");
        CacheStore.Lookup ofEmpty = store.lookup(empty, keys, null, CREATE, 1000, false, true);
        assertNotNull(ofEmpty.entry(), "an empty value is there, and corrupt");
        assertEquals(0, ofEmpty.entry().length);

        String list = "sql:t" + next + ":data:list";
        server.command("RPUSH", list, "a", "b");
        assertEquals(0, store.lookup(list, keys, null, CREATE, 1000, false, true).entry().length);

        String big = "sql:t" + next + ":data:big";
        server.command("SET", big, "x".repeat(1000));
        CacheStore.Lookup over = store.lookup(big, keys, null, CREATE, 10, false, true);
        assertNull(over.entry());
        assertEquals(1000, over.oversized());

        String[] created = versionKeys(false);
        CacheStore.Lookup first = store.lookup("sql:t" + next + ":data:e", created, null, CREATE, 1000, false, true);
        assertNotNull(first.versions()[1], "created before the caller's query runs");
        assertNull(first.entry());
    }

    /**
     * A reader whose statement's last lookup created a token sends the script straight away, one round trip: it
     * creates a missing token as the read-then-script lookup does, says it did ({@code created}), and answers a
     * lookup whose tokens all exist as the plain read does (a hit with its entry and time to live, a miss, a value
     * over the cap), creating nothing and saying so.
     */
    @Test
    void aLookupExpectingAMissingTokenIsTheScriptAloneAndAnswersAsTheRead() {
        store.lookup("sql:warm:data:e", versionKeys(false), CREATE, 1000); // the server learns the script
        String[] missing = versionKeys(false);
        server.command("CONFIG", "RESETSTAT");
        CacheStore.Lookup first = store.lookup("sql:t" + next + ":data:e", missing, null, CREATE, 1000, true, false,
                true);
        assertEquals(1, scriptsRun());
        assertEquals(0L, commands().getOrDefault("getrange", 0L), "no read before the script: " + commands());
        assertNotNull(first.versions()[1], "created before the caller's query runs");
        assertTrue(first.created());
        assertNull(first.entry());
        CacheStore.Lookup plain = store.lookup("sql:t" + next + ":data:e", missing, CREATE, 1000);
        assertArrayEquals(first.versions(), plain.versions(), "the token created is the one read after");
        assertFalse(plain.created());

        String[] keys = versionKeys(true);
        String entry = "sql:t" + next + ":data:e";
        server.command("SET", entry, "an entry", "PX", "60000");
        CacheStore.Lookup hit = store.lookup(entry, keys, null, CREATE, 1000, true, false, true);
        assertFalse(hit.created(), "every token was there");
        assertArrayEquals("an entry".getBytes(StandardCharsets.UTF_8), hit.entry());
        assertArrayEquals(new String[] {"fence-" + next, "token-" + next}, hit.versions());
        assertTrue(hit.entryTtlMillis() > 0 && hit.entryTtlMillis() <= 60_000, hit.toString());
        CacheStore.Lookup miss = store.lookup("sql:t" + next + ":data:none", keys, null, CREATE, 1000, true, false,
                true);
        assertNull(miss.entry());
        assertEquals(0, miss.oversized());
        assertArrayEquals(new String[] {"fence-" + next, "token-" + next}, miss.versions());
        String big = "sql:t" + next + ":data:big";
        server.command("SET", big, "x".repeat(1000));
        CacheStore.Lookup over = store.lookup(big, keys, null, CREATE, 10, true, false, true);
        assertNull(over.entry());
        assertEquals(1000, over.oversized());
    }

    /**
     * Since a statement reading rows for the first time sends the script straight away, the script also serves hits
     * and near copies (SessionCache keeps one of a hit read with a tag): a copy made from it must be bounded as one
     * made from the read, by the entry's time to live and by that of a key readers never create but the fence (the
     * change feed's, which expires without notice), and a key of another type under the entry key read as the corrupt
     * (empty) entry it is. Each scripted answer is compared with the plain read's of the same keys.
     */
    @Test
    void aScriptedHitIsBoundedAsTheReadsIsForANearCopy() {
        long[] withFeed = {CacheStore.NEVER_CREATE, CacheStore.NO_EXPIRY, CacheStore.NEVER_CREATE};
        String[] table = versionKeys(true);
        String[] keys = {table[0], table[1], "sql:_t" + next + ":feed"};
        server.command("SET", keys[2], "feed-" + next, "PX", "5000");
        String entry = "sql:t" + next + ":data:e";
        server.command("SET", entry, "an entry", "PX", "60000");

        CacheStore.Lookup scripted = store.lookup(entry, keys, null, withFeed, 1000, true, false, true);
        CacheStore.Lookup read = store.lookup(entry, keys, null, withFeed, 1000, true, false, false);
        assertArrayEquals(read.entry(), scripted.entry());
        assertArrayEquals(read.versions(), scripted.versions());
        assertTrue(scripted.versionsTtlMillis() > 0 && scripted.versionsTtlMillis() <= 5000, scripted.toString());
        assertTrue(read.versionsTtlMillis() > 0 && read.versionsTtlMillis() <= 5000, read.toString());
        assertTrue(scripted.copyTtlMillis(600_000) <= 5000, "a copy outlives the feed's key: " + scripted);
        assertTrue(scripted.entryTtlMillis() > 0 && scripted.entryTtlMillis() <= 60_000, scripted.toString());

        server.command("DEL", keys[2]); // the feed's key gone: missing, never created, by either
        CacheStore.Lookup gone = store.lookup(entry, keys, null, withFeed, 1000, true, false, true);
        assertNull(gone.versions()[2], gone.toString());
        assertTrue(gone.missing(2));
        assertFalse(gone.created());

        String corrupt = "sql:t" + next + ":data:list";
        server.command("RPUSH", corrupt, "not an entry");
        CacheStore.Lookup scriptedCorrupt = store.lookup(corrupt, table, null, CREATE, 1000, true, false, true);
        CacheStore.Lookup readCorrupt = store.lookup(corrupt, table, null, CREATE, 1000, true, false, false);
        assertArrayEquals(new byte[0], readCorrupt.entry(), readCorrupt.toString());
        assertArrayEquals(new byte[0], scriptedCorrupt.entry(), "another type reads as a corrupt entry");
    }
}
