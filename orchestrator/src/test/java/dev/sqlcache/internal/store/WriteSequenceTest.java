package dev.sqlcache.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlcache.testing.RedisServerFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

/**
 * The write sequence in Redis is a 19-digit number advanced by INCR (issue #10): the server ms its history began,
 * then six digits of steps. Whatever else the key holds (nothing, an older version's {@code <epoch>:<n>}, a number
 * too short to carry a start) begins a new history at the server's current ms, never continues it.
 */
class WriteSequenceTest {

    private static final String SEQUENCE = CacheStore.SEQUENCE_PREFIX + "db1";
    private static final String[] KEYS = {"sql:items:version:db1", SEQUENCE};

    private static RedisServerFixture server;
    private static RedisCacheStore store;
    private static RedisClient inspector;

    @BeforeAll
    static void start() {
        server = RedisServerFixture.start();
        store = new RedisCacheStore(RedisTransport.TCP.settings(server));
        inspector = RedisClient.create("127.0.0.1", server.port());
    }

    @AfterAll
    static void stop() {
        inspector.close();
        store.close();
        server.close();
    }

    @BeforeEach
    void empty() {
        server.command("FLUSHALL");
    }

    /** The history's start, checked against this machine's clock (the server's). */
    private static long started(String value, long before, long after, String steps) {
        assertTrue(value.matches("[1-9][0-9]{18}"), value);
        long start = Long.parseLong(value.substring(0, 13));
        assertTrue(start >= before && start <= after, start + " not in [" + before + ", " + after + "]");
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
        long before = System.currentTimeMillis();
        String leased = leaseAndEnd();
        long after = System.currentTimeMillis();
        started(leased, before, after, "000001");
        assertEquals(Long.toString(Long.parseLong(leased) + 1), inspector.get(SEQUENCE), "the end: one step");
        store.bumpVersions(KEYS);
        assertEquals(Long.toString(Long.parseLong(leased) + 2), inspector.get(SEQUENCE), "a bump: one step");
    }

    @Test
    void aReaderBeginsAHistoryWithNoStep() {
        long before = System.currentTimeMillis();
        String read = store.lookup("e", new String[] {SEQUENCE}, new long[] {CacheStore.NO_EXPIRY}).versions()[0];
        started(read, before, System.currentTimeMillis(), "000000");
        assertEquals(read, inspector.get(SEQUENCE));
    }

    @Test
    void anOlderVersionsValueOrAShortNumberBeginsANewHistory() {
        for (String odd : new String[] {"0123456789abcdef0123456789abcdef:41", "41", "garbage"}) {
            inspector.set(SEQUENCE, odd);
            long before = System.currentTimeMillis();
            started(leaseAndEnd(), before, System.currentTimeMillis(), "000001");
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
}
