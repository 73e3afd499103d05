package dev.sqlcache.internal.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlcache.testing.RedisServerFixture;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A lookup without a script is several commands, and other clients' commands may run between them. Whatever runs
 * there, a copy kept in process must not outlive the entry it was made from, nor a key readers never create (the
 * change feed's), as with the atomic script (docs/consistency.md: "A copy never outlives the entry it was made
 * from"). {@link SplittingRelay} places the other command at the exact point.
 */
class RedisLookupInterleavingTest {

    /** The fence, a table token readers create, the change feed's key, which readers never create. */
    private static final long[] CREATE = {CacheStore.NEVER_CREATE, CacheStore.NO_EXPIRY, CacheStore.NEVER_CREATE};
    /** What a copy would live were the store silent: far longer than any entry here. */
    private static final long LONG = 3_600_000;

    private static RedisServerFixture server;
    private static SplittingRelay relay;
    private static RedisCacheStore store;
    private static int next;

    @BeforeAll
    static void start() throws Exception {
        server = RedisServerFixture.start();
        relay = SplittingRelay.to(server.port());
        store = new RedisCacheStore(RedisTransport.TCP.settings(server,
                Map.of("sqlcache.redis.port", Integer.toString(relay.port()))));
    }

    @AfterAll
    static void stop() {
        store.close();
        relay.close();
        server.close();
    }

    /** Fresh keys, all present: the fence, a table token, the feed's key (ten minutes to live). */
    private static String[] versionKeys() {
        next++;
        String[] keys = {"sql:_t" + next + ":fence", "sql:t" + next + ":version:db", "sql:_feed" + next};
        server.command("SET", keys[0], "fence-" + next);
        server.command("SET", keys[1], "token-" + next);
        server.command("SET", keys[2], "feed-" + next, "PX", "600000");
        return keys;
    }

    private static CacheStore.Lookup lookUp(String entry, String[] keys) {
        CacheStore.Lookup lookup = store.lookup(entry, keys, CREATE, 1000);
        assertTrue(relay.ran(), "the other command ran inside the lookup");
        return lookup;
    }

    @Test
    void anEntryThatExpiresRightAfterItWasReadLeavesNoCopy() {
        String[] keys = versionKeys();
        String entry = "sql:t" + next + ":data:e";
        server.command("SET", entry, "an entry", "PX", "60000");
        // As if its time ran out between the read and the PTTL (an expiry takes it as DEL does).
        relay.onceAfter(() -> server.command("DEL", entry), "GETRANGE", entry, "0", "1000");
        CacheStore.Lookup lookup = lookUp(entry, keys);
        assertArrayEquals("an entry".getBytes(StandardCharsets.UTF_8), lookup.entry());
        assertEquals(0, lookup.copyTtlMillis(LONG), "the entry is gone: " + lookup);
    }

    @Test
    void anEntryReplacedRightAfterItWasReadLeavesACopyNoLongerThanItself() {
        String[] keys = versionKeys();
        String entry = "sql:t" + next + ":data:e";
        server.command("SET", entry, "an entry", "PX", "2000");
        relay.onceAfter(() -> server.command("SET", entry, "a later entry", "PX", "600000"),
                "GETRANGE", entry, "0", "1000");
        CacheStore.Lookup lookup = lookUp(entry, keys);
        assertArrayEquals("an entry".getBytes(StandardCharsets.UTF_8), lookup.entry());
        assertTrue(lookup.copyTtlMillis(LONG) <= 2000, "the copy is of the entry read: " + lookup);
    }

    /**
     * A store that lands right after the read found nothing: the entry was missing, not empty (an empty value is
     * refused as corrupt, and a count of corrupt entries says something else writes the cache's keys).
     */
    @Test
    void anEntryStoredRightAfterItWasFoundMissingIsMissingNotCorrupt() {
        String[] keys = versionKeys();
        String entry = "sql:t" + next + ":data:e";
        relay.onceAfter(() -> server.command("SET", entry, "a later entry", "PX", "60000"),
                "GETRANGE", entry, "0", "1000");
        CacheStore.Lookup lookup = lookUp(entry, keys);
        assertNull(lookup.entry(), "missing when read: " + lookup);
    }

    /**
     * The same store landing after the read of a reader that keeps no copy (no PTTLs around its read): still missing,
     * not corrupt. Asking afterwards whether the key exists finds the entry just stored, and called it an empty value.
     */
    @Test
    void anEntryStoredRightAfterAReadThatKeepsNoCopyFoundItMissingIsMissingNotCorrupt() {
        String[] keys = versionKeys();
        String entry = "sql:t" + next + ":data:e";
        relay.onceAfter(() -> server.command("SET", entry, "a later entry", "PX", "60000"),
                "GETRANGE", entry, "0", "1000");
        CacheStore.Lookup lookup = store.lookup(entry, keys, CREATE, 1000, false);
        assertTrue(relay.ran(), "the other command ran inside the lookup");
        assertTrue(lookup.entry() == null || lookup.entry().length > 0,
                "missing when read, or the entry stored since; never an empty (corrupt) value: " + lookup);
        assertEquals(0, lookup.copyTtlMillis(LONG), "a reader that keeps no copy is told none may live: " + lookup);
    }

    /**
     * The same store landing after the read of a reader that sends no EXISTS (its statement's lookups find entries):
     * the empty read pays the whole read, which finds the entry stored since or none; never an empty value.
     */
    @Test
    void anEntryStoredRightAfterAReadExpectingOneFoundItMissingIsMissingNotCorrupt() {
        String[] keys = versionKeys();
        String entry = "sql:t" + next + ":data:e";
        relay.onceAfter(() -> server.command("SET", entry, "a later entry", "PX", "60000"),
                "GETRANGE", entry, "0", "1000");
        CacheStore.Lookup lookup = store.lookup(entry, keys, null, CREATE, 1000, false, true);
        assertTrue(relay.ran(), "the other command ran inside the lookup");
        assertTrue(lookup.entry() == null || lookup.entry().length > 0,
                "missing when read, or the entry stored since; never an empty (corrupt) value: " + lookup);
        assertEquals(0, lookup.copyTtlMillis(LONG), "a reader that keeps no copy is told none may live: " + lookup);
    }

    /**
     * A value deleted right after a read that sent no EXISTS read it: the entry read, with the tokens read after it.
     */
    @Test
    void anEntryDeletedRightAfterAReadExpectingOneIsTheOneRead() {
        String[] keys = versionKeys();
        String entry = "sql:t" + next + ":data:e";
        server.command("SET", entry, "an entry", "PX", "60000");
        relay.onceAfter(() -> server.command("DEL", entry), "GETRANGE", entry, "0", "1000");
        CacheStore.Lookup lookup = store.lookup(entry, keys, null, CREATE, 1000, false, true);
        assertTrue(relay.ran(), "the other command ran inside the lookup");
        assertArrayEquals("an entry".getBytes(StandardCharsets.UTF_8), lookup.entry());
        assertArrayEquals(new String[] {"fence-" + next, "token-" + next, "feed-" + next}, lookup.versions());
    }

    /**
     * A reader expecting an entry found none, and its second read (the one with an EXISTS) is where a store lands:
     * right after that EXISTS found no key. The entry stored since (read before the tokens), or none; never an
     * empty value.
     */
    @Test
    void anEntryStoredInsideTheSecondReadOfAReadExpectingOneIsTheEntryOrMissing() {
        String[] keys = versionKeys();
        String entry = "sql:t" + next + ":data:e";
        // Only the second read sends an EXISTS: the first is GETRANGE and MGET.
        relay.onceAfter(() -> server.command("SET", entry, "a later entry", "PX", "60000"), "EXISTS", entry);
        CacheStore.Lookup lookup = store.lookup(entry, keys, null, CREATE, 1000, false, true);
        assertTrue(relay.ran(), "the other command ran inside the second read");
        assertTrue(lookup.entry() == null || new String(lookup.entry(), StandardCharsets.UTF_8).equals("a later entry"),
                "missing, or the entry stored since: " + lookup);
        assertEquals(0, lookup.copyTtlMillis(LONG), "a reader that keeps no copy is told none may live: " + lookup);
    }

    /**
     * A foreign empty value landing inside the second read, right after its EXISTS found no key: a miss (what the
     * read with an EXISTS answers), not a corrupt entry.
     */
    @Test
    void anEmptyValueStoredInsideTheSecondReadOfAReadExpectingOneIsMissing() {
        String[] keys = versionKeys();
        String entry = "sql:t" + next + ":data:e";
        relay.onceAfter(() -> server.command("SET", entry, ""), "EXISTS", entry);
        CacheStore.Lookup lookup = store.lookup(entry, keys, null, CREATE, 1000, false, true);
        assertTrue(relay.ran(), "the other command ran inside the second read");
        assertNull(lookup.entry(), "missing when the second read asked: " + lookup);
        assertEquals(0, lookup.oversized());
    }

    /**
     * After the first read of a reader expecting an entry found none (and read the token), a write replaces the
     * token before the second read's GETRANGE: the lookup answers with the tokens the second read read, never the
     * first read's (a store of the miss's result under those would be checked against a token already gone).
     */
    @Test
    void aTokenReplacedAfterTheFirstReadOfAReadExpectingOneIsTheOneReturned() {
        String[] keys = versionKeys();
        String entry = "sql:t" + next + ":data:e";
        relay.onceAfter(() -> server.command("SET", keys[1], "written-" + next), "EXISTS", entry);
        CacheStore.Lookup lookup = store.lookup(entry, keys, null, CREATE, 1000, false, true);
        assertTrue(relay.ran(), "the other command ran inside the second read");
        assertNull(lookup.entry(), lookup.toString());
        assertEquals("written-" + next, lookup.versions()[1], "the token read by the second read: " + lookup);
    }

    /**
     * A reader expecting an entry finds none; another JVM's store lands, the key is deleted (an eviction, an admin
     * flush) and stored again, each right after the next command the reader sends. The read with an EXISTS answers
     * "missing" here; a PTTL on each side of an empty read cannot tell a key gone and back from an empty value, so
     * a whole read sent at this point called the miss a corrupt (foreign) entry.
     */
    @Test
    void anEntryStoredDeletedAndStoredAgainAfterAReadExpectingOneFoundItMissingIsNeverCorrupt() {
        String[] keys = versionKeys();
        String entry = "sql:t" + next + ":data:e";
        String[] range = {"GETRANGE", entry, "0", "1000"};
        relay.onceAfter(() -> {
            server.command("SET", entry, "an entry", "PX", "60000");
            relay.onceAfter(() -> {
                server.command("DEL", entry);
                relay.onceAfter(() -> server.command("SET", entry, "an entry again", "PX", "60000"), range);
            }, "PTTL", entry);
        }, range);
        try {
            CacheStore.Lookup lookup = store.lookup(entry, keys, null, CREATE, 1000, false, true);
            assertTrue(lookup.entry() == null || lookup.entry().length > 0,
                    "missing, or an entry stored since; never an empty (corrupt) value: " + lookup);
            assertEquals(0, lookup.copyTtlMillis(LONG), lookup.toString());
        } finally {
            relay.disarm();
        }
    }

    /**
     * A reader that keeps no copy still reads the tokens after the entry: a write that replaces a token right after
     * the entry was read shows in the tokens the lookup returns, so the entry (made under the old one) is not current.
     */
    @Test
    void aTokenReplacedRightAfterAReadThatKeepsNoCopyIsTheOneReturned() {
        String[] keys = versionKeys();
        String entry = "sql:t" + next + ":data:e";
        server.command("SET", entry, "an entry", "PX", "60000");
        relay.onceAfter(() -> server.command("SET", keys[1], "written-" + next), "GETRANGE", entry, "0", "1000");
        CacheStore.Lookup lookup = store.lookup(entry, keys, CREATE, 1000, false);
        assertTrue(relay.ran(), "the other command ran inside the lookup");
        assertArrayEquals("an entry".getBytes(StandardCharsets.UTF_8), lookup.entry());
        assertEquals("written-" + next, lookup.versions()[1], "the token read after the entry: " + lookup);
    }

    @Test
    void aFeedKeyThatExpiresRightAfterItWasReadLeavesNoCopy() {
        String[] keys = versionKeys();
        String entry = "sql:t" + next + ":data:e";
        server.command("SET", entry, "an entry", "PX", "60000");
        relay.onceAfter(() -> server.command("DEL", keys[2]), "MGET", keys[0], keys[1], keys[2]);
        CacheStore.Lookup lookup = lookUp(entry, keys);
        assertEquals("feed-" + next, lookup.versions()[2], "read while it was there");
        assertEquals(0, lookup.copyTtlMillis(LONG), "the feed's key is gone: " + lookup);
    }
}
