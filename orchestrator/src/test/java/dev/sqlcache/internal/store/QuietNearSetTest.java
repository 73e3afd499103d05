package dev.sqlcache.internal.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlcache.internal.near.NearMember;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A write whose near members' set is missing tells near caches nobody knows of (the set may be a lost one), and a
 * deployment without near caches paid that notice on every write (issue #10). The writers' marks in the set end it:
 * once no renewal has run for two near leases since a writer found the set missing, no near lease can be live and
 * writes publish nothing; any renewal ends that at once. The waits below are on the server's own clock, which the
 * marks read; nothing is timed.
 */
class QuietNearSetTest extends PrivateRedisStoreTest {

    private static final Pattern PUBLISHES = Pattern.compile("cmdstat_publish:calls=(\\d+)");
    private static final String[] KEYS = {"sql:items:version:db1", "sql:items:version:db1:rows"};

    @BeforeEach
    void empty() {
        server.command("FLUSHALL");
    }

    private static long publishes() {
        Matcher m = PUBLISHES.matcher(inspector.info("commandstats"));
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    private static CacheStore.Recipients write() {
        CacheStore.Notice notice = new CacheStore.Notice("writer-jvm", VersionTokens.fresh());
        String[] leases = {VersionTokens.freshLease(30_000), VersionTokens.freshLease(30_000)};
        CacheStore.Recipients leased = store.leaseVersions(KEYS, leases, 30_000, notice);
        store.endLeases(KEYS, leases, null, notice);
        return leased;
    }

    /** Waits past two near leases on the server's clock (the machine's: the server runs here). */
    private static void twoLeasesPass() throws InterruptedException {
        Thread.sleep(2 * NearMember.LEASE_MILLIS + 100);
    }

    @Test
    void aMissingSetIsToldUntilTwoLeasesPassWithoutARenewalThenNobodyIs() throws InterruptedException {
        long before = publishes();
        assertEquals(CacheStore.Recipients.UNKNOWN.storeMillis(), write().storeMillis(), "the set is missing");
        assertTrue(publishes() > before, "holders nobody knows of are told");
        twoLeasesPass();
        assertEquals(-1, write().storeMillis(), "the write that finds the mark old enough still tells them");
        before = publishes();
        CacheStore.Recipients quiet = write();
        assertTrue(quiet.none(), "no near lease can be live: nobody to wait for");
        assertEquals(before, publishes(), "and nobody to tell");
    }

    @Test
    void aRenewalEndsTheQuietAtOnce() throws InterruptedException {
        write();
        twoLeasesPass();
        write();
        assertTrue(write().none());
        store.nearChannel().renew("another-jvm", NearMember.LEASE_MILLIS, "nonce");
        long before = publishes();
        CacheStore.Recipients told = write();
        assertTrue(publishes() > before, "a near cache renewed: it is told");
        assertArrayEquals(new String[] {"another-jvm"}, told.members(), "and waited for");
    }

    @Test
    void aRenewalBetweenTheMarksKeepsEveryWriteTelling() throws InterruptedException {
        write(); // the pending mark
        store.nearChannel().renew("another-jvm", 1, "nonce"); // a lease that lapses at once, granted after it
        twoLeasesPass();
        for (int i = 0; i < 3; i++) {
            long before = publishes();
            write();
            assertTrue(publishes() > before, "the renewal ended the pending mark: the set names a member");
        }
        assertEquals(null, inspector.zscore(NearChannel.MEMBERS_KEY, "~quiet"), "never quiet");
    }

    @Test
    void aMarkBesideAMemberOfAnOlderVersionNamesNobody() {
        // An older version's renewal adds its member without removing the marks.
        long serverMillis = System.currentTimeMillis();
        inspector.zadd(NearChannel.MEMBERS_KEY, 0, "~quiet");
        inspector.zadd(NearChannel.MEMBERS_KEY, serverMillis + 600_000, "old-jvm");
        long before = publishes();
        CacheStore.Recipients told = write();
        assertTrue(publishes() > before, "told");
        assertArrayEquals(new String[] {"old-jvm"}, told.members(), "the member, not the mark");
    }
}
