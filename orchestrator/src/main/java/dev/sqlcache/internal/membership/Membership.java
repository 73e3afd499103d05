package dev.sqlcache.internal.membership;

import dev.sqlcache.internal.store.Misconfiguration;
import dev.sqlcache.internal.store.VersionTokens;
import dev.sqlcache.internal.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * This JVM's membership among the JVMs sharing a store: renewed every {@link #RENEW_MILLIS}, lapsing
 * {@link #MEMBER_MILLIS} after the last renewal (store clock).
 *
 * <p>Why it exists: a write that cannot reach Redis cannot invalidate anything, and another JVM that reaches Redis
 * would go on serving the old answer. A JVM cut off from Redis also stops renewing; once its membership has lapsed,
 * the store's fence ({@link MembershipStore#FENCE_KEY}) is gone and no JVM uses the cache. So a write whose lease could
 * not be placed waits until this JVM's membership has lapsed for certain ({@link #lapsedForCertainAtNanos}) before
 * it runs; from then on the others cannot serve anything older than it.
 *
 * <p>The bound is computed on this JVM's monotonic clock from the moment the last renewal's answer arrived:
 * the store set the lapse at most {@link #MEMBER_MILLIS} after that. Renewals sent afterwards may all go
 * unanswered and still land, each while the membership is alive; so each carries a cap, on the store's clock, of
 * twice {@link #MEMBER_MILLIS} after the last answered renewal ran, and none takes the membership past it (nor
 * revives a lapsed one). A join
 * needs a ticket issued just before it and valid for {@link #TICKET_MILLIS}, so a join answered late still ends
 * within a bound known from the ticket's answer. Only durations are compared across machines, never clock
 * readings; a margin covers clock rate differences.
 */
public final class Membership {

    private static final Logger LOG = LoggerFactory.getLogger(Membership.class);
    static final long MEMBER_MILLIS = 2000;
    /** How often the owner should call {@link #renew()}. */
    public static final long RENEW_MILLIS = 500;
    /** How long a join ticket admits a join (store clock). */
    static final long TICKET_MILLIS = 1000;
    private static final long MARGIN_NANOS = TimeUnit.MILLISECONDS.toNanos(2 * MEMBER_MILLIS / 20 + 50);
    private static final long LAPSE_BOUND_NANOS = TimeUnit.MILLISECONDS.toNanos(2 * MEMBER_MILLIS) + MARGIN_NANOS;
    /** After a ticket was issued: a join it admits lands within the ticket's life and lasts one membership. */
    private static final long JOIN_BOUND_NANOS =
            TimeUnit.MILLISECONDS.toNanos(TICKET_MILLIS + MEMBER_MILLIS) + MARGIN_NANOS;
    /** The longest a write waits for its lease or the fence, even when the bound above says more. */
    private static final long MAX_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(3 * MEMBER_MILLIS);

    private final MembershipStore store;
    private final String description;
    private final Clock clock;
    private final String id = VersionTokens.fresh();
    private final long fenceMillis;
    /** True when this JVM owes no invalidation: only then may a lapsed member join again. */
    private final BooleanSupplier owesNothing;
    /**
     * Where a renewal is queued out of turn ({@link #vouchesFor}): the owner's thread for this store alone, so
     * that a renewal to a frozen store holds back no other store's.
     */
    private final Executor renewals;
    /** When the answer to the last successful renewal arrived ({@link Clock#nanoTime()}); valid once {@link #joined}. */
    private volatile long confirmedNanos;
    /** The store-clock time at which that renewal ran: the next renewals may not take the membership past it + 2 x. */
    private volatile long confirmedStoreMillis;
    /** Set once it left (or will not): no renewal or join runs afterwards. Guarded by {@code this}. */
    private boolean closed;
    private volatile boolean joined;
    /**
     * Until when ({@link Clock#nanoTime()}) a join whose answer was lost may keep this JVM a member; valid once
     * {@link #joinAttempted}.
     */
    private volatile long unansweredJoinUntilNanos;
    private volatile boolean joinAttempted;
    private volatile boolean member;
    private volatile boolean cutOffLogged;
    /** The set's epoch and members as the last answered renewal reported them: put back if the store loses them. */
    private volatile String epoch = "";
    private volatile Map<String, Long> members = Map.of();
    /**
     * Counts reasons to doubt the store since it was opened: reconnections and recoveries after an outage, when
     * it may be a restarted server that lost or rolled back acknowledged writes.
     */
    private final LongSupplier doubts;
    /** {@link #doubts} as read before the last answered renewal: what that renewal vouched for. */
    private volatile long doubtsCovered = -1;
    private final AtomicBoolean renewalQueued = new AtomicBoolean();
    /**
     * Once the membership has lapsed the fence is gone, but a near cache may go on serving until its near lease,
     * renewed while the fence stood, lapses too: a write that waits for the fence waits that much longer.
     */
    private volatile long nearLeaseNanos;
    /** Lock statements a server refused for the fingerprint's functions: counted, the first logged. */
    private final UnreadableFingerprints unreadableFingerprints = new UnreadableFingerprints();
    /** The databases this JVM's sessions are on, published with each renewal ({@link DatabaseRegistration}). */
    private final DatabaseRegistration registration = new DatabaseRegistration();
    /** The connections open on this membership: it leaves only when none is ({@link #leave}). */
    private final OpenSessions sessions = new OpenSessions();
    /** What the last renewal answered alive published, and when it was sent: see {@link #covers}. */
    private volatile java.util.Set<String> acknowledged = java.util.Set.of();
    private volatile long acknowledgedSentNanos;
    /** Whether a renewal ever sent a registration that lets others drop this member early: set before it is sent. */
    private volatile boolean lockableSent;
    /** Checks the others' lapsed members after each answered renewal; null when nothing can be checked. */
    private volatile LapsedMembers lapsedMembers;
    /** This JVM's own sessions holding its lock, one per server database ({@link Anchors}); null for none. */
    private volatile Anchors anchors;
    /** Asked before every join; null: always join. */
    private volatile JoinGate joinGate;
    /**
     * Set from before a join's gate runs until the join's answer (or failure) is in: a write that finds it set does
     * not take the membership for lapsed, so it leases as usual instead of running unleased behind the gate's back.
     */
    private volatile boolean joining;

    /** What must happen before this JVM joins again (or for the first time), and before it leaves. */
    @FunctionalInterface
    public interface JoinGate {
        /**
         * Runs after the join was announced ({@link #lapsedOrNeverJoined} is false from then until its answer) and
         * before the join is sent; false refuses this join (the membership stays lapsed, the next renewal tries
         * again). Also before a leave, which brings the fence back as a join does; false: no leave, the membership
         * lapses.
         */
        boolean beforeJoin();
    }

    /**
     * Not yet a member: the owner calls {@link #renew()} once to join (one round trip) and then every
     * {@link #RENEW_MILLIS}.
     *
     * @param description the store, for logs
     * @param owesNothing true when this JVM owes no invalidation: only then may it renew or join
     * @param doubts      counts reasons to doubt the store (reconnections, recoveries after an outage)
     * @param renewals    runs a renewal queued out of turn
     */
    public Membership(MembershipStore store, String description, long fenceMillis, BooleanSupplier owesNothing,
                      LongSupplier doubts, Executor renewals, Clock clock) {
        this.store = store;
        this.description = description;
        this.doubts = doubts;
        this.fenceMillis = fenceMillis;
        this.owesNothing = owesNothing;
        this.renewals = renewals;
        this.clock = clock;
    }

    /**
     * One renewal, or a join when the membership lapsed. Neither while an invalidation is owed: the fence must not
     * stay up (or come back) for answers that invalidation should hide, so the membership lapses until it lands.
     */
    public synchronized void renew() {
        if (closed) {
            return;
        }
        renewOnce();
    }

    /** {@link #renew} once it was decided to send. Guarded by {@code this}. */
    private void renewOnce() {
        boolean join = !member;
        if (!owesNothing.getAsBoolean()) {
            lapsedLocally();
            return;
        }
        long joinBoundBefore = unansweredJoinUntilNanos;
        boolean joinAttemptedBefore = joinAttempted;
        if (join) {
            // Announced before the gate runs: a write deciding from now on leases as usual; one that decided
            // before is registered with the gate, which places its lease before the join (UnleasedWrites).
            joining = true;
        }
        try {
            String ticket = null;
            long notAfter = MembershipStore.NO_CAP;
            if (join) {
                JoinGate gate = joinGate;
                if (gate != null && !gate.beforeJoin()) {
                    lapsedLocally();
                    return;
                }
                ticket = VersionTokens.fresh();
                store.joinTicket(ticket, TICKET_MILLIS);
                // The ticket exists from at latest now: a join it admits, even one executed late, ends by then.
                unansweredJoinUntilNanos = clock.nanoTime() + JOIN_BOUND_NANOS;
                joinAttempted = true;
            } else {
                // However many of the renewals sent from now on land late, none outlasts the bound computed from
                // the last one answered (lapsedForCertainAtNanos).
                notAfter = confirmedStoreMillis + 2 * MEMBER_MILLIS;
            }
            long doubted = doubts.getAsLong();
            String registering = registration.text();
            if (DatabaseRegistration.lockable(registering)) {
                lockableSent = true;
            }
            // If Redis runs this renewal and its answer is lost, the registration the others' checks read is this
            // text, not the acknowledged one: and a text can lack an entry of the last (one retired since), so a
            // connection on such an entry must not be covered or anchored on the strength of the old text.
            java.util.Set<String> sending = DatabaseRegistration.entries(registering);
            acknowledged = DatabaseRegistration.common(acknowledged, sending);
            // Sent from now on: a lock answered before this moment was held before the renewal ran (see covers).
            long sentNanos = clock.nanoTime();
            MembershipStore.Renewal renewal = store.renew(id, ticket, MEMBER_MILLIS, fenceMillis, notAfter, epoch,
                    registering);
            if (renewal.at() == MembershipStore.Renewal.RESTORE) {
                // The store lost the set (a restart without persistence, an eviction) or may have lost part of it
                // (a promoted replica): put back every member this JVM knew, so that one cut off meanwhile still
                // holds the fence down, then renew in it.
                LOG.info("sqlcache: {} lost its membership set or has a new primary; restoring the {} members this "
                        + "JVM knew", description, members.size());
                epoch = store.restoreMembers(epoch, members);
                renewal = store.renew(id, ticket, MEMBER_MILLIS, fenceMillis, notAfter, epoch, registering);
            }
            boolean alive = renewal.alive();
            if (alive) {
                confirmedNanos = clock.nanoTime();
                confirmedStoreMillis = renewal.at();
                epoch = renewal.epoch();
                members = renewal.members();
                if (doubted > doubtsCovered && LOG.isDebugEnabled()) {
                    LOG.debug("sqlcache: a renewal of {} vouches for the store again ({} reasons to doubt it)",
                            description, doubted);
                }
                doubtsCovered = doubted;
                joined = true;
                cutOffLogged = false;
                acknowledged = sending;
                acknowledgedSentNanos = sentNanos;
                LapsedMembers checks = lapsedMembers;
                if (checks != null) {
                    checks.consider(id, renewal.members(), renewal.at());
                }
                Anchors kept = anchors;
                if (kept != null) {
                    // Opened (again) only now: an anchor whose lock is taken after this renewal's send covers
                    // nothing until the next one is answered (coversOrAnchors).
                    kept.keep();
                }
            } else if (member) {
                LOG.info("sqlcache: this JVM's membership in {} lapsed; joining again", description);
            }
            member = alive;
        } catch (RuntimeException | LinkageError e) {
            // The fail-open guard counts and logs store failures; here only the consequence matters.
            LOG.debug("sqlcache: membership renewal failed: {}", e.getMessage());
            Misconfiguration refused = Misconfiguration.of(e);
            if (join && refused != null && refused.notRun()) {
                // The store refused the join before running it (a Cluster node, an ACL, a Sentinel port): the
                // ticket admits nothing any more, so this attempt cannot have made this JVM a member, and writes
                // need not wait for it to lapse. (The store logged the misconfiguration, once, at ERROR.)
                unansweredJoinUntilNanos = joinBoundBefore;
                joinAttempted = joinAttemptedBefore;
            }
            lapsedLocally();
        } finally {
            // From here the join's own traces say whether it may have happened: a member renewed just now, or the
            // bound of a join whose answer was lost (set once the ticket was answered, before the join was sent).
            joining = false;
        }
    }

    /** Sets what must happen before each join ({@link JoinGate}). */
    public void beforeJoin(JoinGate gate) {
        this.joinGate = gate;
    }

    /** No renewal was answered for a whole membership: it has lapsed, the next attempt must join. */
    private void lapsedLocally() {
        if (joined && clock.nanoTime() - confirmedNanos > TimeUnit.MILLISECONDS.toNanos(MEMBER_MILLIS)) {
            member = false;
            warnIfCutOffTooLong();
        }
    }

    private void warnIfCutOffTooLong() {
        long cutOff = clock.nanoTime() - confirmedNanos;
        if (!cutOffLogged && cutOff > TimeUnit.MILLISECONDS.toNanos(fenceMillis)) {
            cutOffLogged = true;
            LOG.error("sqlcache: cut off from {} for longer than sqlcache.fenceTimeout ({} ms): other JVMs may "
                    + "again serve answers older than this JVM's writes until it reaches the store",
                    description, fenceMillis);
        }
    }

    /**
     * The local time (clock.nanoTime()) from which this JVM's membership has lapsed in the store for certain, so
     * that no JVM serves from the cache; {@code null} when it never joined and so cannot fence anybody.
     */
    Long lapsedForCertainAtNanos() {
        return lapsedForCertainAtNanos(true);
    }

    /**
     * {@link #lapsedForCertainAtNanos()} for a write: one that {@link #covers} relies on the fence being down from
     * the lapse until this JVM joins again; one that is not covered may find this member dropped early (another
     * JVM found no session of its alive, before this one's connection opened), and so runs no earlier than
     * today's drop would have happened anyway, sqlcache.fenceTimeout after the lapse.
     */
    private Long lapsedForCertainAtNanos(boolean covered) {
        Long lapsedAt = lapsedBound();
        if (lapsedAt == null || covered) {
            return lapsedAt; // never joined: nobody to wait for (and no unboxing of null)
        }
        return lapsedAt + TimeUnit.MILLISECONDS.toNanos(fenceMillis);
    }

    private Long lapsedBound() {
        if (joining) {
            // A join is under way: it may make this JVM a member any moment, within a ticket's life and a membership.
            return clock.nanoTime() + JOIN_BOUND_NANOS + nearLeaseNanos;
        }
        if (!joinAttempted) {
            return null; // never joined: the first renewal is a join
        }
        long bound = unansweredJoinUntilNanos;
        long renewed = confirmedNanos + LAPSE_BOUND_NANOS;
        return (joined && renewed - bound > 0 ? renewed : bound) + nearLeaseNanos;
    }

    /**
     * Whether no JVM can be serving from the cache on this one's account: its membership has lapsed for certain
     * (the fence is down, and stays down until it joins again, which it does only once it owes nothing), or it
     * never joined. Unlike {@link #othersFenced}, never true merely because a write has waited long enough.
     */
    public boolean lapsedOrNeverJoined() {
        return lapsedOrNeverJoined(true);
    }

    /** {@link #lapsedOrNeverJoined()} for a write {@link #covers} says whether it is covered. */
    public boolean lapsedOrNeverJoined(boolean covered) {
        Long lapsedAt = lapsedForCertainAtNanos(covered);
        return lapsedAt == null || clock.nanoTime() - lapsedAt >= 0;
    }

    /** How long until this JVM's membership has lapsed for certain (0 when it has, or when it never joined). */
    public long nanosUntilLapse() {
        return nanosUntilLapse(true);
    }

    /** {@link #nanosUntilLapse()} for a write {@link #covers} says whether it is covered. */
    public long nanosUntilLapse(boolean covered) {
        Long lapsedAt = lapsedForCertainAtNanos(covered);
        return lapsedAt == null ? 0 : Math.max(0, lapsedAt - clock.nanoTime());
    }

    /** Whether this JVM's membership was renewed within the last membership period (for health checks). */
    public boolean renewedRecently() {
        return joined && member
                && clock.nanoTime() - confirmedNanos <= TimeUnit.MILLISECONDS.toNanos(MEMBER_MILLIS);
    }

    /** {members, lapsed members} as the last answered renewal saw the set (for health checks). */
    public int[] lastSeenMembers() {
        Map<String, Long> seen = members;
        long at = confirmedStoreMillis;
        int lapsed = 0;
        for (long expiry : seen.values()) {
            if (expiry < at) {
                lapsed++;
            }
        }
        return new int[] {seen.size(), lapsed};
    }

    /**
     * What the renewals answered so far vouch for: read it before a lookup is sent, and give it to
     * {@link #vouchesFor} once the answer is in. A renewal answered while the lookup was in flight may have
     * replaced the fence after the lookup read the old one (with the entries it validates), so it does not count
     * for that lookup.
     */
    public long vouched() {
        return doubtsCovered;
    }

    /**
     * Whether what a lookup read may be trusted, given {@link #vouched()} as read before it was sent: only when a
     * renewal answered before then had run since the last reason to doubt the store. If not, the caller must not
     * trust it (the server may have restarted from an older snapshot, or be a promoted replica, and the renewal
     * replaces its fence), and a renewal is queued at once unless one has vouched meanwhile.
     */
    public boolean vouchesFor(long vouchedBefore) {
        long doubted = doubts.getAsLong();
        if (doubted <= vouchedBefore) {
            return true;
        }
        if (doubted > doubtsCovered && renewalQueued.compareAndSet(false, true)) {
            LOG.debug("sqlcache: {} is not trusted until a renewal has run ({} reasons to doubt it, {} vouched "
                    + "for); one is queued", description, doubted, doubtsCovered);
            try {
                renewals.execute(() -> {
                    renewalQueued.set(false);
                    renew();
                });
            } catch (RejectedExecutionException closing) {
                renewalQueued.set(false);
            }
        }
        return false;
    }

    /**
     * Whether a renewal has run since the last reason to doubt the store (queuing one if not). For a caller that
     * read nothing from the store in between; a lookup uses {@link #vouched()} and {@link #vouchesFor}.
     */
    public boolean vouchesForStore() {
        return vouchesFor(doubtsCovered);
    }

    /**
     * Whether a write that could not tell the store about itself may run now: no JVM can serve from the cache any
     * more because this one's membership has lapsed for certain (the fence is down), or this JVM never joined
     * (nobody to wait for), or, as a safety net, it has waited three membership periods since {@code waitStart}.
     */
    public boolean othersFenced(long waitStart) {
        return othersFenced(waitStart, true);
    }

    /**
     * {@link #othersFenced(long)} for a write {@link #covers} says whether it is covered: one that is not waits
     * until sqlcache.fenceTimeout after the lapse, and its safety net is that much longer.
     */
    public boolean othersFenced(long waitStart, boolean covered) {
        Long lapsedAt = lapsedForCertainAtNanos(covered);
        long now = clock.nanoTime();
        if (lapsedAt == null || now - lapsedAt >= 0) {
            return true;
        }
        if (now - waitStart > MAX_WAIT_NANOS + (covered ? 0 : TimeUnit.MILLISECONDS.toNanos(fenceMillis))) {
            LOG.warn("sqlcache: a write waited {} ms for the cache store or the fence; running it",
                    TimeUnit.NANOSECONDS.toMillis(now - waitStart));
            return true;
        }
        return false;
    }

    /**
     * Registers the database of a connection about to take its shared session lock, and returns what the
     * connection then holds ({@link #covers}). Called once per physical connection, never per query.
     *
     * @param database the database's hash, or {@link DatabaseRegistration#UNLOCKABLE}
     * @param lock     takes the shared lock on the connection ({@code classId}, {@code key}); false or an
     *                 exception when it could not
     */
    public SessionLock lockSession(String database, SharedLock lock) {
        if (!sessions.open()) {
            throw new LeftException(description);
        }
        boolean registered = false;
        try {
            SessionLock taken = registerSession(database, lock).countedIn(sessions);
            registered = true;
            return taken;
        } finally {
            if (!registered) {
                sessions.close();
            }
        }
    }

    /**
     * Waits, at most {@code nanos}, until no connection is open on this membership, so that a close that follows
     * can leave rather than lapse ({@link OpenSessions#awaitNoneOpen}).
     *
     * @return whether none was open when it returned
     */
    public boolean awaitNoSessionOpen(long nanos) throws InterruptedException {
        return sessions.awaitNoneOpen(nanos);
    }

    /**
     * Thrown at a connection whose session would open on a membership that has decided to leave (its runtime closed
     * meanwhile): its writes could not rely on this membership any more ({@link OpenSessions}); it must open on a
     * fresh runtime.
     */
    public static final class LeftException extends IllegalStateException {
        LeftException(String description) {
            super("sqlcache: the runtime of " + description + " closed while a connection opened on it");
        }
    }

    private SessionLock registerSession(String database, SharedLock lock) {
        if (DatabaseRegistration.UNLOCKABLE.equals(database)) {
            registration.hold(database); // never retired: no release
            return new SessionLock(database, 0, false);
        }
        if (!store.dropsEarly()) {
            return new SessionLock(database, 0, false);
        }
        try {
            String locked = lock.take(DatabaseRegistration.LOCK_CLASS, DatabaseRegistration.lockKey(id));
            if (locked != null) {
                String fingerprint = DatabaseRegistration.lockedFingerprint(locked);
                // Registered under the server database the session reached, not only the identity: another JVM
                // reaching the identity elsewhere (a replica, another database given the same databaseId) finds
                // no such entry there and keeps this member (LapsedMembers).
                String entry = DatabaseRegistration.entry(database, fingerprint);
                registration.hold(entry);
                return new SessionLock(entry, clock.nanoTime(), true, DatabaseRegistration.lockedServer(locked))
                        .registeredIn(registration);
            }
            // Not held: the connection is not covered, and registers nothing a check could find free.
        } catch (java.sql.SQLException e) {
            if (!unreadableFingerprints.count(e, "an application connection")) {
                LOG.debug("sqlcache: a connection could not take this JVM's session lock: {}", e.toString());
            }
        } catch (RuntimeException e) {
            LOG.debug("sqlcache: a connection could not take this JVM's session lock: {}", e.toString());
        }
        return new SessionLock(database, 0, false);
    }

    /** Takes a shared session-level lock on one connection. */
    @FunctionalInterface
    public interface SharedLock {
        /**
         * What {@link DatabaseRegistration#lockedSql()} read when the lock is held (the server database's fingerprint,
         * and the server instance after a space), else null.
         */
        String take(int classId, int key) throws java.sql.SQLException;
    }

    /**
     * Whether a write on a connection holding {@code lock} (or {@link SessionLock#NONE} for none) may rely on the
     * fence staying down from this member's lapse until it joins again, as it did before members could be dropped
     * early. True when no member can drop this one early: no renewal ever published a registration that allows it,
     * or the last one acknowledged names an unlockable database. Otherwise only when the connection's lock was
     * held before the last renewal answered alive was sent, and that renewal published its database: that renewal
     * ran before the lapse, so every drop check after the lapse finds the lock held as long as the connection's
     * session lives, and once it is gone no write of it can commit.
     */
    public boolean covers(SessionLock lock) {
        if (!lockableSent || !store.dropsEarly()) {
            return true;
        }
        java.util.Set<String> published = acknowledged;
        if (published.contains(DatabaseRegistration.UNLOCKABLE)) {
            return true;
        }
        return lock.locked() && (lock.anchored()
                || published.contains(lock.database()) && lock.lockedNanos() - acknowledgedSentNanos < 0);
    }

    /**
     * {@link #covers}, or, for a connection that is not covered because its lock was taken after the last answered
     * renewal's send (opened while the store was unreachable), whether this JVM's anchor session on the same server
     * database is shown now, by a round trip sent after the connection's lock was taken, to hold the lock it held
     * from before that send ({@link Anchors}). Then the lock was held without a gap from before that renewal ran
     * (the anchor's until now, the connection's from before now on), so every check after the lapse finds it held
     * while the connection's session lives, as for a covered connection: it is covered from then on, for the rest
     * of its session. The round trip is tried once per connection, and only here: a caller asks this before its
     * write runs, when its lease could not be placed. Never after a commit (an anchor that died before the commit
     * may have let the others drop this member and refill the cache before it; no wait afterwards undoes that):
     * those callers use {@link #covers}, which keeps the answer found here.
     */
    public boolean coversOrAnchors(SessionLock lock) {
        if (covers(lock)) {
            return true;
        }
        Anchors kept = anchors;
        // The round trip replaces a wait that ends sqlcache.fenceTimeout after the lapse: waiting for it longer
        // than that would cost more than it could spare. Past that moment the write runs at once anyway.
        long bound = nanosUntilLapse(false);
        if (kept == null || bound <= 0 || !lock.claimAnchorTry()) {
            return false;
        }
        SessionLock anchor;
        try {
            anchor = kept.heldNow(lock.database(), bound);
        } catch (RuntimeException | LinkageError e) {
            LOG.debug("sqlcache: the anchor session of a connection's database did not answer: {}", e.toString());
            return false;
        }
        // The anchor's own lock must be covered by the rule above: held before the send of a renewal answered
        // alive that published this very server database. Its lock is not registered by itself (an anchor whose
        // server database no connection of the application reached vouches for nothing the others check).
        // And on the very server instance: a promoted replica has the same entry as its old primary, whose sessions
        // (the anchor's among them) may live on, but whose lock table is another one (split brain).
        if (anchor != null && anchor.locked() && lock.database().equals(anchor.database())
                && anchor.server() != null && anchor.server().equals(lock.server()) && covers(anchor)) {
            lock.anchoredNow();
            return true;
        }
        return false;
    }

    /**
     * Sessions of this JVM's own, one per PostgreSQL server database its connections registered, each taking this
     * member's shared lock ({@link #lockKey()}) once when it opens and never releasing it, nor taking it again.
     */
    public interface Anchors {
        /**
         * Opens the anchors that are missing and replaces those that ended or stopped answering, off the caller's
         * thread; called after each answered renewal.
         */
        void keep();

        /**
         * The lock of the anchor on the server database {@code entry} names, if a round trip sent now on it finds
         * the same backend ({@code pg_backend_pid()}) holding the lock it took when it opened; else null (none
         * open, another server database, a dead or replaced session, the lock not held, or no answer within
         * {@code timeoutNanos}, which bounds the caller's wait however long the session takes).
         */
        SessionLock heldNow(String entry, long timeoutNanos);
    }

    /** Sets the anchors ({@link #coversOrAnchors}); ignored when no member can be dropped early. */
    public void anchorIn(Anchors anchors) {
        if (store.dropsEarly()) {
            this.anchors = anchors;
        }
    }

    /** Lock statements a server refused for the fingerprint's functions, here and in this JVM's own sessions. */
    public UnreadableFingerprints unreadableFingerprints() {
        return unreadableFingerprints;
    }

    /** The second key of this member's shared session lock ({@link DatabaseRegistration#LOCK_CLASS} is the first). */
    public int lockKey() {
        return DatabaseRegistration.lockKey(id);
    }

    /** Checks the other members' lapses against the databases after each answered renewal. */
    public void checkLapsedMembers(LapsedMembers.Databases databases, java.util.concurrent.Executor executor) {
        if (store.dropsEarly()) {
            lapsedMembers = new LapsedMembers(store, databases, executor, clock, description);
        }
    }

    /**
     * A membership that never joined fences nobody: its writes run unleased at once, relying on their owed ends
     * reaching the others once the store answers. After the close the store is closed and nothing delivers them,
     * so a connection still open would write unseen (review rF). It joins once now instead, so that its lapse
     * fences the others, as for a membership that joined and closes with connections open; if the store does not
     * answer, nothing changes (the limit in docs/consistency.md, "A leave with connections open").
     */
    private void joinIfSessionsOpen() {
        if (sessions.noneOpen()) {
            return;
        }
        LOG.info("sqlcache: {} closes with connections open before it ever joined: joining once so that other JVMs "
                + "stay off the cache until this JVM's membership has lapsed and it is dropped", description);
        synchronized (this) {
            renewOnce();
        }
    }

    /** Near caches may share the store: {@link #othersFenced} also waits out their lease. */
    public void nearCachesMayServe(long nearLeaseMillis) {
        nearLeaseNanos = TimeUnit.MILLISECONDS.toNanos(nearLeaseMillis);
    }

    /**
     * Stops renewing for good, then leaves, unless an invalidation is still owed: leaving would bring the fence
     * back for answers it should hide, so the membership lapses instead (the others wait sqlcache.fenceTimeout).
     * Nor while a connection is open ({@link OpenSessions}): a write it starts after the leave could not rely on
     * the lapse. The owner gives owed invalidations their chance to be delivered before it calls this.
     */
    public void leave() {
        synchronized (this) { // waits for a renewal in flight: none may land after the leave
            if (closed) {
                return;
            }
            closed = true;
        }
        // Before anything decides what this close does: a connection whose session opens after it (it acquired the
        // runtime just before the hook closed it) opens on a fresh runtime, whatever this one does (rF: one that
        // opened here on a membership that never joined ran its writes unleased with its store closed).
        sessions.refuseFromNowOn();
        if (!joinAttempted) {
            joinIfSessionsOpen();
            return;
        }
        if (!owesNothing.getAsBoolean()) {
            LOG.warn("sqlcache: leaving {} with invalidations undelivered: other JVMs stay off the cache until "
                    + "sqlcache.fenceTimeout passes", description);
            return;
        }
        // Leaving brings the fence back for the others at once: a write that starts afterwards and cannot place its
        // lease would rely on this JVM's lapse, which then fences nobody. So only with no connection left to start
        // one (and none opening from now on); else the membership lapses, as when an end is owed.
        if (!sessions.noneOpen()) {
            LOG.info("sqlcache: not leaving {} while connections are still open: other JVMs stay off the cache "
                    + "until this JVM's membership has lapsed and it is dropped", description);
            return;
        }
        // Leaving brings the fence back for the others at once, as a join does: a write still running without a
        // lease (relying on the fence staying down until its end, which after the close may never be delivered)
        // gets its lease first, or this JVM does not leave and its membership lapses instead.
        JoinGate gate = joinGate;
        if (gate != null && !gate.beforeJoin()) {
            LOG.warn("sqlcache: leaving {} with writes in flight whose leases could not be placed: other JVMs stay "
                    + "off the cache until sqlcache.fenceTimeout passes", description);
            return;
        }
        try {
            store.leave(id);
        } catch (RuntimeException | LinkageError e) {
            LOG.debug("sqlcache: leaving {} failed: {}", description, e.getMessage());
        }
    }
}
