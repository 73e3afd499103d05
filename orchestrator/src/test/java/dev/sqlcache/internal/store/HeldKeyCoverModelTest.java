package dev.sqlcache.internal.store;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sqlcache.internal.skip.SkipStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Random interleavings of writes on one key, checked against what each write is owed: until its end, a write whose
 * lease was placed (and not lost with the key since) keeps the key a lease at least until its own lapse. Leases of
 * mixed lengths (some lapse during a round), ends with and without the held run their lease answered (the
 * acknowledged auto-commit end), a transaction's lease placed again, late attempts of an end and of a lease, bumps,
 * skip permits renewed, and the key or its holders set lost now and then. {@code LostLeaseHoldersTest} checks only
 * that the key is a lease (every lease there lives a minute); this checks its expiry too: a key that expires before
 * a holder still in flight uncovers that holder should its end never land.
 *
 * <p>Timing only decides which leases have lapsed; a failure is never a matter of timing: the key's expiry is judged
 * from above (its PTTL plus the client's clock after reading it) against a bound from below of the holder's lapse
 * (the client's clock before its lease was sent, plus its length), on one machine's clock.
 */
class HeldKeyCoverModelTest extends PrivateRedisStoreTest {

    private static final String KEY = "sql:items:version:db1";
    private static final String OTHER = "sql:items:version:db1:k:0123456789abcdef0123456789abcdef";
    /** The keys a write may lease: one, the other, or both in one script. */
    private static final String[][] CHOICES = {{KEY}, {OTHER}, {KEY, OTHER}};
    private static final String WRITER = "writer-jvm";
    private static final long[] LENGTHS = {40, 150, 1_000, 10_000, 60_000};
    private static final long PERMIT_MILLIS = 4_000;

    /** One write (or skip permit) and what it is owed. */
    private static final class Write {
        final String[] keys;
        final String[] tokens;
        final boolean permit;
        final boolean auto;
        String[] runs;
        /**
         * Per key, a bound from below of when its lease lapses (client ms), or 0: not owed (lost with the key, given
         * up).
         */
        final long[] owed;

        /** A permit's one token on every key it leases (SkipGuard); a write's, one of its own per key (CacheWrites). */
        Write(String[] keys, String token, long length, boolean permit, boolean auto) {
            this.keys = keys;
            this.tokens = new String[keys.length];
            for (int i = 0; i < keys.length; i++) {
                tokens[i] = permit || i == 0 ? token : VersionTokens.freshLease(length);
            }
            this.permit = permit;
            this.auto = auto;
            this.owed = new long[keys.length];
        }

        void owe(long until) {
            java.util.Arrays.fill(owed, until);
        }

        long owedOn(String key) {
            for (int i = 0; i < keys.length; i++) {
                if (keys[i].equals(key)) {
                    return owed[i];
                }
            }
            return 0;
        }

        void lost(String key) {
            for (int i = 0; i < keys.length; i++) {
                if (keys[i].equals(key)) {
                    owed[i] = 0;
                }
            }
        }
    }

    @BeforeEach
    void empty() {
        server.command("FLUSHALL");
        writerIsTheOnlyNearMember();
    }

    private static void writerIsTheOnlyNearMember() {
        server.command("ZADD", NearChannel.MEMBERS_KEY, Long.toString(System.currentTimeMillis() + 600_000), WRITER);
    }

    @Test
    void noInterleavingLetsTheKeyLapseBeforeAWriteInFlight() throws InterruptedException {
        runRounds(new Random(13), 250);
    }

    /**
     * A shared end whose remaining holders have all lapsed settles at a passed score, which deletes the key and, since
     * issue #13 (PXAT), leaves the holders set with the lapsed entries where the old settle deleted it. A write that
     * leases the missing key after that, and the lapsed holder's late end, must not leave that write uncovered.
     */
    @Test
    void aLapsedHoldersLateEndAfterTheKeyWasSettledAtAPassedScoreKeepsTheNextWriteCovered() {
        String holders = KEY + RedisCacheStore.HOLDERS_SUFFIX;
        String[] lapsed = {VersionTokens.freshLease(60_000)};
        String[] ending = {VersionTokens.freshLease(30_000)};
        store.leaseVersions(new String[] {KEY}, lapsed, 60_000, notice());
        store.leaseVersions(new String[] {KEY}, ending, 30_000, notice());
        // The first holder's lease ran out without an end (its score pulled back to the past).
        server.command("ZADD", holders, "1", lapsed[0]);
        store.endLeases(new String[] {KEY}, ending, null, notice());
        assertTrue(!CacheStore.isLease(inspector.get(KEY)), "no live holder: the key is not a lease");

        String[] next = {VersionTokens.freshLease(20_000)};
        long sent = System.currentTimeMillis();
        store.leaseVersions(new String[] {KEY}, next, 20_000, notice());
        store.endLeases(new String[] {KEY}, lapsed, null, notice()); // the lapsed holder's end, late
        long left = inspector.pttl(KEY);
        long after = System.currentTimeMillis();
        assertTrue(CacheStore.isLease(inspector.get(KEY)), "the next write is in flight: " + inspector.get(KEY));
        assertTrue(left + after + 2 >= sent + 20_000, "held for the next write's whole lease: " + left + " ms");
        store.endLeases(new String[] {KEY}, next, null, notice());
        assertTrue(!CacheStore.isLease(inspector.get(KEY)), "fresh after the next write's end");
    }

    private static void runRounds(Random random, int rounds) throws InterruptedException {
        SkipStore skips = store.skips();
        for (int round = 0; round < rounds; round++) {
            server.command("FLUSHALL");
            writerIsTheOnlyNearMember();
            List<Write> open = new ArrayList<>();
            List<Write> ended = new ArrayList<>();
            int toStart = 2 + random.nextInt(4);
            StringBuilder trace = new StringBuilder("round " + round + ":");
            while (toStart > 0 || !open.isEmpty()) {
                int choice = random.nextInt(20);
                if (choice < 6 && toStart > 0) {
                    boolean permit = choice == 0;
                    long length = permit ? PERMIT_MILLIS : LENGTHS[random.nextInt(LENGTHS.length)];
                    String token = permit
                            ? VersionTokens.withLength(CacheStore.LEASE_PREFIX + "skip:" + VersionTokens.fresh(), length)
                            : VersionTokens.freshLease(length);
                    // A permit leases one table's key; a write, one key or both (a table and a row of it).
                    String[] keys = CHOICES[permit ? 0 : random.nextInt(CHOICES.length)];
                    Write write = new Write(keys, token, length, permit, !permit && random.nextBoolean());
                    long sent = System.currentTimeMillis();
                    CacheStore.Recipients leased = store.leaseVersions(keys, write.tokens, length, notice());
                    write.runs = leased.runs();
                    write.owe(sent + length);
                    open.add(write);
                    toStart--;
                    trace.append(permit ? " permit" : write.auto ? " lease(auto," : " lease(tx,")
                            .append(permit ? "" : length + ")");
                } else if (choice < 11 && !open.isEmpty()) {
                    Write write = open.remove(random.nextInt(open.size()));
                    end(write);
                    ended.add(write);
                    trace.append(" end");
                } else if (choice == 11 && !open.isEmpty()) {
                    // A transaction's leases placed again, same token (CacheWrites.leaseAgain).
                    Write write = open.get(random.nextInt(open.size()));
                    if (!write.auto && !write.permit) {
                        String token = write.tokens[0];
                        long length = Long.parseLong(token.substring(token.lastIndexOf('@') + 1));
                        long sent = System.currentTimeMillis();
                        store.leaseVersions(write.keys, write.tokens, length, notice());
                        write.owe(sent + length);
                        trace.append(" again");
                    }
                } else if (choice == 12 && !open.isEmpty()) {
                    // A permit's renewal: owed a new lapse only when the renewal found it intact, else given up.
                    Write write = open.get(random.nextInt(open.size()));
                    if (write.permit && write.owed[0] > 0) {
                        long sent = System.currentTimeMillis();
                        boolean intact = skips.renew(KEY + ":cachers", write.keys, write.tokens[0], PERMIT_MILLIS)
                                .intact();
                        write.owe(intact ? sent + PERMIT_MILLIS : 0);
                        trace.append(intact ? " renew" : " renew-lost");
                    }
                } else if (choice == 13 && !ended.isEmpty()) {
                    // A late attempt of an end that already ran (another replacement token, as every attempt).
                    end(ended.get(random.nextInt(ended.size())));
                    trace.append(" late-end");
                } else if (choice == 14) {
                    store.bumpVersions(CHOICES[random.nextInt(CHOICES.length)]);
                    trace.append(" bump");
                } else if (choice == 15) {
                    server.command("DEL", CHOICES[random.nextInt(2)][0] + RedisCacheStore.HOLDERS_SUFFIX);
                    trace.append(" lose-set");
                } else if (choice == 16) {
                    String key = CHOICES[random.nextInt(2)][0];
                    if (server.command("DEL", key).equals(":1")) {
                        // A lost key uncovered whoever it held: nothing more is owed them but by a placement since.
                        for (Write write : open) {
                            write.lost(key);
                        }
                    }
                    trace.append(" lose-key");
                } else if (choice < 19) {
                    long pause = random.nextInt(40);
                    Thread.sleep(pause);
                    trace.append(" sleep(").append(pause).append(')');
                }
                check(open, trace);
            }
        }
    }

    private static CacheStore.Notice notice() {
        return new CacheStore.Notice(WRITER, VersionTokens.fresh());
    }

    private static void end(Write write) {
        CacheStore.Notice notice = write.auto
                ? new CacheStore.Notice(WRITER, VersionTokens.fresh(), true, write.runs)
                : notice();
        store.endLeases(write.keys, write.tokens, null, notice);
    }

    private static void check(List<Write> open, StringBuilder trace) {
        check(KEY, open, trace);
        check(OTHER, open, trace);
    }

    private static void check(String key, List<Write> open, StringBuilder trace) {
        String value = inspector.get(key);
        long left = inspector.pttl(key);
        long after = System.currentTimeMillis();
        for (Write write : open) {
            long owed = write.owedOn(key);
            // Owed still after this reading (2 ms: the clocks' millisecond rounding).
            if (owed > after + 2) {
                if (!CacheStore.isLease(value)) {
                    fail(trace + ": a write in flight until " + (owed - after) + " ms from now, " + key + " holds "
                            + value);
                }
                // The key expires at most 'left' ms after 'after'; the write lapses no sooner than 'owed'.
                assertTrue(left == -1 || left + after + 2 >= owed, trace + ": " + key + " (" + value
                        + ") expires within " + left + " ms, a write in flight lapses " + (owed - after)
                        + " ms from now");
            }
        }
    }
}
