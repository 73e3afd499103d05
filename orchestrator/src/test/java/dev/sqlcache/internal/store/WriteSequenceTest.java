package dev.sqlcache.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import java.util.List;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Transaction;

/**
 * The write sequence in Redis is a 19-digit number advanced by INCR (issue #10): a random 13-digit start drawn when
 * its history began, then six digits of steps. Whatever else the key holds (nothing, an older version's
 * {@code <epoch>:<n>}, a number too short to carry a start) begins a new history under a new start, never continues
 * it.
 */
class WriteSequenceTest extends PrivateRedisStoreTest {

    private static final String SEQUENCE = CacheStore.SEQUENCE_PREFIX + "db1";
    private static final String[] KEYS = {"sql:items:version:db1", SEQUENCE};

    @BeforeEach
    void empty() {
        server.command("FLUSHALL");
    }

    /** The history's start: 13 digits, 10^12 to 9223372036853 (its last step still fits INCR's 64 bits). */
    private static long started(String value, String steps) {
        assertTrue(value.matches("[1-9][0-9]{18}"), value);
        long start = Long.parseLong(value.substring(0, 13));
        assertTrue(start >= 1_000_000_000_000L && start <= 9_223_372_036_853L, value);
        assertEquals(steps, value.substring(13), value);
        return start;
    }

    private static String leaseAndEnd() {
        String[] leases = store.leaseVersions(KEYS, 60_000);
        String leased = inspector.get(SEQUENCE);
        store.endLeases(KEYS, leases);
        return leased;
    }

    @Test
    void aMissingSequenceBeginsAtTheServersMillisecondAndEveryChangeStepsIt() {
        String leased = leaseAndEnd();
        started(leased, "000001");
        assertEquals(Long.toString(Long.parseLong(leased) + 1), inspector.get(SEQUENCE), "the end: one step");
        store.bumpVersions(KEYS);
        assertEquals(Long.toString(Long.parseLong(leased) + 2), inspector.get(SEQUENCE), "a bump: one step");
    }

    @Test
    void aReaderBeginsAHistoryWithNoStep() {
        String read = store.lookup("e", new String[] {SEQUENCE}, new long[] {CacheStore.NO_EXPIRY}).versions()[0];
        started(read, "000000");
        assertEquals(read, inspector.get(SEQUENCE));
    }

    @Test
    void anOlderVersionsValueOrAShortNumberBeginsANewHistory() {
        for (String odd : new String[] {"0123456789abcdef0123456789abcdef:41", "41", "garbage",
                "9223372036854775807"}) {
            inspector.set(SEQUENCE, odd);
            started(leaseAndEnd(), "000001");
        }
    }

    /**
     * A user the ACL refuses INCR (the line documented before this change) must see the write fail, as any refused
     * command does (and be reported as a misconfiguration), not advance nothing and start a new history each time.
     */
    @Test
    void anAclWithoutIncrFailsTheWriteInsteadOfRestartingTheSequence() {
        server.command("ACL", "SETUSER", "noincr", "on", ">secret-noincr", "~*", "&*", "+@all", "-incr");
        try (RedisCacheStore limited = new RedisCacheStore(new dev.sqlcache.internal.config.RedisSettings(
                "127.0.0.1", server.port(), null, "noincr", "secret-noincr", 0, false, 2, 2_000, 2_000))) {
            inspector.set(SEQUENCE, "1765065600000000041");
            assertThrows(CacheStoreException.class, () -> limited.leaseVersions(KEYS, 60_000));
            assertEquals("1765065600000000041", inspector.get(SEQUENCE), "not restarted");
        } finally {
            server.command("ACL", "DELUSER", "noincr");
        }
    }

    /**
     * Two histories of the key must never carry one epoch: a pinned snapshot transaction would take the later
     * history's values for moments of its own (docs/consistency.md, "The write sequence as a number"). Here a write
     * starts a history, the key alone is deleted, and another write starts the next, in one MULTI: within one server
     * millisecond nearly every time. With the history's start taken from the server's ms (t4's first cut) both began
     * at {@code <T>000001} and this failed at its first round; with random starts, never.
     */
    @Test
    void aKeyLostInTheMillisecondItBeganStartsAnotherEpoch() {
        String script = RedisCacheStore.LEASE.text();
        List<String> keys = List.of(SEQUENCE, SEQUENCE + RedisCacheStore.HOLDERS_SUFFIX);
        try (Jedis raw = new Jedis("127.0.0.1", server.port())) {
            for (int round = 0; round < 50; round++) {
                server.command("FLUSHALL");
                Transaction multi = raw.multi();
                multi.eval(script, keys, List.of(VersionTokens.freshLease(60_000), "60000", ""));
                multi.get(SEQUENCE);
                multi.del(SEQUENCE);
                multi.eval(script, keys, List.of(VersionTokens.freshLease(60_000), "60000", ""));
                multi.get(SEQUENCE);
                List<Object> replies = multi.exec();
                String first = (String) replies.get(1);
                String second = (String) replies.get(4);
                assertTrue(first.matches("[1-9][0-9]{12}000001") && second.matches("[1-9][0-9]{12}000001"),
                        first + " " + second);
                assertTrue(!first.substring(0, 13).equals(second.substring(0, 13)),
                        "two histories share the epoch " + first.substring(0, 13) + " (round " + round + ")");
            }
        }
    }
}
