package dev.sqlcache.internal.engine;

import dev.sqlcache.internal.config.TablePolicy;
import dev.sqlcache.internal.time.Clock;
import dev.sqlcache.stats.BypassReason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Whether looking a query up is worth its round trip, by measurement. Caching a statement pays only when
 * {@code hit ratio x database time > lookup time}: a hit saves the database time, every lookup costs a round trip
 * (a miss pays it on top of the query). Each statement shape (a {@link QueryPlan}) keeps the last samples of what
 * the database, a Redis lookup and a near hit take ({@link CostSamples}: judged on their middle half, not swayed by a
 * quarter of outliers) and decayed counts of its lookups, hits and near hits; a shape below the line (with hysteresis) stops being looked up and stored — its reads go to the database
 * with no Redis round trip, {@link BypassReason#NOT_WORTH_CACHING} — and one execution in
 * {@link #PROBE_EVERY} still takes the cache's path, so a shape whose cost or hit ratio changes comes back. A shape
 * that is on sends one read in {@link #PROBE_EVERY} or fewer to the database ({@link BypassReason#MEASURING_DATABASE}:
 * see {@link #measureEvery}), so that what the database takes keeps being measured while every read hits. A shape
 * is judged every {@link #JUDGE_EVERY} executions, and held in its
 * state a while after each switch, longer each time it switches back soon: it does not flap (issue #10).
 * Per table, when hardly any stored entry is ever hit before a write invalidates it, or when what its hits saved
 * is less than what its writes paid for their leases, the table is off for a while
 * (doubling up to {@link #MAX_TABLE_OFF_NANOS}). {@code sqlcache.tablePolicy} pins tables on (never switched off)
 * or off ({@link BypassReason#TABLE_POLICY}). Thread-safe; the per-query cost is a few field updates.
 */
final class CachePolicy implements dev.sqlcache.internal.skip.TableSwitches {

    private static final Logger LOG = LoggerFactory.getLogger(CachePolicy.class);
    /**
     * Lookups a shape needs before it is judged. One database run is enough: a shape that always hits never runs
     * on the database again, and once it is off every execution measures the database.
     */
    static final int MIN_SAMPLES = 16;
    /** One execution in this many of a shape switched off still looks up, to re-measure. A power of two. */
    static final int PROBE_EVERY = 64;
    /**
     * A shape's first this long (from its first judgement) is its youth: the JVM that runs it may still be cold.
     * Issue #13, session 26: at stop 25 a Redis lookup measured 2.9 ms in its shape's first quarter second (the
     * lookup path interpreted, the machine loaded; tens of µs once compiled) switched ycsb-100-0's shape off on
     * both sqlcache targets, and the Redis-only target's table then went off as a whole for 30 s. What a young shape
     * is switched off on is not trusted for long: see {@link #switchedOffYoung}.
     */
    static final long YOUNG_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** One execution in this many of a young shape switched off looks up (a power of two). */
    static final int YOUNG_PROBE_EVERY = 4;
    /** Fresh lookups a young shape switched off needs before it is judged again. */
    static final int FRESH_SAMPLES = 8;
    /** Switch off below this share of the lookup time, on again above the other: no flapping at the line. */
    private static final double OFF_BELOW = 0.8;
    private static final double ON_ABOVE = 1.2;
    /**
     * A shape is judged once every this many executions (database runs and lookups), not at each: an execution
     * only adds its time to a window and counts. The same as {@link #MIN_SAMPLES}, so that a new shape is judged as
     * soon as it has its lookups.
     */
    static final int JUDGE_EVERY = MIN_SAMPLES;
    /**
     * After a switch a shape keeps its state for this many judgements at least; the hold doubles, up to the
     * longest, each time it switches back soon: before {@link #STEADY_JUDGEMENTS} or twice its hold, whichever is
     * longer (costs at the line, or that turn with the state itself: with a near cache, a shape off sees only its
     * near hits, and one on mostly its Redis lookups). Not twice the hold alone: a state's samples of database
     * times (misses only, while on) take a few hundred executions to turn over, and a shape flipping at each such
     * turn was never held longer. A real change of costs is still followed within the longest hold
     * and a few windows: {@code MAX_HOLD_JUDGEMENTS x JUDGE_EVERY} executions (16384), seconds at the rates where
     * the choice matters.
     */
    static final int MIN_HOLD_JUDGEMENTS = 4;
    static final int MAX_HOLD_JUDGEMENTS = 1024;
    static final int STEADY_JUDGEMENTS = 256;
    /** The most reads of a shape that is on between two that measure the database ({@link #measureEvery}). */
    static final int MAX_MEASURE_EVERY = 1 << 16;
    /** A shape's switches are logged at INFO at most once in this long; the others at DEBUG, and counted. */
    private static final long LOG_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);
    /** A table is judged over this many stores; off when fewer than {@link #TABLE_MIN_HIT_SHARE} of them hit. */
    static final int TABLE_WINDOW = 256;
    private static final double TABLE_MIN_HIT_SHARE = 0.05;
    /**
     * A shape's first this many Redis lookups are its warm-up: in it, a lookup that found no entry at all (the
     * key's first, by necessity, on a cold cache) is not counted against the shape's hit shares, which are then
     * taken over the lookups that could have hit (an entry was there: current, or invalidated since). Issue #13: on a
     * cold cache a read-only shape's first lookups are nearly all such misses, its near and Redis hit shares were
     * 0% and 5-20%, and it went off at its first judgement. Bounded, so that a shape whose keys are never looked up
     * twice still goes off (after it, its absent misses count again and the warm-up's decay away with the rest), and
     * so that entries expired or evicted in a steady state are not taken for a cold cache. The decay's window.
     */
    static final int WARM_UP_LOOKUPS = 4 * TABLE_WINDOW;
    /**
     * A table is weighed every this many leased writes: what its hits saved against what its writes paid for their
     * leases. Not within {@link #TABLE_QUIET_NANOS} of its being seen or coming back: a cache still filling hits
     * little (a near cache starts empty, and fills only as its statements come back on). Missed lookups are the
     * shapes' business ({@link #judge}).
     */
    static final int WRITE_WINDOW = 256;
    private static final long MIN_TABLE_OFF_NANOS = TimeUnit.SECONDS.toNanos(30);
    /**
     * A table goes off as a whole once a statement reading it is not worth a lookup and none reading it has been
     * for this long (nor since the table was first seen, or came back): then its writes can skip their leases too
     * (the skip permits), which is where a table the cache cannot help costs the most.
     */
    static final long TABLE_QUIET_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final long WORTH_RESOLUTION_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long MAX_TABLE_OFF_NANOS = TimeUnit.MINUTES.toNanos(10);

    /**
     * One read in this many that needs no clock for itself is timed: a bypass (for the bypass latency, and for the
     * policy when the shape is not worth caching: its re-judging needs an average, not every execution), and a near
     * hit (for the hit latency and the shape's lookup time). Every miss and every Redis lookup is timed, where a
     * round trip dwarfs the clock. A power of two. The weights follow from it: a sampled bypass stands for this many
     * runs ({@link #ranSampled}), an untimed near hit is weighed at the timed ones ({@link #nearHitUntimed}).
     */
    static final int TIMED_EVERY = 16;

    /**
     * Which of one connection's reads are timed ({@link #TIMED_EVERY}). Xorshift, so that no loop of statements
     * lines up with it; one per connection and unshared, so that no thread writes a field another reads.
     */
    static final class Sampler {
        private int state;

        Sampler(int seed) {
            state = seed | 1;
        }

        /** A read that bypasses the cache: whether it is one of the sampled ones. */
        boolean timesBypass() {
            return next();
        }

        /**
         * A read that may be a near hit: sampled, or the shape's near hits were never timed (then it is timed until
         * one is, so that the untimed ones are never weighed at a Redis round trip).
         */
        boolean timesNearRead(QueryPlan plan) {
            return next() || plan.shape().nearHitsTimed == 0;
        }

        private boolean next() {
            int x = state;
            x ^= x << 13;
            x ^= x >>> 17;
            x ^= x << 5;
            state = x;
            return (x & (TIMED_EVERY - 1)) == 0;
        }
    }

    private final TablePolicy pins;
    private final Clock clock;
    private final ConcurrentHashMap<String, TableUse> tables = new ConcurrentHashMap<>();
    /** Whether any table was ever switched off by measurement here. */
    private volatile boolean everOff;
    private final boolean pinnedOff;

    /**
     * Whether a table whose statements are all not worth a lookup goes off as a whole. Not with a near cache: its
     * copies are filled by lookups, and a table off as a whole would starve it (the statements come back on once
     * copies answer them, which only lookups make possible).
     */
    private final boolean wholeTablesByShape;
    /** Whether reads may be near hits: CacheEngine turns whole tables off by shape exactly when there is none. */
    private final boolean nearCache;

    /** Where its switches are counted, for the statistics. */
    private final StatisticsRecorder statistics;

    CachePolicy(TablePolicy pins, Clock clock, boolean wholeTablesByShape) {
        this(pins, clock, wholeTablesByShape, new StatisticsRecorder());
    }

    CachePolicy(TablePolicy pins, Clock clock, boolean wholeTablesByShape, StatisticsRecorder statistics) {
        this.statistics = statistics;
        this.pins = pins;
        this.clock = clock;
        this.wholeTablesByShape = wholeTablesByShape;
        this.nearCache = !wholeTablesByShape;
        this.pinnedOff = pins.pinsAnyOff();
    }

    @Override
    public boolean anyOff() {
        return pinnedOff || everOff;
    }

    @Override
    public boolean off(String baseName) {
        TablePolicy.Pin pin = pins.pin(baseName);
        if (pin != TablePolicy.Pin.NONE) {
            return pin == TablePolicy.Pin.OFF;
        }
        TableUse use = tables.get(baseName);
        return use != null && use.offUntil - clock.nanoTime() > 0;
    }

    /** The cost and benefit of one statement shape. Updated racily: an approximate average is enough. */
    static final class Shape {
        /** The last timed samples of what the database, a Redis lookup and a near hit of this shape take. */
        final CostSamples databaseCosts = new CostSamples();
        final CostSamples redisCosts = new CostSamples();
        final CostSamples nearCosts = new CostSamples();
        /** The estimates of the last judgement (middle-half means of the samples): what a hit saves is weighed at it. */
        volatile double databaseNanos;
        /** What a lookup costs on average, near hits and Redis lookups mixed as counted: for the logs and tests. */
        volatile double lookupNanos;
        /** What an untimed near hit of this shape is weighed at: the timed ones' estimate. */
        volatile double nearHitNanos;
        volatile int nearHitsTimed;
        /** Whether the shape's first timed Redis lookup went by (it is not sampled: see lookedUp). */
        volatile boolean firstLookupTimed;
        /**
         * Decayed counts of what the shape's executions did: those answered by a near copy, of all those counted
         * (near hits, Redis lookups, and reads kept from the store, each sampled one standing for
         * {@link #TIMED_EVERY}); and its Redis lookups and their hits. The near share is per execution, not per
         * lookup: an off shape's near hits (copies its time on left) counted against its Redis lookups alone (its
         * probes, one execution in {@link #PROBE_EVERY}) outweighed them sixty-four times over, made it look as cheap
         * as a near hit and switched it on, where its Redis lookups switched it off again: the "costs that turn with
         * the state" of t7's note, 8 switches in 4 s (issue #10).
         * <p>
         * Both counts in one long (executions in the high half, near hits in the low: {@link #executions},
         * {@link #nearHits}), read and written whole: four client threads count here on every near hit, and as two
         * fields a judgement (or another thread's count) could read the executions from before a decay and the near
         * hits from after it, a near share of one half where every execution was a near hit; with a Redis lookup
         * dearer than the database that is below the line, and the shape went off and on again at the next
         * judgement (session 27: ycsb-100-0's near target, 21 times each way in a round whose 8.8 million reads were
         * all near hits, no Redis lookup and no bypass among them). A count lost to a race now loses both halves
         * together: the share stays what the executions did.
         */
        volatile long counts;
        volatile int redisLookups;
        volatile int redisHits;
        /**
         * Of the Redis lookups counted, the misses in the warm-up that found no entry (decayed with them), and the
         * shape's Redis lookups so far, up to {@link #WARM_UP_LOOKUPS} (not decayed: where its warm-up stands).
         */
        volatile int coldMisses;
        volatile int warmUpLookups;
        volatile boolean off;
        /**
         * Plain, not volatile: every read of an off shape counts here, from every client thread, and a volatile
         * increment is a full fence per pass-through (issue #10); so does every read of a shape on once it measures
         * the database. It only spaces the probes and the measurements: a count lost to a race (as a volatile
         * {@code ++} could lose one too) moves one by a read.
         */
        int skipped;
        /**
         * While the shape is on, {@link #admit} sends a read to the database when {@code skipped & measureMask} is 0
         * ({@link #measureEvery}); 0 before its first judgement: then it is not measured that way.
         */
        volatile int measureMask;
        /** {@link #admit} looks up when {@code skipped & probeMask} is 0: one execution in PROBE_EVERY, or sooner. */
        volatile int probeMask = PROBE_EVERY - 1;
        /** Until when (the policy's clock) the shape is young ({@link #YOUNG_NANOS}); 0 before its first judgement. */
        volatile long youngUntil;
        /** Executions since it was last judged. */
        volatile int sinceJudged;
        /** Judgements since it last switched, and how many of them hold it in its state (0 before any switch). */
        volatile int judgedSinceSwitch;
        volatile int hold;
        /** Switches not logged at INFO since the last that was, and when that was (if {@link #logged}). */
        int unlogged;
        long loggedAt;
        boolean logged;
        /** Whether every table the shape reads is pinned on (then it is never judged); resolved once. */
        volatile Boolean pinnedOn;
        /** Whether a thread is judging the shape now: one at a time ({@link #judge}). */
        final java.util.concurrent.atomic.AtomicBoolean judging = new java.util.concurrent.atomic.AtomicBoolean();

        /** The decayed count of executions, of {@link #counts} as read once. */
        static int executions(long counts) {
            return (int) (counts >>> 32);
        }

        /** The decayed count of near hits among them, of {@link #counts} as read once. */
        static int nearHits(long counts) {
            return (int) counts;
        }

        static long packed(int executions, int nearHits) {
            return ((long) executions << 32) | (nearHits & 0xFFFF_FFFFL);
        }
        /**
         * Whether a table the shape reads is pinned off: resolved with {@link #pinnedOn}, once, as the pins are fixed
         * for the policy's life. Else every read of it matched the table names against the pins' patterns again (a
         * regular expression's matcher per rule and name, on a read that goes to the database anyway).
         */
        volatile boolean pinnedOff;
    }

    /**
     * Why a read of this plan must not use the cache now, or {@code null} when it may.
     */
    BypassReason admit(QueryPlan plan) {
        Shape shape = plan.shape();
        Boolean pinned = shape.pinnedOn;
        if (pinned == null) {
            boolean allOn = true;
            boolean anyOff = false;
            for (String table : plan.analysis().tablesRead()) {
                TablePolicy.Pin pin = pins.pin(table);
                anyOff |= pin == TablePolicy.Pin.OFF;
                allOn &= pin == TablePolicy.Pin.ON;
            }
            // Off first: a reader that sees pinnedOn resolved sees pinnedOff too (volatile write order).
            shape.pinnedOff = anyOff;
            shape.pinnedOn = pinned = allOn && !anyOff;
        }
        if (shape.pinnedOff) {
            return BypassReason.TABLE_POLICY;
        }
        if (pinned) {
            return null;
        }
        if (wholeTableOff(plan)) {
            return BypassReason.NOT_WORTH_CACHING;
        }
        if (shape.off) {
            return (++shape.skipped & shape.probeMask) != 0 ? BypassReason.NOT_WORTH_CACHING : null;
        }
        int measure = shape.measureMask;
        if (measure != 0 && (++shape.skipped & measure) == 0) {
            return BypassReason.MEASURING_DATABASE;
        }
        return null;
    }

    /**
     * How many reads of a shape that is on go by for one that measures the database instead of using the cache
     * (issue #10). While every read hits, nothing else times the database: pk-reads-ro's shape came on in a cold
     * JVM's warm-up, on database runs of 545 µs, and stayed on at 0.59x direct with every read a Redis hit, its
     * database's estimate never taken again. {@link #PROBE_EVERY} times the power of two at or above what the
     * database takes over what a cached read takes (up to {@link #MAX_MEASURE_EVERY}): a measurement costs the
     * database's time where a cached read would have cost the lookup's, so one costs at most 1/64 (~1.5%) of what
     * the cached reads between two cost; and a shape whose database takes far more than its lookup (where a
     * stale estimate would have to be wrong many times over to matter) is measured that much less often. The
     * estimates are the middle half of the last {@link CostSamples#SIZE} samples: the measurements push a cold
     * JVM's or a loaded moment's out of the ring within a few dozen of them.
     */
    static int measureEvery(double databaseNanos, double lookupNanos) {
        int every = PROBE_EVERY;
        while (every < MAX_MEASURE_EVERY && (double) every / PROBE_EVERY * lookupNanos < databaseNanos) {
            every <<= 1;
        }
        return every;
    }

    /**
     * Whether a table this plan reads is off as a whole (by measurement), as opposed to the plan's shape alone: then
     * not even a near copy is worth asking for (the policy judged what the table's hits save, near hits included,
     * not worth what caching it costs, and a skip permit, once granted, drops every copy anyway).
     */
    boolean wholeTableOff(QueryPlan plan) {
        if (!everOff) {
            // No table was ever switched off by measurement: no clock reading, no map lookups on every read.
            return false;
        }
        long now = clock.nanoTime();
        for (String table : plan.analysis().tablesRead()) {
            TableUse use = tables.get(table);
            if (use != null && use.offUntil - now > 0) {
                return true;
            }
        }
        return false;
    }

    /** A Redis lookup of this shape took {@code nanos} and was a hit or not, with an entry there (current or not). */
    void lookedUp(QueryPlan plan, long nanos, boolean hit) {
        lookedUp(plan, nanos, hit, false);
    }

    /**
     * A Redis lookup of this shape took {@code nanos} and was a hit or not; {@code absent}: a miss that found no
     * entry under its key (never stored, or expired or evicted), as opposed to one invalidated since it was stored.
     */
    void lookedUp(QueryPlan plan, long nanos, boolean hit, boolean absent) {
        Shape shape = plan.shape();
        if (shape.pinnedOn == Boolean.TRUE) {
            // Every table it reads is pinned on: the shape is never judged, and its tables are never weighed or
            // switched off (pinned tables are skipped there), so nothing here would ever be read.
            return;
        }
        if (shape.firstLookupTimed) {
            shape.redisCosts.record(nanos);
        } else {
            // The first pays what no later lookup does (a cold pooled connection, the script's first load, its
            // tokens created in a second round trip; the JVM's first also loads classes), milliseconds where the
            // others take tens of µs. Counted, not sampled.
            shape.firstLookupTimed = true;
        }
        boolean cold = false;
        int warmUp = shape.warmUpLookups;
        if (warmUp < WARM_UP_LOOKUPS) {
            // Two field updates on a Redis lookup (a round trip), for the shape's first lookups only.
            shape.warmUpLookups = warmUp + 1;
            cold = absent && !hit;
        }
        if (!hit && !absent) {
            // A stored result found invalidated before it was hit (by any JVM's write): the evidence the table's
            // store window needs before it may switch the table off (TableUse#judge). A miss, a round trip: rare.
            for (String table : plan.analysis().tablesRead()) {
                use(table).invalidated++;
            }
        }
        countLookup(plan, shape, nanos, hit, false, cold);
    }

    /** Counts a lookup, timed or not, with what its hit saved, and judges the shape when its turn comes. */
    private void countLookup(QueryPlan plan, Shape shape, long nanos, boolean hit, boolean near) {
        countLookup(plan, shape, nanos, hit, near, false);
    }

    private void countLookup(QueryPlan plan, Shape shape, long nanos, boolean hit, boolean near, boolean cold) {
        countExecutions(shape, 1, near);
        if (!near) {
            int lookups = shape.redisLookups + 1;
            int hits = shape.redisHits + (hit ? 1 : 0);
            int colds = shape.coldMisses + (cold ? 1 : 0);
            if (lookups >= 4 * TABLE_WINDOW) {
                // Decay, so that the ratio follows the workload as it changes.
                lookups /= 2;
                hits /= 2;
                colds /= 2;
            }
            shape.redisLookups = lookups;
            shape.redisHits = hits;
            if (colds != shape.coldMisses) {
                shape.coldMisses = colds;
            }
        }
        if (hit) {
            // What the hit saved: the database's time for the shape, less the hit's own (a near hit's is a few µs).
            long saved = (long) Math.max(0, shape.databaseNanos - nanos);
            for (String table : plan.analysis().tablesRead()) {
                TableUse use = use(table);
                use.hits++;
                use.savedNanos += saved;
            }
        }
        judge(plan, shape, 1);
        if (shape.off && !near && wholeTablesByShape && shape.probeMask == PROBE_EVERY - 1) {
            // A Redis lookup of a shape that is off is a probe (or the one that switched it off): rare. Not while the
            // shape is young and off on estimates not yet retaken (switchedOffYoung): they are what is in question.
            tablesWorthNothing(plan);
        }
    }

    /** Counts {@code weight} executions of the shape, near hits or not. */
    private static void countExecutions(Shape shape, int weight, boolean near) {
        long counts = shape.counts;
        int executions = Shape.executions(counts) + weight;
        int nearHits = Shape.nearHits(counts) + (near ? weight : 0);
        if (executions >= 4 * TABLE_WINDOW) {
            executions /= 2;
            nearHits /= 2;
        }
        shape.counts = Shape.packed(executions, nearHits);
    }

    /** A near hit of this shape that was timed: a sample of what its near hits cost, and a lookup counted. */
    void nearHitTimed(QueryPlan plan, long nanos) {
        Shape shape = plan.shape();
        // Also for a shape pinned on: its first near hit is timed until one was (Sampler#timesNearRead).
        shape.nearHitsTimed = Math.min(shape.nearHitsTimed + 1, 1 << 20);
        if (shape.pinnedOn == Boolean.TRUE) {
            return;
        }
        shape.nearCosts.record(nanos);
        if (shape.nearHitNanos == 0) {
            // Until the shape's first judgement: what the untimed ones and their tables' savings are weighed at.
            shape.nearHitNanos = nanos;
        }
        countLookup(plan, shape, nanos, true, true);
    }

    /**
     * A near hit of this shape that was not timed (outside the sample): counted like a timed one, its cost the
     * estimate of the timed ones. Only one near hit in {@link #TIMED_EVERY} is timed while every Redis lookup is;
     * the judgement mixes the two costs by their counts, not by their samples, so that Redis lookups are not weighed
     * sixteen times their share (review r2's NearHitCreditTest, ShapeJudgementTest.sampledNearHits...).
     */
    void nearHitUntimed(QueryPlan plan) {
        Shape shape = plan.shape();
        if (shape.pinnedOn == Boolean.TRUE) {
            return;
        }
        countLookup(plan, shape, (long) shape.nearHitNanos, true, true);
    }

    /** Switches off, as a whole, each table of an off shape that no statement has been worth a lookup on lately. */
    private void tablesWorthNothing(QueryPlan plan) {
        long now = clock.nanoTime();
        for (String table : plan.analysis().tablesRead()) {
            if (pins.pin(table) == TablePolicy.Pin.ON) {
                continue;
            }
            TableUse use = use(table);
            synchronized (use) {
                if (use.offUntil - now <= 0 && now - use.worthNanos > TABLE_QUIET_NANOS) {
                    long off = use.switchOff(now);
                    LOG.info("sqlcache: not caching table {} for {} s: no statement reading it is worth a lookup "
                            + "(its writes skip their leases once every JVM agrees)", table,
                            TimeUnit.NANOSECONDS.toSeconds(off));
                }
            }
        }
    }

    /**
     * The database ran a read of this shape that is timed every time: a miss, or a read that measures the database
     * for a shape that is on ({@link BypassReason#MEASURING_DATABASE}).
     */
    void ran(QueryPlan plan, long nanos) {
        ran(plan, nanos, 1);
    }

    /**
     * The database ran a read of this shape that the policy kept away from the cache and the {@link Sampler} picked
     * to time: it stands for {@link #TIMED_EVERY} runs in the window and in the count towards the next judgement.
     * Counted once, a shape switched off would need a thousand reads to close one window and notice that the
     * database got slower (CachePolicyTest.aShapeSwitchedOffComesBackWhenTheDatabaseGetsSlower).
     */
    void ranSampled(QueryPlan plan, long nanos) {
        if (plan.shape().pinnedOn != Boolean.TRUE) {
            // Executions kept from the store: none of them was a near hit.
            countExecutions(plan.shape(), TIMED_EVERY, false);
        }
        ran(plan, nanos, TIMED_EVERY);
    }

    /** A database run timed as the sample of {@code weight} alike: one sample, and as many executions. */
    private void ran(QueryPlan plan, long nanos, int weight) {
        Shape shape = plan.shape();
        if (shape.pinnedOn == Boolean.TRUE) {
            return;
        }
        shape.databaseCosts.record(nanos);
        if (shape.databaseNanos == 0) {
            // Until the shape's first judgement: what its first hits are credited to their tables at.
            shape.databaseNanos = nanos;
        }
        judge(plan, shape, weight);
    }

    /**
     * A write to the tables these plans change paid {@code nanos} for its leases (placing them, and ending them
     * when it ended them itself): what caching those tables costs their writers. Once a table's writes paid more
     * than its hits saved, it goes off as a whole, and its writes can skip their leases (the skip permits). With a
     * near cache this is the rule that turns a write-heavy table off: its statements stay worth a lookup on its few
     * near hits alone. A table without writes is never weighed here.
     */
    void wrote(java.util.List<QueryPlan> plans, long nanos) {
        long now = clock.nanoTime();
        for (QueryPlan plan : plans) {
            for (String table : plan.analysis().tablesWritten()) {
                if (pins.pin(table) != TablePolicy.Pin.NONE) {
                    continue;
                }
                TableUse use = use(table);
                if (use.offUntil - now > 0) {
                    // Off: nothing is cached to weigh against (and its writes skip once the permit stands).
                    continue;
                }
                use.writeCosts.record(nanos);
                if (++use.writes >= WRITE_WINDOW) {
                    synchronized (use) {
                        if (use.writes >= WRITE_WINDOW) {
                            use.weigh(table, now);
                        }
                    }
                }
            }
        }
    }

    /** A result of this shape was stored: once enough were, judge whether its tables' entries get hit at all. */
    void stored(QueryPlan plan) {
        long now = clock.nanoTime();
        for (String table : plan.analysis().tablesRead()) {
            if (pins.pin(table) == TablePolicy.Pin.ON) {
                continue;
            }
            TableUse use = use(table);
            if (++use.stores >= TABLE_WINDOW) {
                synchronized (use) {
                    if (use.stores >= TABLE_WINDOW) {
                        use.judge(table, now);
                    }
                }
            }
        }
    }

    private TableUse use(String table) {
        // A plain get first: computeIfAbsent's capturing lambda is allocated on every call, hit after hit.
        TableUse use = tables.get(table);
        return use != null ? use : tables.computeIfAbsent(table, t -> new TableUse(clock.nanoTime()));
    }

    /** A shape judged worth its lookups read these tables: they stay on. */
    private void worth(QueryPlan plan) {
        long now = clock.nanoTime();
        for (String table : plan.analysis().tablesRead()) {
            TableUse use = use(table);
            if (now - use.worthNanos > WORTH_RESOLUTION_NANOS) {
                // Written now and then, not at every lookup: every thread reading the table shares this field.
                use.worthNanos = now;
            }
        }
    }

    /**
     * The one place a shape's state is decided, every {@link #JUDGE_EVERY} executions ({@code weight}: how many the
     * call stands for; a sampled bypass stands for several). Caching pays when what a lookup saves on average
     * (its hit ratio times the database's time) exceeds what it costs on average (near hits and Redis lookups, each at
     * its own estimate, mixed by how many there were). Every estimate is the middle half's mean of its last samples
     * ({@link CostSamples}); the counts are what the shape did while on, and its probes while off.
     */
    private void judge(QueryPlan plan, Shape shape, int weight) {
        int since = shape.sinceJudged + weight;
        if (since < JUDGE_EVERY) {
            shape.sinceJudged = since;
            return;
        }
        shape.sinceJudged = 0;
        if (!shape.judging.compareAndSet(false, true)) {
            // Another client thread is judging the shape right now (four count here at near-hit rates): one verdict
            // at a time, so that two judgements never switch it twice, or one undo the other on what it read before
            // the switch (its hold, its state).
            return;
        }
        try {
            judgeNow(plan, shape);
        } finally {
            shape.judging.set(false);
        }
    }

    /** {@link #judge}'s verdict, by one thread at a time. */
    private void judgeNow(QueryPlan plan, Shape shape) {
        // Both counts of one reading: never the executions from before a decay with the near hits from after it.
        long counts = shape.counts;
        int executions = Shape.executions(counts);
        int nearHits = Math.min(Shape.nearHits(counts), executions);
        int lookups = shape.redisLookups;
        // The warm-up's misses that found no entry: not evidence that caching does not pay (WARM_UP_LOOKUPS).
        // Their executions were counted too, as misses; they come off both shares. Decayed as the counts are, so
        // never more than either (racy counts are clamped).
        int cold = Math.min(shape.coldMisses, Math.min(lookups, executions - nearHits));
        if (shape.databaseCosts.count() == 0 || nearHits + lookups < MIN_SAMPLES
                || shape.pinnedOn == Boolean.TRUE) {
            // A shape whose tables are all pinned on is cached whatever it measures: judging it would only log
            // that it is "not cached any more" while it still is.
            if (shape.databaseCosts.count() == 0 && nearHits + lookups >= MIN_SAMPLES && !shape.off
                    && shape.pinnedOn != Boolean.TRUE && shape.measureMask == 0) {
                // Its lookups all hit from the first (entries another JVM stored, copies of them): it never ran on
                // the database, so it could never be judged. Measured as a shape at the line until it is.
                shape.measureMask = PROBE_EVERY - 1;
            }
            return;
        }
        if (shape.youngUntil == 0) {
            // Its first judgement: its youth starts (one clock reading per shape).
            shape.youngUntil = clock.nanoTime() + YOUNG_NANOS;
        }
        if (shape.probeMask != PROBE_EVERY - 1 && !retaken(plan, shape)) {
            // Young and off: judged again on fresh lookups only.
            return;
        }
        double database = shape.databaseCosts.estimate(0);
        double redis = shape.redisCosts.estimate(0);
        // Before a near hit was timed (the sampler times them until one is), they are weighed at a Redis lookup.
        double near = shape.nearCosts.estimate(redis);
        shape.databaseNanos = database;
        shape.nearHitNanos = near;
        // The shares over the executions and lookups that could have hit: a cold miss could not.
        int couldHit = executions - cold;
        double nearShare = couldHit <= 0 ? 0 : (double) nearHits / couldHit;
        // One hit is assumed before any is seen: a shape judged on its first few lookups alone would go off for good
        // (once off it stores nothing, so its probes rarely find an entry). The assumption only keeps on what costs
        // the database far more than a lookup (~ lookups x the lookup time).
        double redisHitShare = (shape.redisHits + 1.0) / (lookups - cold + 1);
        // Per execution: what a lookup costs and what its hit saves, near hits and Redis lookups each at its own.
        double lookup = nearShare * near + (1 - nearShare) * redis;
        double saved = (nearShare + (1 - nearShare) * redisHitShare) * database;
        shape.lookupNanos = lookup;
        int measureMask = measureEvery(database, lookup) - 1;
        if (shape.measureMask != measureMask) {
            shape.measureMask = measureMask;
        }
        int judged = shape.judgedSinceSwitch + 1;
        shape.judgedSinceSwitch = judged;
        if (judged <= shape.hold) {
            if (!shape.off) {
                worth(plan);
            }
            return;
        }
        boolean offOnCostOnly = nearHits + lookups - cold < MIN_SAMPLES;
        if (offOnCostOnly) {
            // A warm-up with too few lookups that could have hit to take shares from: off only if a lookup costs
            // more than the database even at a 100% hit share, at the cheapest it can cost (a near hit, with a near
            // cache; unknown before one is timed, and then the shape stays as it is).
            double cheapest = nearCache ? shape.nearCosts.estimate(Double.NaN) : redis;
            if (Double.isNaN(cheapest)) {
                if (!shape.off) {
                    worth(plan);
                }
                return;
            }
            saved = database;
            lookup = cheapest;
        }
        if (!shape.off && saved < OFF_BELOW * lookup) {
            shape.off = true;
            switched(plan, shape, saved, nearShare, redisHitShare, redis, near);
        } else if (shape.off && saved > ON_ABOVE * lookup) {
            shape.off = false;
            switched(plan, shape, saved, nearShare, redisHitShare, redis, near);
        }
        if (!shape.off) {
            worth(plan);
        }
    }

    /**
     * The one rule for a young shape switched off ({@link #YOUNG_NANOS}): what it was switched off on may be a cold
     * JVM's figures, which no later judgement trusted as long as they stayed among the samples (the Redis lookup's
     * last 32, retaken by one probe in {@link #PROBE_EVERY}: two thousand executions, while the Redis-only target's
     * table went off as a whole after 5 s of it). So its lookup samples are dropped, it probes one execution in
     * {@link #YOUNG_PROBE_EVERY} for as long as it is young, and it is judged again once {@link #FRESH_SAMPLES}
     * lookups were retaken (after its hold, which doubles as any shape's does when it switches back soon: costs at
     * the line do not flap faster while young); its tables are not switched off as a whole meanwhile. A statement
     * that really is cheaper to run than to fetch goes off again on the fresh samples, and stays off: the young
     * probes cost a lookup on one read in four for ten seconds at most, once per shape.
     */
    private void switchedOffYoung(Shape shape) {
        shape.redisCosts.clear();
        shape.probeMask = YOUNG_PROBE_EVERY - 1;
    }

    /**
     * Whether a young shape switched off has retaken its lookup samples and may be judged. Past its youth, it probes
     * as any shape off does, and its tables' quiet ({@link #TABLE_QUIET_NANOS}) starts only then: being off is
     * trusted from then on, not from when the young shape switched. Called at judgements only: the clock is read
     * one execution in {@link #JUDGE_EVERY} for such a shape, for ten seconds at most.
     */
    private boolean retaken(QueryPlan plan, Shape shape) {
        if (clock.nanoTime() - shape.youngUntil >= 0) {
            shape.probeMask = PROBE_EVERY - 1;
            worth(plan);
        }
        return shape.redisCosts.count() >= FRESH_SAMPLES;
    }

    /**
     * A shape has just switched: hold it there (longer if it switched back soon), and say so, at INFO at most once
     * a minute per shape. Rare by the hold: the clock is read here, never per execution.
     */
    private void switched(QueryPlan plan, Shape shape, double saved, double nearShare, double redisHitShare,
                          double redis, double near) {
        statistics.shapeSwitched(shape.off);
        int hold = shape.hold;
        boolean steady = hold == 0 || shape.judgedSinceSwitch >= Math.max(2 * hold, STEADY_JUDGEMENTS);
        shape.hold = steady ? MIN_HOLD_JUDGEMENTS : Math.min(2 * hold, MAX_HOLD_JUDGEMENTS);
        shape.judgedSinceSwitch = 0;
        if (shape.off && clock.nanoTime() - shape.youngUntil < 0) {
            switchedOffYoung(shape);
        } else if (!shape.off) {
            // Back on: judged as any shape on (a young one that goes off again is handled again above).
            shape.probeMask = PROBE_EVERY - 1;
        }
        boolean info;
        int unlogged;
        synchronized (shape) {
            long now = clock.nanoTime();
            info = !shape.logged || now - shape.loggedAt >= LOG_EVERY_NANOS;
            unlogged = shape.unlogged;
            if (info) {
                shape.logged = true;
                shape.loggedAt = now;
                shape.unlogged = 0;
            } else {
                shape.unlogged = unlogged + 1;
            }
        }
        if (!info && !LOG.isDebugEnabled()) {
            return;
        }
        long kept = (long) shape.hold * JUDGE_EVERY;
        // Every estimate the judgement weighed, so that a log says which of them moved.
        String why = "an execution saves {} µs on average (the database {} µs; near hits {}% of executions, Redis "
                + "hits {}% of the rest), its lookup costs {} µs (a near hit {} µs, a Redis lookup {} µs)";
        Object[] figures = {micros(saved), micros(shape.databaseNanos), Math.round(100 * nearShare),
                Math.round(100 * redisHitShare), micros(shape.lookupNanos), micros(near), micros(redis)};
        String what;
        Object[] args;
        if (shape.off) {
            what = "sqlcache: not caching {} any more: " + why + "; measured again every {} executions, kept off "
                    + "for {} executions at least ({} switches since the last logged)";
            args = concat(describe(plan), figures, PROBE_EVERY, kept, unlogged);
        } else {
            what = "sqlcache: caching {} again: " + why + "; the database measured again every {} reads, kept on "
                    + "for {} executions at least ({} switches since the last logged)";
            args = concat(describe(plan), figures, shape.measureMask + 1, kept, unlogged);
        }
        if (info) {
            LOG.info(what, args);
        } else {
            LOG.debug(what, args);
        }
    }

    private static Object[] concat(Object first, Object[] middle, Object... last) {
        Object[] all = new Object[1 + middle.length + last.length];
        all[0] = first;
        System.arraycopy(middle, 0, all, 1, middle.length);
        System.arraycopy(last, 0, all, 1 + middle.length, last.length);
        return all;
    }

    private static String describe(QueryPlan plan) {
        String sql = plan.analysis().normalizedSql();
        return sql == null ? String.valueOf(plan.analysis().tablesRead())
                : sql.length() > 120 ? sql.substring(0, 117) + "..." : sql;
    }

    private static long micros(double nanos) {
        return Math.round(nanos / 1000);
    }

    /**
     * How a table's entries fare: stores and hits since it was last judged, what its hits saved and its writes paid
     * since it was last weighed, and until when it is off. Counted racily, like the shapes.
     */
    private final class TableUse {
        volatile int stores;
        volatile int hits;
        /** Redis lookups since it was last judged that found a stored result invalidated (not absent, not hit). */
        volatile int invalidated;
        volatile int writes;
        volatile long savedNanos;
        /**
         * What its last leased writes paid on the caller's thread (lease and end): weighed as the writes counted
         * times the middle half's mean, not as their sum, which one write descheduled for 40 ms under load decided
         * (tD's logs: 1 to 12 ms per leased write, where one takes two round trips).
         */
        final CostSamples writeCosts = new CostSamples();
        /** From when the table may be weighed: a while after it was seen, or came back. */
        volatile long weighFrom;
        /** Until when its cache is taken to be filling: a while after its first window of stores (0 before it). */
        long fillUntil;
        volatile long offUntil;
        long offNanos = MIN_TABLE_OFF_NANOS;
        /** How long it was off last time; 0 before it ever was. */
        long lastOffNanos;
        /** When a shape reading the table was last judged worth its lookups (or the table was seen, or came back). */
        volatile long worthNanos;

        TableUse(long now) {
            worthNanos = now;
            weighFrom = now + TABLE_QUIET_NANOS;
        }

        /**
         * Off for the current period, which doubles for the next time (up to the longest), unless the table stayed
         * on at least as long as it was last off: then the shortest again. Not on a single judgement that found it
         * worth caching after it came back: a table at the line is judged worth and not in turn (every 256 writes,
         * and with a near cache a few near hits make its statements worth their lookups), and each such verdict
         * started the back-off over, so that the table came back every 30 s for another 5 s or more of leased
         * writes (issue #10). Returns how long it is off now.
         */
        long switchOff(long now) {
            // First: a reader that finds everOff false skips the tables' check (wholeTableOff).
            everOff = true;
            statistics.tableSwitchedOff();
            if (lastOffNanos > 0 && now - offUntil >= lastOffNanos) {
                offNanos = MIN_TABLE_OFF_NANOS;
            }
            lastOffNanos = offNanos;
            offUntil = now + offNanos;
            worthNanos = offUntil;
            offNanos = Math.min(offNanos * 2, MAX_TABLE_OFF_NANOS);
            weighFrom = offUntil + TABLE_QUIET_NANOS;
            return lastOffNanos;
        }

        /** At the end of a write window: off when its writes paid more for their leases than its hits saved. */
        void weigh(String table, long now) {
            long saved = savedNanos;
            int counted = writes;
            double each = writeCosts.estimate(0);
            long paid = (long) (counted * each);
            if (now - weighFrom >= 0 && saved < paid) {
                long off = switchOff(now);
                LOG.info("sqlcache: not caching table {} for {} s: its hits saved {} µs, the leases of its last {} "
                                + "writes cost {} µs ({} µs each, the middle half's mean)", table,
                        TimeUnit.NANOSECONDS.toSeconds(off), micros(saved), counted, micros(paid), micros(each));
            }
            writes = 0;
            savedNanos = 0;
        }

        /**
         * At the end of a store window: off when hardly any of its stored results was hit. Not within
         * {@link #TABLE_QUIET_NANOS} of its first window of stores, nor of the table's being seen or coming back, as
         * for its writes: a cache still filling stores each key's first result before any is read again (session 26:
         * pk-reads-ro, read-only, went off as a whole in its first second on both sqlcache targets, 8 hits to 256
         * stores, for 30 s, near copies included). From its first stores, not from its being seen: a table is often
         * written (loaded) long before it is read.
         * <p>
         * Only when a lookup in the window found a stored result invalidated: the rule is about results a write
         * invalidated before they were hit, and a table nobody writes never loses one. Stores are counted when the
         * writer thread lands them, hits when they are read: under load the writer lags, and a window it filled from
         * its backlog after the reads stopped (an end of round, an application's lull) held no hit at all (issue #13:
         * ycsb-100-0's near target, read only, "0 of its last 256 stored results were hit", off for 30 s, near copies
         * included; StoreWindowTest). A table whose entries really are invalidated before reuse shows it in its stale
         * lookups; one whose keys are just never read again is its shapes' business ({@link CachePolicy#judge}).
         */
        void judge(String table, long now) {
            if (fillUntil == 0) {
                fillUntil = now + TABLE_QUIET_NANOS;
            }
            if (now - weighFrom >= 0 && now - fillUntil >= 0 && invalidated > 0
                    && hits < TABLE_MIN_HIT_SHARE * stores) {
                long off = switchOff(now);
                LOG.info("sqlcache: not caching table {} for {} s: {} of its last {} stored results were hit before a "
                        + "write invalidated them", table, TimeUnit.NANOSECONDS.toSeconds(off), hits, stores);
            }
            stores = 0;
            hits = 0;
            invalidated = 0;
        }
    }
}
