package dev.sqlcache.internal.skip;

import dev.sqlcache.internal.engine.StatisticsRecorder;
import dev.sqlcache.internal.guard.CacheWrites;
import dev.sqlcache.internal.store.CacheStore;
import dev.sqlcache.internal.store.VersionTokens;
import dev.sqlcache.internal.time.Clock;
import dev.sqlcache.internal.time.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Lets writes to a table that no JVM caches skip their lease and its end (one read-only round trip after the write
 * instead of two scripts, no near-cache notice), under a <em>skip permit</em>: a lease this JVM places on the table's version keys (T, T:rows, T:inserts)
 * in the background, through the ordinary lease script, and keeps while it wants to skip. While it stands, no JVM
 * serves or stores the table (readers take it for a write in progress), exactly as during any write; its end gives
 * the keys fresh tokens, which invalidates whatever the skipping writes changed. A permit is asked for only when no
 * JVM is registered as a cacher of the table, and is given up as soon as one is (it registers when it meets the
 * permit's lease on a table it has on), once no write skipping under it is in flight. See docs/consistency.md.
 * One per engine (database); thread-safe.
 */
public final class SkipGuard {

    private static final Logger LOG = LoggerFactory.getLogger(SkipGuard.class);
    /** How long a permit's lease lives in the store after each renewal. */
    static final long PERMIT_MILLIS = 4_000;
    /** How often permits are renewed and cacher registrations refreshed. */
    static final long RENEW_MILLIS = 500;
    /** How long a cacher registration lives after each refresh. */
    static final long CACHER_MILLIS = 2_000;
    /**
     * How long after the table's latest write here a permit is still wanted. A permit is a lease: while it stands no
     * JVM serves or stores the table, so one that outlived the writes it was for would keep the table from every JVM
     * that caches it, for nothing. Long enough that a steady writer keeps its permit between writes.
     */
    static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(2);
    /** How stale the time of a table's latest write may be (it is written by every writing thread). */
    private static final long WRITTEN_RESOLUTION_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** How long this JVM goes on registering as a cacher after it last met a skip lease on a table it has on. */
    private static final long CACHE_WANTED_NANOS = TimeUnit.SECONDS.toNanos(30);
    /** What a permit's lease marks itself with, so that a reader can tell it from a write's. */
    static final String SKIP_LEASE_PREFIX = CacheStore.LEASE_PREFIX + "skip:";
    private static final String HELD_PREFIX = CacheStore.LEASE_PREFIX + "held:";
    private static final TableSkip[] NONE = new TableSkip[0];
    /**
     * How long a grant waits for this JVM's own leases of the table to end, its gate closed, before it gives the
     * round up: the rest of the slowest write in flight (lease, statement, end). Typically a few milliseconds; the
     * bound leaves room for a loaded machine, where a write's p99 reached tens of milliseconds.
     */
    static final long DRAIN_NANOS = TimeUnit.MILLISECONDS.toNanos(150);
    /**
     * How long a leased write waits at a closed gate at most: the drain, plus the grant's round trips (ask again,
     * lease, first renewal), with room; it must exceed the drain, or writes would lease again before it ends. Past
     * it the write leases anyway, which is safe (it only costs the round). Paid once per grant; a round that finds
     * no permit closes the gate again only after {@link #GATE_BACKOFF_NANOS}.
     */
    static final long GATE_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    /**
     * How long after a gated round that found a lease not this JVM's (or could not wait out its own) a LEASED answer
     * closes no gate: so that a table whose lease is another JVM's (its permit, beside which this JVM's writes lease)
     * does not hold this JVM's writes back every round for nothing.
     */
    static final long GATE_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(5);
    /** How often the grant looks again whether this JVM's own leases of the table have ended. */
    private static final long DRAIN_POLL_NANOS = TimeUnit.MICROSECONDS.toNanos(100);

    private final SkipStore store;
    private final CacheWrites writes;
    private final TableSwitches switches;
    private final Clock clock;
    private final String versionSuffix;
    private final String databaseVersionKey;
    private final String sequenceKey;
    private final String member = VersionTokens.fresh();
    private final ConcurrentHashMap<String, TableSkip> tables = new ConcurrentHashMap<>();
    /** The tables with a granted permit, copied on change: the write path only scans this. */
    private volatile TableSkip[] granted = NONE;
    private final StatisticsRecorder statistics;
    /** The store's check, as the writes' shared checks send it (one object, not one per write). */
    private final StandCheck.Ask ask = this::stands;
    private final OwnLeasedKeys ownLeases;
    /**
     * The tables whose gate is closed now (a grant under way; at most one, the background grants one at a time),
     * copied on change: the leased write path only reads this.
     */
    private volatile TableSkip[] gated = NONE;
    /**
     * How long a permit given up (revoked, unwanted) is kept for skipping writes still open under it: an ordinary
     * write's lease bound ({@code sqlcache.writeLease}).
     */
    private final long writeLeaseNanos;
    /** Whether the INFO line about an evicting Redis was written (once: every table asks). */
    private volatile boolean evictableLogged;
    private ScheduledExecutorService thread;
    private boolean closed;

    /**
     * @param store      null when the store cannot take part (the in-process store): nothing ever skips
     * @param versionSuffix what every table's version key ends with: {@code :version:<database hash>}
     */
    public SkipGuard(SkipStore store, CacheWrites writes, TableSwitches switches, StatisticsRecorder statistics,
                     Clock clock, String versionSuffix, String databaseVersionKey, String sequenceKey,
                     long writeLeaseMillis) {
        this(store, writes, switches, statistics, clock, versionSuffix, databaseVersionKey, sequenceKey,
                writeLeaseMillis, OwnLeasedKeys.NONE);
    }

    /**
     * @param ownLeases which version keys this JVM's own auto-commit writes lease right now: a grant waits them out
     *                  (its gate closed) before it asks, see {@link #gated}
     */
    public SkipGuard(SkipStore store, CacheWrites writes, TableSwitches switches, StatisticsRecorder statistics,
                     Clock clock, String versionSuffix, String databaseVersionKey, String sequenceKey,
                     long writeLeaseMillis, OwnLeasedKeys ownLeases) {
        this.ownLeases = ownLeases;
        this.writeLeaseNanos = TimeUnit.MILLISECONDS.toNanos(writeLeaseMillis);
        this.store = store;
        this.statistics = statistics;
        this.writes = writes;
        this.switches = switches;
        this.clock = clock;
        this.versionSuffix = versionSuffix;
        this.databaseVersionKey = databaseVersionKey;
        this.sequenceKey = sequenceKey;
    }

    // ---- the write path

    /**
     * Before a write runs: whether it may skip its lease and end, because every key it may change belongs to a
     * table whose permit is valid here and not revoked. If so it is in flight until {@link #end} (the caller ends
     * it after the statement in auto-commit, after the commit or rollback returned in a transaction).
     */
    public boolean begin(String[] versionKeys, SkipHolds holds) {
        TableSkip[] permits = granted;
        if (permits.length == 0) {
            if (store != null && switches.anyOff()) {
                noteWritten(versionKeys);
            }
            return false;
        }
        int from = holds.size();
        long now = clock.nanoTime();
        for (String key : versionKeys) {
            TableSkip table = owner(permits, key);
            if (table == null) {
                undo(holds, from);
                noteWritten(versionKeys);
                return false;
            }
            if (holds.holds(table)) {
                continue;
            }
            table.wrote(now, WRITTEN_RESOLUTION_NANOS);
            SkipGeneration generation = table.generation;
            if (generation == null) {
                undo(holds, from);
                return false;
            }
            generation.inFlight.incrementAndGet();
            // In flight first, then the state: the renewer sets closing first, then reads the count, so either it
            // sees this write or this write sees it closing.
            if (!table.usable(clock.nanoTime()) || table.generation != generation) {
                generation.inFlight.decrementAndGet();
                undo(holds, from);
                return false;
            }
            holds.add(table, generation);
        }
        statistics.skippedWrite();
        return true;
    }

    /**
     * After the statement (auto-commit) or the commit or rollback (transaction) returned, before the caller returns to
     * the application: a write whose permit lapsed, was lost, or no longer stands in the store is invalidated now,
     * like a write whose lease could not be placed (a bump, which waits for its delivery or for this JVM's
     * membership to lapse). Whether it stands is asked of the store, one read-only script per table, begun after this
     * write's commit returned and shared by the writes whose ends were waiting for it ({@link StandCheck}): the local
     * validity cannot see a lease deleted or evicted from outside, after which another JVM may cache the table at
     * once. Asked after the commit, it suffices: a lease found standing stood since before the write began (it is
     * never put back once gone), so nobody cached the table until after the commit; one found gone is bumped, which
     * invalidates whatever was cached since it went. See docs/consistency.md.
     */
    public void end(SkipHolds holds) {
        int n = holds.size();
        if (n == 0) {
            return;
        }
        long now = clock.nanoTime();
        for (int i = 0; i < n; i++) {
            TableSkip table = holds.table(i);
            SkipGeneration generation = holds.generation(i);
            if (!table.covered(generation, now)) {
                LOG.debug("sqlcache: the skip permit of {} lapsed while a write ran: invalidating it", table.baseName);
                writes.bump(table.leaseKeys, null);
            } else if (!generation.check.stands(ask, table, generation.token)) {
                LOG.debug("sqlcache: the skip permit of {} is gone from the store: invalidating its write",
                        table.baseName);
                // No new write skips under it (each would only bump at its end); the next renewal finds it lost.
                table.validUntilNanos = now;
                writes.bump(table.leaseKeys, null);
            }
            generation.inFlight.decrementAndGet();
        }
        holds.truncate(0);
    }

    /**
     * Right before a transaction's commit: the tables whose skipping writes in it are no longer covered by their
     * permit (released, lost, or past its validity), whose holds this drops. The caller leases them as ordinary
     * writes and ends those leases after the commit, as it places its own old leases again before committing: so that
     * no snapshot reader can be served, between the commit and the end, what the commit wrote (a bump after the
     * commit alone would leave that window). Null when there is none (the common case: nothing allocated).
     */
    public String[] uncoveredBeforeCommit(SkipHolds holds) {
        long now = clock.nanoTime();
        List<String> keys = null;
        for (int i = holds.size() - 1; i >= 0; i--) {
            TableSkip table = holds.table(i);
            SkipGeneration generation = holds.generation(i);
            if (!table.covered(generation, now)) {
                if (keys == null) {
                    keys = new ArrayList<>();
                }
                for (String key : table.tokenKeys) {
                    keys.add(key);
                }
                generation.inFlight.decrementAndGet();
                holds.remove(i);
            }
        }
        return keys == null ? null : keys.toArray(String[]::new);
    }

    /**
     * An auto-commit write that will lease, right after it registered its keys as this JVM's own leases and before
     * it sends its lease: whether a grant of one of its tables is under way (its gate closed). If so the caller
     * withdraws the registration, {@link #awaitGates waits}, and asks {@link #begin} again (the permit may now be
     * granted). Registering first, then reading the gate: the grant closes the gate, then reads the registrations,
     * so a write it does not wait for sees the gate (a race lost here only costs the round: the grant is refused by
     * the store, see docs/consistency.md, "The gate"). One volatile read while no grant is under way.
     */
    public boolean gated(String[] versionKeys) {
        TableSkip[] closed = gated;
        if (closed.length == 0) {
            return false;
        }
        for (String key : versionKeys) {
            if (owner(closed, key) != null) {
                return true;
            }
        }
        return false;
    }

    /**
     * Waits until the gates of the write's tables open, at most {@link #GATE_WAIT_NANOS} in all; the write holds
     * nothing meanwhile (it has withdrawn its registration, and sent nothing to Redis).
     */
    public void awaitGates(String[] versionKeys) {
        long deadline = System.nanoTime() + GATE_WAIT_NANOS;
        for (TableSkip table : gated) {
            CountDownLatch gate = table.gate;
            if (gate == null || !owns(table, versionKeys)) {
                continue;
            }
            try {
                if (!gate.await(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) {
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static boolean owns(TableSkip table, String[] versionKeys) {
        for (String key : versionKeys) {
            if (table.owns(key)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the permit's lease still stands in the store; no answer counts as gone (the write then bumps). */
    private boolean stands(TableSkip table, String token) {
        try {
            return store.stands(table.tokenKeys, token);
        } catch (RuntimeException e) {
            LOG.debug("sqlcache: cannot confirm the skip permit of {}: {}", table.baseName, e.toString());
            return false;
        }
    }

    private static TableSkip owner(TableSkip[] permits, String key) {
        for (TableSkip table : permits) {
            if (table.owns(key)) {
                return table;
            }
        }
        return null;
    }

    private static void undo(SkipHolds holds, int from) {
        for (int i = from; i < holds.size(); i++) {
            holds.generation(i).inFlight.decrementAndGet();
        }
        holds.truncate(from);
    }

    /** Remembers the tables a write names (their {@code T} keys), so that the background asks for their permits. */
    private void noteWritten(String[] versionKeys) {
        long now = clock.nanoTime();
        for (String key : versionKeys) {
            if (key.endsWith(versionSuffix) && !key.equals(databaseVersionKey)) {
                TableSkip table = tables.get(key);
                if (table == null) {
                    table = table(key);
                }
                table.wrote(now, WRITTEN_RESOLUTION_NANOS);
            }
        }
    }

    // ---- the read path (cold: only when a read met a lease)

    /**
     * A read of a table this JVM has on met a lease in this version key: if it is a permit's, register as a cacher
     * for a while, so that the permit is given up and no other is granted.
     */
    public void leaseSeen(String versionKey, String token) {
        if (store == null || !(token.startsWith(SKIP_LEASE_PREFIX) || token.startsWith(HELD_PREFIX))) {
            return;
        }
        int at = versionKey.indexOf(versionSuffix);
        if (at < 0) {
            return;
        }
        String tableKey = versionKey.substring(0, at + versionSuffix.length());
        if (tableKey.equals(databaseVersionKey)) {
            return;
        }
        table(tableKey).cacheWantedUntilNanos = clock.nanoTime() + CACHE_WANTED_NANOS;
    }

    private TableSkip table(String tableKey) {
        TableSkip table = tables.computeIfAbsent(tableKey, k -> new TableSkip(k,
                k.substring("sql:".length(), k.length() - versionSuffix.length()), sequenceKey, clock.nanoTime()));
        start();
        return table;
    }

    // ---- the background

    private synchronized void start() {
        if (thread == null && !closed) {
            thread = Executors.newSingleThreadScheduledExecutor(Scheduler.daemonThreads("sqlcache-skip"));
            thread.scheduleWithFixedDelay(this::tick, 0, RENEW_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    /** One round: register as a cacher where wanted, ask for permits where wanted, renew or give up the others. */
    void tick() {
        try {
            long now = clock.nanoTime();
            List<String> caching = null;
            for (TableSkip table : tables.values()) {
                boolean off = switches.off(table.baseName);
                if (!off && table.cacheWantedUntilNanos - now > 0) {
                    if (caching == null) {
                        caching = new ArrayList<>();
                    }
                    caching.add(table.cachersKey);
                }
                // Only while writes come: a table switched off after its last write, or no longer written, gets
                // no permit and gives up the one it holds (once the writes in flight under it have ended). A new
                // permit only once two writes came within the window: the write that makes a table wanted has
                // taken its own lease already, and a table written less often than the window would otherwise get
                // a permit after each write that no write uses, standing for nothing until it is given up.
                boolean wanted = off && (table.granted ? table.writtenWithin(IDLE_NANOS, now)
                        : table.writtenTwiceWithin(IDLE_NANOS, now));
                try {
                    if (table.granted) {
                        renew(table, wanted);
                    } else if (wanted) {
                        grant(table);
                    }
                } catch (RuntimeException e) {
                    LOG.debug("sqlcache: skip permit of {}: {}", table.baseName, e.toString());
                }
            }
            if (caching != null) {
                store.cache(caching.toArray(String[]::new), member, CACHER_MILLIS);
            }
        } catch (RuntimeException e) {
            LOG.debug("sqlcache: skip round failed: {}", e.toString());
        }
    }

    /**
     * Asks for a permit. When the store finds no cacher but a lease in the table's keys that may be this JVM's own
     * writes' (issue #10: four writers of one JVM overlap end to end, so the table was always leased when asked), or
     * none at all, the table's gate closes for the grant: this JVM's new leased writes of the table wait, the grant
     * waits out the ones in flight, asks again if it found a lease, and places the permit's lease with no lease of
     * this JVM in the keys. Whatever the gate misses (a lease of another JVM, a transaction's, a write that raced
     * past it) the store still refuses, as before: the gate only makes the grant possible, never more trusted.
     */
    private void grant(TableSkip table) {
        long cachers = liveCachers(table);
        if (cachers != 0 && !(cachers == SkipStore.LEASED && clock.nanoTime() - table.gateAgainNanos >= 0
                && ownLeases.anyOf(table.tokenKeys))) {
            return;
        }
        CountDownLatch gate = new CountDownLatch(1);
        table.gate = gate;
        gated = new TableSkip[] {table};
        try {
            if (!drained(table)) {
                table.gateAgainNanos = clock.nanoTime() + GATE_BACKOFF_NANOS;
                LOG.debug("sqlcache: skip permit of {}: this JVM's writes still lease it; asking again later",
                        table.baseName);
                return;
            }
            if (cachers == SkipStore.LEASED && liveCachers(table) != 0) {
                // Another JVM's lease, or a transaction's (not gated): refused as before.
                table.gateAgainNanos = clock.nanoTime() + GATE_BACKOFF_NANOS;
                return;
            }
            grantUngated(table);
        } finally {
            gated = NONE;
            table.gate = null;
            gate.countDown();
        }
    }

    /** Waits (bounded) until no write of this JVM leases the table's keys; whether none does. */
    private boolean drained(TableSkip table) {
        long deadline = System.nanoTime() + DRAIN_NANOS;
        while (ownLeases.anyOf(table.tokenKeys)) {
            if (System.nanoTime() - deadline >= 0 || Thread.currentThread().isInterrupted()) {
                return false;
            }
            LockSupport.parkNanos(DRAIN_POLL_NANOS);
        }
        return true;
    }

    private long liveCachers(TableSkip table) {
        long cachers = store.liveCachers(table.cachersKey, table.tokenKeys);
        if (cachers == SkipStore.EVICTABLE && !evictableLogged) {
            evictableLogged = true;
            LOG.info("sqlcache: Redis may evict keys with a time to live (maxmemory with an evicting policy): writes "
                    + "to tables no JVM caches keep their leases, since a skip permit's lease could be evicted");
        }
        return cachers;
    }

    /** The grant proper, once the store answered no cacher and no lease. */
    private void grantUngated(TableSkip table) {
        String token = VersionTokens.withLength(SKIP_LEASE_PREFIX + VersionTokens.fresh(), PERMIT_MILLIS);
        String[] tokens = {token, token, token, token};
        // The ordinary lease: near caches drop the table's copies (acknowledged) and the write sequence advances.
        // Trusted only when placed by one answered attempt: the check and the renewal take the permit's bare token
        // in a key for a lease that stood since the grant, which an earlier attempt landing late after a loss would
        // fake (docs/consistency.md, item 2). Otherwise given up, and asked for again with a new token.
        boolean once = writes.lease(table.leaseKeys, tokens, PERMIT_MILLIS);
        long sent = clock.nanoTime();
        SkipStore.Renewal renewal = once ? store.renew(table.cachersKey, table.tokenKeys, token, PERMIT_MILLIS)
                : null;
        if (renewal == null || !renewal.intact() || renewal.liveCachers() > 0) {
            writes.endLeases(table.leaseKeys, tokens, null);
            return;
        }
        table.lost = false;
        table.closing = false;
        table.validUntilNanos = validUntil(sent);
        table.generation = new SkipGeneration(token);
        table.granted = true;
        statistics.skipPermits(1);
        publish();
        LOG.info("sqlcache: table {} is cached by no JVM: its writes skip invalidation under a permit",
                table.baseName);
    }

    private void renew(TableSkip table, boolean wanted) {
        long sent = clock.nanoTime();
        SkipStore.Renewal renewal = null;
        try {
            renewal = store.renew(table.cachersKey, table.tokenKeys, table.generation.token, PERMIT_MILLIS);
        } catch (RuntimeException e) {
            // The permit lapses on its own (locally first); writes in flight then invalidate at their end.
            LOG.debug("sqlcache: cannot renew the skip permit of {}: {}", table.baseName, e.toString());
        }
        if (renewal != null && renewal.intact() && !table.lost) {
            table.validUntilNanos = validUntil(sent);
        } else if (renewal != null && !renewal.intact() && !table.lost) {
            // Expired, flushed or ended by someone else: any JVM may have cached the table meanwhile.
            table.validUntilNanos = clock.nanoTime();
            table.generation = new SkipGeneration(table.generation.token);
            if (!table.closing) {
                table.closingSinceNanos = clock.nanoTime();
            }
            table.closing = true;
            table.lost = true;
            LOG.warn("sqlcache: the skip permit of table {} was lost in the store: invalidating it", table.baseName);
            writes.endLeases(table.leaseKeys, leaseTokens(table), null);
        }
        if (!table.closing && (!wanted || (renewal != null && renewal.liveCachers() > 0))) {
            table.closingSinceNanos = clock.nanoTime();
            table.closing = true;
            LOG.info("sqlcache: giving up the skip permit of table {}: {}", table.baseName,
                    wanted ? "another JVM caches it" : switches.off(table.baseName)
                            ? "no write to it for " + TimeUnit.NANOSECONDS.toSeconds(IDLE_NANOS) + " s"
                            : "this JVM caches it again");
        }
        if (table.closing && table.generation.inFlight.get() > 0
                && clock.nanoTime() - table.closingSinceNanos >= writeLeaseNanos) {
            // Writes left open (an idle transaction, a leaked connection) would keep the lease, and the table from
            // every JVM, without bound; an ordinary write's lease lasts writeLease. Move the generation: those writes
            // no longer count here, and bump (or lease before their commit) at their end, as under a lost permit.
            LOG.info("sqlcache: releasing the skip permit of table {}: writes under it still open {} ms after it "
                    + "was given up (sqlcache.writeLease); they invalidate at their end", table.baseName,
                    TimeUnit.NANOSECONDS.toMillis(writeLeaseNanos));
            table.generation = new SkipGeneration(table.generation.token);
        }
        if (table.closing && table.generation.inFlight.get() == 0) {
            if (!table.lost) {
                writes.endLeases(table.leaseKeys, leaseTokens(table), null);
            }
            table.granted = false;
            statistics.skipPermits(-1);
            publish();
            LOG.debug("sqlcache: skip permit of table {} ended", table.baseName);
        }
    }

    private static String[] leaseTokens(TableSkip table) {
        String token = table.generation.token;
        return new String[] {token, token, token, token};
    }

    /** The permit's lease stands until at least {@code sent} + its life on the store's clock; keep a margin. */
    private long validUntil(long sent) {
        return sent + TimeUnit.MILLISECONDS.toNanos(PERMIT_MILLIS * 95 / 100 - 50);
    }

    private synchronized void publish() {
        List<TableSkip> now = new ArrayList<>();
        for (TableSkip table : tables.values()) {
            if (table.granted) {
                now.add(table);
            }
        }
        granted = now.toArray(NONE);
    }

    // ---- life

    /** Stops the background; idle permits are given up (the others lapse on their own within seconds). */
    public void close() {
        ScheduledExecutorService stopping;
        synchronized (this) {
            closed = true;
            stopping = thread;
            thread = null;
        }
        if (stopping == null) {
            return;
        }
        stopping.shutdownNow();
        try {
            stopping.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (TableSkip table : granted) {
            table.closing = true;
            if (table.generation.inFlight.get() == 0 && !table.lost) {
                try {
                    writes.endLeases(table.leaseKeys, leaseTokens(table), null);
                } catch (RuntimeException e) {
                    LOG.debug("sqlcache: cannot end the skip permit of {}: {}", table.baseName, e.toString());
                }
                table.granted = false;
                statistics.skipPermits(-1);
            }
        }
        publish();
    }
}
