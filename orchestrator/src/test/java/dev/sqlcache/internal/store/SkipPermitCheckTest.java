package dev.sqlcache.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlcache.internal.skip.RedisSkipStore;
import dev.sqlcache.internal.skip.SkipStore;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The check a skipping write makes after its commit (skip_stands.lua): whether its permit's lease still stands on
 * the table's three version keys, counted by a private Redis ({@code INFO commandstats}) as
 * {@link WriteCommandCountTest} counts a leased write, and judged on the states a lease can be found in. The
 * permit's lease is placed as the grant places it: through the ordinary lease script.
 */
class SkipPermitCheckTest extends PrivateRedisStoreTest {

    private static final String TABLE = "sql:items:version:db1";
    private static final String[] TOKEN_KEYS = {TABLE, TABLE + ":rows", TABLE + ":inserts"};
    private static final String[] LEASE_KEYS = {TABLE, TABLE + ":rows", TABLE + ":inserts",
            CacheStore.SEQUENCE_PREFIX + "db1"};
    private static final CacheStore.Notice NOTICE = new CacheStore.Notice("writer-jvm", VersionTokens.fresh());

    /** Bytes one check may allocate on the caller's thread: Jedis's command and reply, and slack for the JIT. */
    private static final long BUDGET = 1_100;

    private static SkipStore skips;
    private String permit;

    @BeforeAll
    static void skipStore() {
        skips = new RedisSkipStore(store.commands());
    }

    @BeforeEach
    void granted() {
        server.command("FLUSHALL");
        permit = VersionTokens.withLength("lease:skip:" + VersionTokens.fresh(), 4_000);
        store.leaseVersions(LEASE_KEYS, new String[] {permit, permit, permit, permit}, 4_000, NOTICE);
    }

    private static Map<String, Long> commands() {
        return commandCounts();
    }

    /** Another write leases the table's token while the permit holds it: the key becomes a held mark. */
    private static String anotherWriteLeasesTheTable() {
        String other = VersionTokens.freshLease();
        store.leaseVersions(new String[] {TABLE}, new String[] {other}, 30_000, NOTICE);
        return other;
    }

    @Test
    void aStandingPermitCostsItsWriteOneScriptOfThreeReads() {
        skips.stands(TOKEN_KEYS, permit); // loaded: the steady state
        server.command("CONFIG", "RESETSTAT");
        assertTrue(skips.stands(TOKEN_KEYS, permit));
        Map<String, Long> counted = commands();
        long total = counted.values().stream().mapToLong(Long::longValue).sum();
        System.out.printf("SkipPermitCheckTest: a skipping write's check: %d commands: %s%n", total, counted);
        assertEquals(1, counted.getOrDefault("evalsha", 0L), "one round trip: " + counted);
        assertEquals(3, counted.getOrDefault("get", 0L), "one read per key: " + counted);
        assertEquals(4, total, "nothing written, no clock read: " + counted);
    }

    /**
     * The check runs once per skipping write, on the caller's thread: what it allocates there beyond the command
     * Jedis builds is sqlcache's own (issue #10). Counted as the bytes this thread allocates per check, compiled (the
     * last of three passes). Before session 30 the check also encoded its token, built the script's failure name and
     * a supplier of its arguments at every call: 1,192 bytes per check where it now takes 1,016 (Jedis 8.0.2, JDK 17).
     */
    @Test
    void aStandingPermitsCheckBuildsNothingPerWriteBeyondItsCommand() {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        int checks = 5_000;
        long perCheck = 0;
        for (int pass = 0; pass < 3; pass++) {
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < checks; i++) {
                if (!skips.stands(TOKEN_KEYS, permit)) {
                    throw new AssertionError("the permit must stand");
                }
            }
            perCheck = (threads.getCurrentThreadAllocatedBytes() - before) / checks;
        }
        System.out.printf("SkipPermitCheckTest: a standing permit's check allocates %d bytes%n", perCheck);
        assertTrue(perCheck < BUDGET, perCheck + " bytes per check");
    }

    @Test
    void aPermitSharedWithAnotherWritesLeaseStillStands() {
        anotherWriteLeasesTheTable();
        assertTrue(inspector.get(TABLE).startsWith("lease:held:"), "shared: " + inspector.get(TABLE));
        assertTrue(skips.stands(TOKEN_KEYS, permit));
    }

    @Test
    void aPermitDeletedFromAnyKeyDoesNotStand() {
        for (String key : TOKEN_KEYS) {
            granted();
            server.command("DEL", key);
            assertFalse(skips.stands(TOKEN_KEYS, permit), key + " deleted");
        }
    }

    @Test
    void anotherGrantsTokenDoesNotStandForThisOne() {
        assertFalse(skips.stands(TOKEN_KEYS, VersionTokens.withLength("lease:skip:" + VersionTokens.fresh(), 4_000)));
    }

    @Test
    void aPermitEndedDoesNotStand() {
        store.endLeases(LEASE_KEYS, new String[] {permit, permit, permit, permit}, null, NOTICE);
        assertFalse(skips.stands(TOKEN_KEYS, permit));
    }

    /**
     * A shared key deleted (or evicted) without its holders set, then leased by a third write: the set still names
     * the permit as a live holder, but the key was free between the deletion and that lease, and another JVM may
     * have cached the table then. Neither the check nor the renewal may take the permit for intact. Both did before
     * (any lease value in the key was accepted beside a live score).
     */
    @Test
    void aSharedKeyDeletedUnderItsHoldersSetAndLeasedAgainDoesNotStand() {
        anotherWriteLeasesTheTable();
        server.command("DEL", TABLE);
        anotherWriteLeasesTheTable();
        assertTrue(inspector.get(TABLE).startsWith("lease:") && !inspector.get(TABLE).startsWith("lease:held:"),
                "a bare lease: " + inspector.get(TABLE));
        assertFalse(skips.stands(TOKEN_KEYS, permit), "the check");
        assertFalse(skips.renew(TABLE + ":cachers", TOKEN_KEYS, permit, 4_000).intact(), "the renewal");
    }

    /**
     * The same loss, then two writes lease the key (review rK): the second turns the first's bare lease into a held
     * mark, so the key is held again and its surviving holders set still scores the permit live. "Held, and named
     * live by the set" is then true of a key that was free in between (a reader may have recreated it, cached the
     * table and copied it into its near cache, which only those writes' notices drop, and the skipping write waits
     * for none of them). The held run tells them apart: this one began over the first write's token, not over the
     * permit's. Both the check and the renewal accepted it before.
     */
    @Test
    void aSharedKeyDeletedUnderItsHoldersSetAndHeldAgainByTwoWritesDoesNotStand() {
        anotherWriteLeasesTheTable();
        server.command("DEL", TABLE);
        anotherWriteLeasesTheTable();
        anotherWriteLeasesTheTable();
        assertTrue(inspector.get(TABLE).startsWith("lease:held:"), "held again: " + inspector.get(TABLE));
        assertFalse(skips.stands(TOKEN_KEYS, permit), "the check");
        assertFalse(skips.renew(TABLE + ":cachers", TOKEN_KEYS, permit, 4_000).intact(), "the renewal");
    }

    /**
     * No permit is asked for on a table whose keys hold a lease (this one, another JVM's permit, a write's): it would
     * join that lease's held run and never be intact, so each round would cost a lease, its notices and its end.
     */
    @Test
    void aTableWhoseKeysHoldALeaseIsNotAskedFor() {
        String cachers = TABLE + ":cachers";
        assertEquals(SkipStore.LEASED, skips.liveCachers(cachers, TOKEN_KEYS), "the permit's lease");
        store.endLeases(LEASE_KEYS, new String[] {permit, permit, permit, permit}, null, NOTICE);
        assertEquals(0, skips.liveCachers(cachers, TOKEN_KEYS), "ended: fresh tokens");
        store.leaseVersions(new String[] {TABLE + ":inserts"}, new String[] {VersionTokens.freshLease()}, 30_000,
                NOTICE);
        assertEquals(SkipStore.LEASED, skips.liveCachers(cachers, TOKEN_KEYS), "a write's lease on one key");
    }

    /** A key held from the permit's own bare lease on (its run began over the permit's token) still stands. */
    @Test
    void aPermitSharedTwiceAndLeftByTheOthersStillStands() {
        String first = anotherWriteLeasesTheTable();
        anotherWriteLeasesTheTable();
        store.endLeases(new String[] {TABLE}, new String[] {first}, null, NOTICE);
        assertTrue(inspector.get(TABLE).startsWith("lease:held:"), "still held: " + inspector.get(TABLE));
        assertTrue(skips.stands(TOKEN_KEYS, permit), "the check");
        assertTrue(skips.renew(TABLE + ":cachers", TOKEN_KEYS, permit, 4_000).intact(), "the renewal");
        assertTrue(skips.stands(TOKEN_KEYS, permit), "the check after the renewal rewrote the mark's lapse");
    }
}
