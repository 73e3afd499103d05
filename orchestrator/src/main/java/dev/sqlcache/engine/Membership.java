package dev.sqlcache.engine;

import dev.sqlcache.store.CacheStore;
import dev.sqlcache.store.VersionTokens;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * This JVM's membership among the JVMs sharing a store: renewed every {@link #RENEW_MILLIS}, lapsing
 * {@link #MEMBER_MILLIS} after the last renewal (store clock).
 *
 * <p>Why it exists: a write that cannot reach Redis cannot invalidate anything, and another JVM that reaches Redis
 * would go on serving the old answer. A JVM cut off from Redis also stops renewing; once its membership has lapsed,
 * the store's fence ({@link CacheStore#FENCE_KEY}) is gone and no JVM uses the cache. So a write whose lease could
 * not be placed waits until this JVM's membership has lapsed for certain ({@link #lapsedForCertainAtNanos}) before
 * it runs; from then on the others cannot serve anything older than it.
 *
 * <p>The bound is computed on this JVM's monotonic clock from the moment the last renewal's answer arrived:
 * the store set the lapse at most {@link #MEMBER_MILLIS} after that; a renewal sent but unanswered may still land
 * before then and prolong it once more by at most as much (a renewal never revives a lapsed membership). A join
 * needs a ticket issued just before it and valid for {@link #TICKET_MILLIS}, so a join answered late still ends
 * within a bound known from the ticket's answer. Only durations are compared across machines, never clock
 * readings; a margin covers clock rate differences.
 */
final class Membership implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Membership.class);
    static final long MEMBER_MILLIS = 2000;
    static final long RENEW_MILLIS = 500;
    /** How long a join ticket admits a join (store clock). */
    static final long TICKET_MILLIS = 1000;
    private static final long MARGIN_NANOS = TimeUnit.MILLISECONDS.toNanos(2 * MEMBER_MILLIS / 20 + 50);
    private static final long LAPSE_BOUND_NANOS = TimeUnit.MILLISECONDS.toNanos(2 * MEMBER_MILLIS) + MARGIN_NANOS;
    /** After a ticket was issued: a join it admits lands within the ticket's life and lasts one membership. */
    private static final long JOIN_BOUND_NANOS =
            TimeUnit.MILLISECONDS.toNanos(TICKET_MILLIS + MEMBER_MILLIS) + MARGIN_NANOS;
    private static final Set<Membership> LIVE = ConcurrentHashMap.newKeySet();
    private static final ScheduledExecutorService RENEWALS = Executors.newScheduledThreadPool(2, runnable -> {
        Thread thread = new Thread(runnable, "sqlcache-membership");
        thread.setDaemon(true);
        return thread;
    });

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Membership::leave),
                "sqlcache-membership-leave"));
    }

    private final CacheStore store;
    private final String id = VersionTokens.fresh();
    private final long fenceMillis;
    /** True when this JVM owes no invalidation: only then may a lapsed member join again. */
    private final BooleanSupplier owesNothing;
    private final ScheduledFuture<?> renewals;
    /** When the answer to the last successful renewal arrived (System.nanoTime()); valid once {@link #joined}. */
    private volatile long confirmedNanos;
    private volatile boolean joined;
    /**
     * Until when (System.nanoTime()) a join whose answer was lost may keep this JVM a member; valid once
     * {@link #joinAttempted}.
     */
    private volatile long unansweredJoinUntilNanos;
    private volatile boolean joinAttempted;
    private volatile boolean member;
    private volatile boolean cutOffLogged;

    /**
     * Joins at once (one round trip, on the connecting thread, like the first lookup would be) and then renews in
     * the background.
     */
    Membership(CacheStore store, long fenceMillis, BooleanSupplier owesNothing) {
        this.store = store;
        this.fenceMillis = fenceMillis;
        this.owesNothing = owesNothing;
        renew();
        LIVE.add(this);
        this.renewals = RENEWALS.scheduleWithFixedDelay(this::renew, RENEW_MILLIS, RENEW_MILLIS,
                TimeUnit.MILLISECONDS);
    }

    /** One renewal, or a join when the membership lapsed and nothing is owed any more. */
    void renew() {
        boolean join = !member;
        if (join && !owesNothing.getAsBoolean()) {
            // Joining first would put the fence back before the invalidations it stands in for have landed.
            return;
        }
        try {
            String ticket = null;
            if (join) {
                ticket = VersionTokens.fresh();
                store.joinTicket(ticket, TICKET_MILLIS);
                // The ticket exists from at latest now: a join it admits, even one executed late, ends by then.
                unansweredJoinUntilNanos = System.nanoTime() + JOIN_BOUND_NANOS;
                joinAttempted = true;
            }
            boolean alive = store.renewMembership(id, ticket, MEMBER_MILLIS, fenceMillis);
            if (alive) {
                confirmedNanos = System.nanoTime();
                joined = true;
                cutOffLogged = false;
            } else if (member) {
                LOG.info("sqlcache: this JVM's membership in {} lapsed; joining again", store.describe());
            }
            member = alive;
        } catch (RuntimeException e) {
            // The fail-open guard counts and logs store failures; here only the consequence matters.
            LOG.debug("sqlcache: membership renewal failed: {}", e.getMessage());
            if (joined && System.nanoTime() - confirmedNanos > TimeUnit.MILLISECONDS.toNanos(MEMBER_MILLIS)) {
                member = false;
                warnIfCutOffTooLong();
            }
        }
    }

    private void warnIfCutOffTooLong() {
        long cutOff = System.nanoTime() - confirmedNanos;
        if (!cutOffLogged && cutOff > TimeUnit.MILLISECONDS.toNanos(fenceMillis)) {
            cutOffLogged = true;
            LOG.error("sqlcache: cut off from {} for longer than sqlcache.fenceTimeout ({} ms): other JVMs may "
                    + "again serve answers older than this JVM's writes until it reaches the store",
                    store.describe(), fenceMillis);
        }
    }

    /**
     * The local time (System.nanoTime()) from which this JVM's membership has lapsed in the store for certain, so
     * that no JVM serves from the cache; {@code null} when it never joined and so cannot fence anybody.
     */
    Long lapsedForCertainAtNanos() {
        if (!joinAttempted) {
            return null; // never joined: the first renewal is a join
        }
        long bound = unansweredJoinUntilNanos;
        long renewed = confirmedNanos + LAPSE_BOUND_NANOS;
        return joined && renewed - bound > 0 ? renewed : bound;
    }

    /** The member's id in the store, for tests and diagnostics. */
    String id() {
        return id;
    }

    private void leave() {
        try {
            store.leaveMembership(id);
        } catch (RuntimeException e) {
            LOG.debug("sqlcache: leaving {} failed: {}", store.describe(), e.getMessage());
        }
    }

    @Override
    public void close() {
        renewals.cancel(false);
        if (LIVE.remove(this)) {
            leave();
        }
    }
}
