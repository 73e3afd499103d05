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
 * (a miss pays it on top of the query). Each statement shape (a {@link QueryPlan}) keeps decayed averages of the
 * three; a shape below the line (with hysteresis) stops being looked up and stored — its reads go to the database
 * with no Redis round trip, {@link BypassReason#NOT_WORTH_CACHING} — and one execution in
 * {@link #PROBE_EVERY} still takes the cache's path, so a shape whose cost or hit ratio changes comes back.
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
    /** One execution in this many of a shape switched off still looks up, to re-measure. */
    static final int PROBE_EVERY = 64;
    /** Switch off below this share of the lookup time, on again above the other: no flapping at the line. */
    private static final double OFF_BELOW = 0.8;
    private static final double ON_ABOVE = 1.2;
    /** A table is judged over this many stores; off when fewer than {@link #TABLE_MIN_HIT_SHARE} of them hit. */
    static final int TABLE_WINDOW = 256;
    private static final double TABLE_MIN_HIT_SHARE = 0.05;
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

    CachePolicy(TablePolicy pins, Clock clock, boolean wholeTablesByShape) {
        this.pins = pins;
        this.clock = clock;
        this.wholeTablesByShape = wholeTablesByShape;
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
        volatile double databaseNanos;
        volatile double lookupNanos;
        /**
         * What a near hit of this shape costs, from the timed ones: the untimed near hits are weighed at it, not at
         * {@link #lookupNanos}, which Redis lookups dominate once most near hits add no time of their own.
         */
        volatile double nearHitNanos;
        volatile int nearHitsTimed;
        volatile int databaseSamples;
        volatile int lookups;
        volatile int hits;
        volatile boolean off;
        volatile int skipped;
        /** Whether every table the shape reads is pinned on (then it is never judged); resolved once. */
        volatile Boolean pinnedOn;
    }

    /**
     * Why a read of this plan must not use the cache now, or {@code null} when it may.
     */
    BypassReason admit(QueryPlan plan) {
        Shape shape = plan.shape();
        Boolean pinned = shape.pinnedOn;
        if (pinned == null) {
            boolean allOn = true;
            for (String table : plan.analysis().tablesRead()) {
                TablePolicy.Pin pin = pins.pin(table);
                if (pin == TablePolicy.Pin.OFF) {
                    return BypassReason.TABLE_POLICY;
                }
                allOn &= pin == TablePolicy.Pin.ON;
            }
            shape.pinnedOn = pinned = allOn;
        }
        if (pinned) {
            return null;
        }
        if (wholeTableOff(plan)) {
            return BypassReason.NOT_WORTH_CACHING;
        }
        if (shape.off && ++shape.skipped % PROBE_EVERY != 0) {
            return BypassReason.NOT_WORTH_CACHING;
        }
        return null;
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

    /** A lookup of this shape took {@code nanos} and was a hit or not. */
    void lookedUp(QueryPlan plan, long nanos, boolean hit) {
        Shape shape = plan.shape();
        if (shape.pinnedOn == Boolean.TRUE) {
            // Every table it reads is pinned on: the shape is never judged, and its tables are never weighed or
            // switched off (pinned tables are skipped there), so nothing here would ever be read.
            return;
        }
        shape.lookupNanos = average(shape.lookupNanos, nanos, shape.lookups);
        int lookups = shape.lookups + 1;
        int hits = shape.hits + (hit ? 1 : 0);
        if (lookups >= 4 * TABLE_WINDOW) {
            // Decay, so that the ratio follows the workload as it changes.
            lookups /= 2;
            hits /= 2;
        }
        shape.lookups = lookups;
        shape.hits = hits;
        if (hit) {
            // What the hit saved: the database's time for the shape, less the hit's own (a near hit's is a few µs).
            long saved = (long) Math.max(0, shape.databaseNanos - nanos);
            for (String table : plan.analysis().tablesRead()) {
                TableUse use = use(table);
                use.hits++;
                use.savedNanos += saved;
            }
        }
        judge(plan, shape);
        if (shape.off && wholeTablesByShape) {
            // A lookup of a shape that is off is a probe (or the one that switched it off): rare.
            tablesWorthNothing(plan);
        }
    }

    /** A near hit of this shape that was timed: a lookup like any other, and what the untimed ones are weighed at. */
    void nearHitTimed(QueryPlan plan, long nanos) {
        Shape shape = plan.shape();
        // Also for a shape pinned on: its first near hit is timed until one was (nearHitTimingNeeded).
        shape.nearHitNanos = average(shape.nearHitNanos, nanos, shape.nearHitsTimed);
        shape.nearHitsTimed = Math.min(shape.nearHitsTimed + 1, 1 << 20);
        lookedUp(plan, nanos, true);
    }

    /**
     * Whether this shape's next near read must be timed whatever the sample says: none of its near hits was timed yet,
     * so that the untimed ones are never weighed at a Redis round trip (nearHitUntimed). One field read.
     */
    static boolean nearHitTimingNeeded(QueryPlan plan) {
        return plan.shape().nearHitsTimed == 0;
    }

    /**
     * A near hit of this shape that was not timed (outside the sample): counted like a timed one, weighed at what the
     * shape's timed near hits cost on average, so that the lookup average moves as it did when every near hit was
     * timed. Before any was timed, at the shape's average lookup, which it leaves as it is.
     */
    void nearHitUntimed(QueryPlan plan) {
        Shape shape = plan.shape();
        if (shape.pinnedOn == Boolean.TRUE) {
            return;
        }
        lookedUp(plan, (long) (shape.nearHitsTimed > 0 ? shape.nearHitNanos : shape.lookupNanos), true);
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
                    use.switchOff(now);
                    LOG.info("sqlcache: not caching table {} for {} s: no statement reading it is worth a lookup "
                            + "(its writes skip their leases once every JVM agrees)", table,
                            TimeUnit.NANOSECONDS.toSeconds(use.offUntil - now));
                }
            }
        }
    }

    /** The database ran a read of this shape (a miss, or a read the policy kept away from the cache). */
    void ran(QueryPlan plan, long nanos) {
        Shape shape = plan.shape();
        shape.databaseNanos = average(shape.databaseNanos, nanos, shape.databaseSamples);
        shape.databaseSamples = Math.min(shape.databaseSamples + 1, 1 << 20);
        judge(plan, shape);
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
                use.paidNanos += nanos;
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
            if (use.wasOff && use.offUntil - now <= 0) {
                synchronized (use) {
                    use.offNanos = MIN_TABLE_OFF_NANOS;
                    use.wasOff = false;
                }
            }
        }
    }

    private static double average(double current, long sample, int samples) {
        // A plain mean for the first samples, then an exponential one (weight 1/16).
        return samples == 0 ? sample : current + (sample - current) / Math.min(samples + 1, 16);
    }

    private void judge(QueryPlan plan, Shape shape) {
        if (shape.databaseSamples == 0 || shape.lookups < MIN_SAMPLES || shape.pinnedOn == Boolean.TRUE) {
            // A shape whose tables are all pinned on is cached whatever it measures: judging it would only log
            // that it is "not cached any more" while it still is.
            return;
        }
        // One hit is assumed before any is seen: a shape's first lookups find a cold cache, and a shape judged on
        // them alone would go off for good (once off it stores nothing, so its probes rarely find an entry). The
        // assumption only keeps on what costs the database far more than a lookup (~ lookups x the lookup time).
        double saved = (shape.hits + 1.0) / (shape.lookups + 1) * shape.databaseNanos;
        if (!shape.off && saved < OFF_BELOW * shape.lookupNanos) {
            shape.off = true;
            LOG.info("sqlcache: not caching {} any more: a hit saves {} µs on average, a lookup costs {} µs; it is "
                            + "measured again every {} executions", describe(plan), micros(saved),
                    micros(shape.lookupNanos), PROBE_EVERY);
        } else if (shape.off && saved > ON_ABOVE * shape.lookupNanos) {
            shape.off = false;
            LOG.info("sqlcache: caching {} again: a hit saves {} µs on average, a lookup costs {} µs",
                    describe(plan), micros(saved), micros(shape.lookupNanos));
        }
        if (!shape.off) {
            worth(plan);
        }
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
        volatile int writes;
        volatile long savedNanos;
        volatile long paidNanos;
        /** From when the table may be weighed: a while after it was seen, or came back. */
        volatile long weighFrom;
        volatile long offUntil;
        long offNanos = MIN_TABLE_OFF_NANOS;
        boolean wasOff;
        /** When a shape reading the table was last judged worth its lookups (or the table was seen, or came back). */
        volatile long worthNanos;

        TableUse(long now) {
            worthNanos = now;
            weighFrom = now + TABLE_QUIET_NANOS;
        }

        /** Off for the current period, which doubles for the next time (up to the longest). */
        void switchOff(long now) {
            // First: a reader that finds everOff false skips the tables' check (wholeTableOff).
            everOff = true;
            offUntil = now + offNanos;
            worthNanos = offUntil;
            offNanos = Math.min(offNanos * 2, MAX_TABLE_OFF_NANOS);
            wasOff = true;
            weighFrom = offUntil + TABLE_QUIET_NANOS;
        }

        /** At the end of a write window: off when its writes paid more for their leases than its hits saved. */
        void weigh(String table, long now) {
            long saved = savedNanos;
            long paid = paidNanos;
            if (now - weighFrom >= 0 && saved < paid) {
                LOG.info("sqlcache: not caching table {} for {} s: its hits saved {} µs, the leases of its last {} "
                                + "writes cost {} µs", table,
                        TimeUnit.NANOSECONDS.toSeconds(offNanos), micros(saved), writes, micros(paid));
                switchOff(now);
            }
            writes = 0;
            savedNanos = 0;
            paidNanos = 0;
        }

        void judge(String table, long now) {
            if (hits < TABLE_MIN_HIT_SHARE * stores) {
                LOG.info("sqlcache: not caching table {} for {} s: {} of its last {} stored results were hit before a "
                        + "write invalidated them", table, TimeUnit.NANOSECONDS.toSeconds(offNanos), hits, stores);
                switchOff(now);
            } else if (wasOff) {
                offNanos = MIN_TABLE_OFF_NANOS;
                wasOff = false;
            }
            stores = 0;
            hits = 0;
        }
    }
}
