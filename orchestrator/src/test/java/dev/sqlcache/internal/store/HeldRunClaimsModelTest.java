package dev.sqlcache.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sqlcache.internal.skip.RedisSkipStore;
import dev.sqlcache.internal.skip.SkipStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The two claims a held run lets a script make, checked against what the key was seen to hold: a skip permit's
 * renewal or check ({@code skip_renew.lua}, {@code skip_stands.lua}) that finds the permit intact, and an
 * acknowledged auto-commit end that tells nobody ({@code end_leases.lua}, issue #13), each claim that the key held
 * a lease without a break since that lease was placed. Review rX of two changes merged the same day: hF's end that
 * leaves a held key as it is (the mark keeps the latest lease's token, not the end's fresh one) and hA's skip gate
 * with rK's rule that a held mark counts for a permit only in a run begun over the permit's own token.
 *
 * <p>A break is seen, never guessed: before and after every step the key is read, and a key that holds no lease is
 * given a plain token as a reader's lookup would create it (lookup.lua). A key that lapses and is leased again
 * within one step's few milliseconds may go unseen (a claim then goes unchecked), so the check can miss a fault but
 * never invents one. Leases of mixed lengths lapse during a round; holders sets and keys are lost now and then; ends
 * land late (another attempt of an end that already ran), bumps come from outside, and a holder's score is pulled
 * back to a passed one, so that a shared end settles at a passed score (dc6605d's {@code PXAT}).
 */
class HeldRunClaimsModelTest extends PrivateRedisStoreTest {

    private static final String KEY = "sql:items:version:db1";
    private static final String OTHER = "sql:items:version:db1:k:0123456789abcdef0123456789abcdef";
    private static final String[][] CHOICES = {{KEY}, {OTHER}, {KEY, OTHER}};
    private static final String CACHERS = KEY + ":cachers";
    private static final String SEQUENCE = CacheStore.SEQUENCE_PREFIX + "db1";
    private static final String WRITER = "writer-jvm";
    /** Another JVM's near cache, live throughout: an end that tells names it, one that tells nobody names none. */
    private static final String OTHER_MEMBER = "other-jvm";
    private static final long[] LENGTHS = {40, 150, 1_000, 60_000};
    private static final long PERMIT_MILLIS = 4_000;

    /** Per key, how many breaks (the key seen holding no lease) so far. */
    private final Map<String, Integer> breaks = new HashMap<>();
    private int claimsChecked;
    private int permitClaims;

    /** One write or permit: its keys, tokens, the breaks counted when its lease was placed, its held runs. */
    private final class Lease {
        final String[] keys;
        /** The keys but the write sequence: what a permit's renewal and check read. */
        final String[] tokenKeys;
        final String[] tokens;
        final boolean permit;
        final boolean auto;
        final int[] breaksAtLease;
        String[] runs;

        Lease(String[] tokenKeys, String token, long length, boolean permit, boolean auto) {
            // Leased and ended with the database's write sequence, as CacheWrites and SkipGuard place them.
            this.tokenKeys = tokenKeys;
            this.keys = java.util.Arrays.copyOf(tokenKeys, tokenKeys.length + 1);
            keys[tokenKeys.length] = SEQUENCE;
            this.tokens = new String[keys.length];
            for (int i = 0; i < keys.length; i++) {
                tokens[i] = permit || i == 0 ? token : VersionTokens.freshLease(length);
            }
            this.permit = permit;
            this.auto = auto;
            this.breaksAtLease = new int[keys.length];
        }

        void placed() {
            for (int i = 0; i < keys.length; i++) {
                breaksAtLease[i] = breaks.getOrDefault(keys[i], 0);
            }
        }

        boolean brokenSince() {
            for (int i = 0; i < keys.length; i++) {
                if (breaks.getOrDefault(keys[i], 0) != breaksAtLease[i]) {
                    return true;
                }
            }
            return false;
        }
    }

    @BeforeEach
    void empty() {
        server.command("FLUSHALL");
        nearMembers();
    }

    private static void nearMembers() {
        long lapse = System.currentTimeMillis() + 600_000;
        server.command("ZADD", NearChannel.MEMBERS_KEY, Long.toString(lapse), WRITER, Long.toString(lapse),
                OTHER_MEMBER);
    }

    @Test
    void noInterleavingMakesAPermitOrATellNobodyEndClaimALeaseThatBroke() throws InterruptedException {
        runRounds(new StoreScripts(), new Random(29), 300);
    }

    /**
     * The same on a Redis before 6.2, which refuses SET's GET and PXAT and ZADD's GT as syntax errors before writing
     * anything: the scripts' fallbacks (GET then SET, TIME then PX, ZSCORE then ZADD) run instead, emulated here by
     * a prelude that refuses those options as that Redis does.
     */
    @Test
    void noInterleavingMakesAClaimOfABrokenLeaseOnARedisBefore62() throws InterruptedException {
        runRounds(new Before62Scripts(), new Random(62), 200);
    }

    private void runRounds(Scripts scripts, Random random, int rounds) throws InterruptedException {
        for (int round = 0; round < rounds; round++) {
            runRound(scripts, random, round);
        }
        System.out.printf("HeldRunClaimsModelTest (%s): %d claims checked, %d of them a permit's%n",
                scripts.getClass().getSimpleName(), claimsChecked, permitClaims);
        assertTrue(claimsChecked - permitClaims > rounds / 2 && permitClaims > rounds / 8,
                "the rounds made claims of both kinds: " + claimsChecked + ", " + permitClaims + " a permit's");
    }

    /** The scripts a round runs: the lease, the end (a bump without tokens), the permit's renewal and check. */
    private interface Scripts {
        /** The held run per key that the lease answered. */
        String[] lease(String[] keys, String[] tokens, long millis);

        /**
         * An end (runs: the acknowledged end of an auto-commit write; null: any other end); tokens all null: a
         * bump. Whether it told nobody.
         */
        boolean end(String[] keys, String[] tokens, String[] runs);

        boolean renew(String[] keys, String token);

        boolean stands(String[] keys, String token);
    }

    /** Through the store, on this Redis. */
    private static final class StoreScripts implements Scripts {
        private final SkipStore skips = new RedisSkipStore(store.commands());

        @Override
        public String[] lease(String[] keys, String[] tokens, long millis) {
            return store.leaseVersions(keys, tokens, millis, notice()).runs();
        }

        @Override
        public boolean end(String[] keys, String[] tokens, String[] runs) {
            return store.endLeases(keys, tokens, null, runs == null ? notice() : acknowledged(runs)).none();
        }

        @Override
        public boolean renew(String[] keys, String token) {
            return skips.renew(CACHERS, keys, token, PERMIT_MILLIS).intact();
        }

        @Override
        public boolean stands(String[] keys, String token) {
            return skips.stands(keys, token);
        }
    }

    /**
     * The same scripts, their arguments laid out as RedisCacheStore and RedisSkipStore lay them out, sent with EVAL
     * behind a prelude that shadows {@code redis} with one refusing what Redis before 6.2 refuses.
     */
    private static final class Before62Scripts implements Scripts {
        private static final String PRELUDE = """
                local realRedis = redis
                local function before62(args)
                  local command = string.upper(tostring(args[1]))
                  local from = (command == 'SET' and 4) or (command == 'ZADD' and 3) or nil
                  for i = from or (#args + 1), #args do
                    local a = string.upper(tostring(args[i]))
                    if (command == 'SET' and (a == 'GET' or a == 'PXAT' or a == 'EXAT'))
                        or (command == 'ZADD' and (a == 'GT' or a == 'LT')) then
                      return true
                    end
                  end
                  return false
                end
                local redis = setmetatable({
                  call = function(...)
                    if before62({...}) then
                      error({err = 'ERR syntax error'})
                    end
                    return realRedis.call(...)
                  end,
                  pcall = function(...)
                    if before62({...}) then
                      return {err = 'ERR syntax error'}
                    end
                    return realRedis.pcall(...)
                  end
                }, {__index = realRedis})
                """;
        private static final byte[] LEASE = shimmed(RedisCacheStore.LEASE);
        private static final byte[] END = shimmed(RedisCacheStore.END_LEASES);
        private static final byte[] RENEW = shimmed(RedisScript.load(dev.sqlcache.internal.skip.SkipStore.class,
                RedisScript.SERVER_CLOCK, "evictable.lua", "skip_intact.lua", "skip_renew.lua"));
        private static final byte[] STANDS = shimmed(RedisScript.load(dev.sqlcache.internal.skip.SkipStore.class,
                RedisScript.SERVER_CLOCK, "skip_intact.lua", "skip_stands.lua"));

        private static byte[] shimmed(RedisScript script) {
            return (PRELUDE + script.text()).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }

        private static byte[] bytes(String text) {
            return text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }

        private static List<byte[]> withHolders(String... keys) {
            List<byte[]> all = new ArrayList<>();
            for (String key : keys) {
                all.add(bytes(key));
            }
            for (String key : keys) {
                all.add(bytes(key + RedisCacheStore.HOLDERS_SUFFIX));
            }
            return all;
        }

        private static String header() {
            return RedisNearChannel.header(notice());
        }

        @Override
        public String[] lease(String[] keys, String[] tokens, long millis) {
            List<byte[]> args = new ArrayList<>();
            for (String token : tokens) {
                args.add(bytes(token));
            }
            args.add(bytes(Long.toString(millis)));
            args.add(bytes(header()));
            List<?> reply = (List<?>) inspector.eval(LEASE, withHolders(keys), args);
            List<?> answered = (List<?>) reply.get(1);
            String[] runs = new String[answered.size()];
            for (int i = 0; i < runs.length; i++) {
                runs[i] = new String((byte[]) answered.get(i), java.nio.charset.StandardCharsets.UTF_8);
            }
            return runs;
        }

        @Override
        public boolean end(String[] keys, String[] tokens, String[] runs) {
            List<byte[]> args = new ArrayList<>();
            for (String token : tokens) {
                args.add(bytes(token == null ? "" : token));
            }
            String base = VersionTokens.fresh();
            for (int i = 0; i < keys.length; i++) {
                args.add(bytes(base + ":" + i));
            }
            for (int i = 0; i < keys.length; i++) {
                args.add(bytes("0"));
            }
            args.add(bytes(header()));
            if (runs != null) {
                args.add(bytes("1"));
                for (String run : runs) {
                    args.add(bytes(run == null ? "" : run));
                }
            }
            Object reply = inspector.eval(END, withHolders(keys), args);
            return reply instanceof List<?> list && list.isEmpty();
        }

        @Override
        public boolean renew(String[] keys, String token) {
            List<byte[]> all = new ArrayList<>();
            all.add(bytes(CACHERS));
            all.addAll(withHolders(keys));
            List<?> reply = (List<?>) inspector.eval(RENEW, all,
                    List.of(bytes(token), bytes(Long.toString(PERMIT_MILLIS))));
            return Long.valueOf(1L).equals(reply.get(0));
        }

        @Override
        public boolean stands(String[] keys, String token) {
            return Long.valueOf(1L).equals(inspector.eval(STANDS, withHolders(keys), List.of(bytes(token))));
        }
    }

    /**
     * hF's end in the permit's run leaves the mark as it is: the permit still stands (the key held a lease
     * throughout); once the key is lost, read and held again by two writes, neither the renewal, the check nor those
     * writes' left marks make it stand again.
     */
    @Test
    void aMarkLeftAsItIsInThePermitsRunStandsOnlyUntilTheKeyBreaks() {
        SkipStore skips = new RedisSkipStore(store.commands());
        // A minute, not a permit's 4 s, so that a loaded machine cannot let it lapse between two steps.
        String permit = VersionTokens.withLength(CacheStore.LEASE_PREFIX + "skip:" + VersionTokens.fresh(), 60_000);
        store.leaseVersions(new String[] {KEY}, new String[] {permit}, 60_000, notice());
        // A write that raced past the gate joins the permit's bare token: a run begun over it.
        String[] joined = {VersionTokens.freshLease(60_000)};
        String[] runs = store.leaseVersions(new String[] {KEY}, joined, 60_000, notice()).runs();
        assertTrue(runs[0].endsWith("/" + permit), "a run begun over the permit's token: " + runs[0]);
        // Both scored by the same length from the same clock reading: the permit's score left is the mark's lapse.
        String mark = inspector.get(KEY);
        CacheStore.Recipients ended = store.endLeases(new String[] {KEY}, joined, null, acknowledged(runs));
        assertEquals(mark, inspector.get(KEY), "left as it is (67a1f58), naming the joined write's token");
        assertTrue(ended.none(), "the key held a lease throughout: nobody to tell");
        assertTrue(skips.stands(new String[] {KEY}, permit), "the permit's lease stood throughout");

        server.command("DEL", KEY);
        server.command("SET", KEY, "reader:" + VersionTokens.fresh()); // a reader re-creates the token
        String[] first = {VersionTokens.freshLease(60_000)};
        String[] second = {VersionTokens.freshLease(60_000)};
        store.leaseVersions(new String[] {KEY}, first, 60_000, notice());
        String[] secondRuns = store.leaseVersions(new String[] {KEY}, second, 60_000, notice()).runs();
        CacheStore.Recipients left = store.endLeases(new String[] {KEY}, second, null, acknowledged(secondRuns));
        assertTrue(left.none(), "the second write's run stood: nobody to tell");
        assertFalse(skips.stands(new String[] {KEY}, permit), "a mark of another run: " + inspector.get(KEY));
        assertFalse(skips.renew(CACHERS, new String[] {KEY}, permit, PERMIT_MILLIS).intact(),
                "renewal: a mark of another run");
    }

    private void runRound(Scripts scripts, Random random, int round) throws InterruptedException {
        server.command("FLUSHALL");
        nearMembers();
        breaks.clear();
        List<Lease> open = new ArrayList<>();
        List<Lease> ended = new ArrayList<>();
        Lease permit = null;
        int toStart = 3 + random.nextInt(4);
        StringBuilder trace = new StringBuilder("round " + round + ":");
        observe();
        while (toStart > 0 || !open.isEmpty()) {
            int choice = random.nextInt(24);
            if (choice < 6 && toStart > 0) {
                // One permit at a time, each placed once (SkipGuard grants only on one answered attempt).
                boolean asPermit = choice < 2 && (permit == null || !open.contains(permit));
                long length = asPermit ? PERMIT_MILLIS : LENGTHS[random.nextInt(LENGTHS.length)];
                String token = asPermit
                        ? VersionTokens.withLength(CacheStore.LEASE_PREFIX + "skip:" + VersionTokens.fresh(), length)
                        : VersionTokens.freshLease(length);
                // A permit's one token on both keys, as on a table's T, T:rows and T:inserts (always the same keys:
                // RedisSkipStore.stands encodes them once per table, by the first).
                String[] keys = asPermit ? CHOICES[2] : CHOICES[random.nextInt(CHOICES.length)];
                Lease lease = new Lease(keys, token, length, asPermit, !asPermit && random.nextBoolean());
                lease.runs = scripts.lease(lease.keys, lease.tokens, length);
                observe();
                lease.placed();
                open.add(lease);
                if (asPermit) {
                    permit = lease;
                }
                toStart--;
                trace.append(asPermit ? " permit" : lease.auto ? " lease(auto," + length + ")" : " lease(" + length
                        + ")");
            } else if (choice < 11 && !open.isEmpty()) {
                Lease lease = open.remove(random.nextInt(open.size()));
                boolean toldNobody = scripts.end(lease.keys, lease.tokens, lease.auto ? lease.runs : null);
                trace.append(lease.permit ? " end-permit" : " end");
                if (lease.auto && !lease.permit) {
                    claim(toldNobody, lease, trace, "an end told nobody");
                }
                observe();
                ended.add(lease);
            } else if (choice < 14 && permit != null && open.contains(permit)) {
                boolean renewal = choice == 11;
                observe();
                boolean intact = renewal
                        ? scripts.renew(permit.tokenKeys, permit.tokens[0])
                        : scripts.stands(permit.tokenKeys, permit.tokens[0]);
                trace.append(renewal ? " renew=" : " stands=").append(intact);
                claim(intact, permit, trace, renewal ? "the permit's renewal found it intact"
                        : "the permit's check found it standing");
                observe();
            } else if (choice == 14 && !ended.isEmpty()) {
                // Another attempt of an end that already ran, landing late (its own fresh tokens, its runs).
                Lease late = ended.get(random.nextInt(ended.size()));
                scripts.end(late.keys, late.tokens, late.auto ? late.runs : null);
                observe();
                trace.append(" late-end");
            } else if (choice == 15) {
                observe();
                String[] bumped = CHOICES[random.nextInt(CHOICES.length)];
                scripts.end(bumped, new String[bumped.length], null);
                observe();
                trace.append(" bump");
            } else if (choice == 16) {
                server.command("DEL", CHOICES[random.nextInt(2)][0] + RedisCacheStore.HOLDERS_SUFFIX);
                trace.append(" lose-set");
            } else if (choice == 17) {
                server.command("DEL", CHOICES[random.nextInt(2)][0]);
                observe();
                trace.append(" lose-key");
            } else if (choice == 18 && !open.isEmpty()) {
                // A holder whose lease ran out without an end: its score pulled back to a passed one (the next
                // shared end then settles at a passed score, or at the others' lapse).
                Lease lease = open.get(random.nextInt(open.size()));
                for (int i = 0; i < lease.tokenKeys.length; i++) {
                    server.command("ZADD", lease.tokenKeys[i] + RedisCacheStore.HOLDERS_SUFFIX, "XX", "1",
                            lease.tokens[i]);
                }
                trace.append(" lapse-holder");
            } else if (choice == 21 && !(open.isEmpty() && ended.isEmpty())) {
                // A transaction's lease placed again (leaseAgain), or a failed attempt of any lease but an
                // acknowledged one landing late (CacheWrites trusts neither: such an end tells, a permit is given
                // up): the same tokens placed again, perhaps over a key lost meanwhile.
                List<Lease> all = new ArrayList<>(open);
                all.addAll(ended);
                Lease lease = all.get(random.nextInt(all.size()));
                if (!lease.auto && !lease.permit) {
                    observe();
                    String token = lease.tokens[0];
                    scripts.lease(lease.keys, lease.tokens, Long.parseLong(token.substring(token.lastIndexOf('@') + 1)));
                    observe();
                    trace.append(" lease-again");
                }
            } else if (choice == 22) {
                // A grant whose lease had a failed attempt: given up (ended) at once, its first attempt landing late.
                String stray = VersionTokens.withLength(CacheStore.LEASE_PREFIX + "skip:" + VersionTokens.fresh(),
                        PERMIT_MILLIS);
                observe();
                scripts.lease(CHOICES[0], new String[] {stray}, PERMIT_MILLIS);
                scripts.end(CHOICES[0], new String[] {stray}, null);
                observe();
                if (random.nextBoolean()) {
                    server.command("DEL", KEY);
                    observe();
                }
                scripts.lease(CHOICES[0], new String[] {stray}, PERMIT_MILLIS);
                observe();
                trace.append(" stray-permit");
            } else if (choice < 26) {
                long pause = random.nextInt(50);
                observe();
                Thread.sleep(pause);
                observe();
                trace.append(" sleep(").append(pause).append(')');
            }
        }
    }

    /**
     * Reads each key as a reader's lookup would: a key that holds no lease is a break, and a missing one is given a
     * plain token (a reader creating it), so that a later lease over it cannot hide the gap.
     */
    private void observe() {
        for (String key : new String[] {KEY, OTHER}) {
            String value = inspector.get(key);
            if (!CacheStore.isLease(value)) {
                breaks.merge(key, 1, Integer::sum);
                if (value == null) {
                    server.command("SET", key, "reader:" + VersionTokens.fresh(), "NX");
                }
            }
        }
    }

    private void claim(boolean claimed, Lease lease, StringBuilder trace, String what) {
        if (!claimed) {
            return;
        }
        claimsChecked++;
        if (lease.permit) {
            permitClaims++;
        }
        if (lease.brokenSince()) {
            fail(trace + ": " + what + ", yet a key was seen without a lease since " + (lease.permit ? "the grant"
                    : "its lease") + " (" + KEY + " " + inspector.get(KEY) + ", " + OTHER + " " + inspector.get(OTHER)
                    + ")");
        }
    }

    private static CacheStore.Notice notice() {
        return new CacheStore.Notice(WRITER, VersionTokens.fresh());
    }

    private static CacheStore.Notice acknowledged(String[] runs) {
        return new CacheStore.Notice(WRITER, VersionTokens.fresh(), true, runs);
    }
}
