package dev.sqlcache.internal.guard;

import dev.sqlcache.internal.membership.Membership;
import dev.sqlcache.internal.membership.SessionLock;
import dev.sqlcache.internal.near.NearMember;
import dev.sqlcache.internal.store.CacheStore;
import dev.sqlcache.internal.store.VersionTokens;
import dev.sqlcache.internal.time.Clock;

/**
 * The write side of the store: leases before a write, their end after it, bumps. Never throws at the application,
 * but never lets a write's commit return while another JVM could still serve what it changed: an invalidation that
 * cannot be delivered is owed (and retried in the background), and the write waits until it lands or this JVM's
 * membership has lapsed for certain, which takes the fence down for every JVM. Bounded by the membership's lapse
 * (a few seconds, once per outage: later writes find it lapsed already). With near caches on the store, every change
 * of tokens also waits until each near cache has dropped what it made stale, or its near lease has lapsed.
 */
public final class CacheWrites {

    /** How often a write waiting for its lease or for the fence tries again. */
    private static final long RETRY_MILLIS = Redelivery.INTERVAL_MILLIS;

    private final CacheStore store;
    private final FailOpen failOpen;
    private final OwedInvalidations owed;
    private final Redelivery redelivery;
    private final Membership membership;
    private final Clock clock;
    /** Null when the store has no near caches (the in-process store). */
    private final NearMember near;
    /** The writes running without a lease, whose leases a join places first. */
    private final UnleasedWrites unleased;

    public CacheWrites(CacheStore store, FailOpen failOpen, OwedInvalidations owed, Redelivery redelivery,
                       Membership membership, NearMember near, UnleasedWrites unleased, Clock clock) {
        this.near = near;
        this.unleased = unleased;
        this.store = store;
        this.failOpen = failOpen;
        this.owed = owed;
        this.redelivery = redelivery;
        this.membership = membership;
        this.clock = clock;
    }

    /**
     * Registers a connection's database with this JVM's membership and takes its shared session lock (once per
     * physical connection): what its writes may rely on when the store cannot be reached ({@link Membership#covers}).
     */
    public SessionLock lockSession(String database, Membership.SharedLock lock) {
        return membership.lockSession(database, lock);
    }

    /** Lock statements a server refused because of a fingerprint function ({@link Membership#unreadableFingerprints()}). */
    public long unreadableFingerprints() {
        return membership.unreadableFingerprints().count();
    }

    /**
     * Leases the keys before a write runs and returns the lease tokens. Tried even in back-off: a write that could
     * have told Redis, and did not, leaves other JVMs an old answer. When the call fails the lease may still have
     * landed (the answer was lost); the write's end ends it by its token either way.
     */
    public String[] lease(String[] versionKeys, long leaseMillis) {
        return lease(versionKeys, leaseMillis, SessionLock.NONE);
    }

    /**
     * {@link #lease(String[], long)} for a write on a connection holding {@code lock}: what it may rely on when
     * the lease cannot be placed ({@link Membership#covers}).
     */
    public String[] lease(String[] versionKeys, long leaseMillis, SessionLock lock) {
        String[] tokens = freshLeases(versionKeys.length, leaseMillis);
        // Tokens of its own, one per key: registered by token when it runs unleased, ended by them.
        lease(versionKeys, tokens, leaseMillis, lock, true);
        return tokens;
    }

    /**
     * The leases of one auto-commit write: its tokens, and whether its lease script ran and every near cache it
     * named acknowledged it (or lapsed) before the write runs, which lets its end tell nobody when it finds each
     * key still holding its lease ({@link #endWrite}).
     */
    public record WriteLeases(String[] tokens, boolean acknowledged, String[] runs) {
    }

    /** {@link #lease(String[], long, SessionLock)} for an auto-commit write, whose end is {@link #endWrite}. */
    public WriteLeases leaseWrite(String[] versionKeys, long leaseMillis, SessionLock lock) {
        String[] tokens = freshLeases(versionKeys.length, leaseMillis);
        CacheStore.Recipients acknowledged = lease(versionKeys, tokens, leaseMillis, lock, true);
        return new WriteLeases(tokens, acknowledged != null, acknowledged == null ? null : acknowledged.runs());
    }

    private static String[] freshLeases(int count, long leaseMillis) {
        String[] tokens = new String[count];
        for (int i = 0; i < count; i++) {
            tokens[i] = VersionTokens.freshLease(leaseMillis);
        }
        return tokens;
    }

    /**
     * A transaction's leases placed again ({@code keys} with their current {@code tokens}), returning the tokens
     * now placed. Each key keeps its token, so the lease is extended rather than joined by a second holder: the
     * transaction's end removes the token it knows, and no earlier holder is left behind to keep the table leased
     * until it expires (up to {@code sqlcache.writeLease} after the commit when a join's gate placed it late). A
     * key without a token, and the write sequence (whose token seeds a new epoch should the key be lost: a reused
     * one could repeat a value a snapshot pinned), get fresh ones.
     */
    public String[] leaseAgain(String[] versionKeys, String[] tokens, long leaseMillis, SessionLock lock) {
        String[] again = new String[versionKeys.length];
        for (int i = 0; i < again.length; i++) {
            boolean reusable = tokens != null && tokens[i] != null && !CacheStore.isSequence(versionKeys[i]);
            again[i] = reusable ? tokens[i] : VersionTokens.freshLease();
        }
        // Registered under the same tokens if it runs unleased; the join's gate then places them, which extends.
        lease(versionKeys, again, leaseMillis, lock, true);
        if (tokens != null) {
            // Replaced sequence tokens only advance the sequence when placed: nothing to place for them any more.
            String[] replaced = new String[tokens.length];
            for (int i = 0; i < tokens.length; i++) {
                replaced[i] = tokens[i] == again[i] ? null : tokens[i];
            }
            unleased.forget(replaced);
        }
        return again;
    }

    /**
     * {@link #lease(String[], long)} with tokens the caller chose (each must start with the lease prefix). Not
     * registered when it runs unleased: a skip permit's lease, whose tables no JVM caches.
     *
     * @return whether the lease script ran once, answered, on its first attempt: only then were the tokens placed
     *         exactly once. After a failed attempt (or one the client retried within itself) an earlier attempt may
     *         still land, late, and place them again over a key lost meanwhile (review rK: a skip permit must then
     *         not be trusted)
     */
    public boolean lease(String[] versionKeys, String[] tokens, long leaseMillis) {
        return lease(versionKeys, tokens, leaseMillis, SessionLock.NONE, false) != null;
    }

    /**
     * @return the lease script's answer when it ran once, answered, and its recipients were waited for (null when the
     *         write runs unleased or once others are fenced: then nobody acknowledged a notice of this lease, though
     *         it may have landed; null too when an attempt failed before one was answered, see below)
     */
    private CacheStore.Recipients lease(String[] versionKeys, String[] tokens, long leaseMillis, SessionLock lock,
                          boolean register) {
        boolean covered = membership.covers(lock);
        if (versionKeys.length == 0) {
            return null;
        }
        NearMember.Change change = near == null ? null : near.changing(versionKeys);
        boolean failedAttempt = false;
        try {
            CacheStore.Recipients recipients;
            if (nobodyToTell(covered) && runsUnleased(() -> nobodyToTell(covered), register, versionKeys, tokens,
                    leaseMillis)) {
                recipients = null;
            } else {
                try {
                    long reconnects = store.reconnects();
                    recipients = leaseVersions(versionKeys, tokens, leaseMillis, change);
                    // The store's client retries once, on a fresh connection, a command whose connection died
                    // (RedisCommands.run): answered by the retry, yet the first attempt may have carried the
                    // script to the server and land late, as a failed attempt may (below; review rS of hS).
                    failedAttempt = store.reconnects() != reconnects;
                    answeredDuringBackoff();
                } catch (RuntimeException | LinkageError e) {
                    failOpen.failed("lease", e);
                    failedAttempt = true;
                    // No landed lease, and the write has not run: the one moment a connection opened during an
                    // outage may show its lock anchored (one round trip on this JVM's anchor session, once per
                    // connection), so that it waits for the lapse alone instead of sqlcache.fenceTimeout after it.
                    boolean anchored = covered || membership.coversOrAnchors(lock);
                    recipients = leaseOrWaitForFence(versionKeys, tokens, leaseMillis, change, anchored, register);
                }
            }
            if (change != null) {
                // Near caches must stop serving the table before the write runs, as readers of the store do.
                near.await(change, recipients == null ? CacheStore.Recipients.NONE : recipients);
            }
            // A failed attempt may still land, and late (its request retransmitted after the retry was answered,
            // while the write runs): it places the same tokens again, over a key that was lost meanwhile and that a
            // reader re-created and copied from, and nobody waits for its notice. The end then finds its tokens and
            // cannot tell: it must tell the near caches, and wait, as every end did (review rW of hW).
            return failedAttempt ? null : recipients;
        } finally {
            if (change != null) {
                near.done(change);
            }
        }
    }

    /**
     * Whether a write may leave the store alone (its end is owed instead, delivered in the background): the store
     * failed, and no JVM can serve from the cache on this one's account, since its membership has lapsed for
     * certain (the fence is down everywhere, and stays down until this JVM has delivered what it owes and joined
     * again) or it never joined. Telling the store could then prevent nothing, and an attempt would cost the
     * application a timeout per write while Redis is frozen or unreachable.
     */
    private boolean nobodyToTell(boolean covered) {
        return failOpen.failing() && membership.lapsedOrNeverJoined(covered);
    }

    /**
     * Whether a write that found nobody to tell may run without its lease: decided again under the gate's lock
     * and registered there, so that a join either sees it (and places its lease first) or was announced before
     * (and the write, finding the membership no longer lapsed, leases as usual).
     */
    private boolean runsUnleased(java.util.function.BooleanSupplier stillUnleased, boolean register,
                                 String[] versionKeys, String[] tokens, long leaseMillis) {
        return !register || unleased.register(stillUnleased, versionKeys, tokens, leaseMillis);
    }

    private CacheStore.Recipients leaseVersions(String[] versionKeys, String[] tokens, long leaseMillis,
                                                NearMember.Change change) {
        if (change == null) {
            store.leaseVersions(versionKeys, tokens, leaseMillis);
            return CacheStore.Recipients.NONE;
        }
        return store.leaseVersions(versionKeys, tokens, leaseMillis, change.notice());
    }

    /**
     * The lease could not be placed, so other JVMs would not know this write is coming. It runs only once they
     * cannot serve the old answer any more: the lease landed on a retry (the store answers again: its recipients),
     * or this JVM's membership has lapsed for certain (null).
     */
    private CacheStore.Recipients leaseOrWaitForFence(String[] versionKeys, String[] tokens, long leaseMillis,
                                                      NearMember.Change change, boolean covered,
                                                      boolean register) {
        long waitStart = clock.nanoTime();
        long attemptNanos = 0;
        if (!membership.othersFenced(waitStart, covered)) {
            failOpen.waitingForFence();
        }
        while (!(membership.othersFenced(waitStart, covered) && runsUnleased(
                () -> membership.othersFenced(waitStart, covered), register, versionKeys, tokens, leaseMillis))) {
            clock.pause(RETRY_MILLIS);
            if (membership.nanosUntilLapse(covered) < attemptNanos) {
                // The last attempt timed out, and another would outlast the membership: wait for the lapse alone.
                continue;
            }
            long attemptStart = clock.nanoTime();
            try {
                CacheStore.Recipients recipients = leaseVersions(versionKeys, tokens, leaseMillis, change);
                answeredDuringBackoff();
                return recipients;
            } catch (RuntimeException | LinkageError retry) {
                failOpen.retryFailed();
                attemptNanos = clock.nanoTime() - attemptStart;
            }
        }
        // Others are fenced: nobody's acknowledgement was collected, though an earlier attempt may have landed.
        return null;
    }

    /**
     * The store answered a write's lease while this JVM was in back-off: leave it now, as a delivered invalidation
     * would, rather than after up to the longest back-off. A write that waited for its lease owes nothing
     * afterwards, so no redelivery would end the back-off, and readers would stay off the cache until it expires.
     */
    private void answeredDuringBackoff() {
        if (failOpen.failing()) {
            redelivery.recover(true);
        }
    }

    /**
     * Ends a write's leases once it has committed or rolled back, so that its tables are cached again at once. If
     * the store cannot be reached the leases stay (keeping every JVM away from the old entries until they expire)
     * and fresh tokens are owed, delivered as soon as the store answers.
     *
     * @param leaseTokens what {@link #lease} returned; {@code null} entries where none was taken
     * @param ttlMillis   per key, how long its fresh token lives (0, or a null array: no expiry)
     */
    public void endLeases(String[] versionKeys, String[] leaseTokens, long[] ttlMillis) {
        endLeases(versionKeys, leaseTokens, ttlMillis, SessionLock.NONE);
    }

    /** {@link #endLeases(String[], String[], long[])} for a write on a connection holding {@code lock}. */
    public void endLeases(String[] versionKeys, String[] leaseTokens, long[] ttlMillis, SessionLock lock) {
        endLeases(versionKeys, leaseTokens, ttlMillis, lock, false, null);
    }

    /**
     * Ends the leases of one auto-commit write ({@link #leaseWrite}: its tokens, and whether they were
     * {@link WriteLeases#acknowledged}). When they were acknowledged, and each key
     * still holds its lease, the end tells no near cache and waits for none: nothing could have copied what the
     * write changed since its lease (docs/consistency.md, "An end with nothing to tell").
     */
    public void endWrite(String[] versionKeys, String[] leaseTokens, boolean acknowledged, String[] runs,
                         long[] ttlMillis, SessionLock lock) {
        endLeases(versionKeys, leaseTokens, ttlMillis, lock, acknowledged, runs);
    }

    private void endLeases(String[] versionKeys, String[] leaseTokens, long[] ttlMillis, SessionLock lock,
                           boolean acknowledged, String[] runs) {
        if (versionKeys.length == 0) {
            return;
        }
        boolean covered = membership.covers(lock);
        NearMember.Change change = near == null ? null : near.changing(versionKeys, acknowledged, runs);
        try {
            // A write that ran unleased stays registered until its end has landed or is owed (UnleasedWrites).
            CacheStore.Recipients recipients = unleased.mayHold()
                    ? unleased.ending(leaseTokens, () -> endOrOwe(versionKeys, leaseTokens, ttlMillis, change, covered))
                    : endOrOwe(versionKeys, leaseTokens, ttlMillis, change, covered);
            if (recipients == null) {
                redelivery.schedule();
                // The lease may not cover the write any more (it expired in a long transaction, it never landed,
                // or it was flushed), and the commit is about to return: like a bump, wait until the end is
                // delivered or this JVM's membership has lapsed (it does not renew while it owes), so no JVM
                // serves the old answer.
                waitForDeliveryOrFence(versionKeys, covered);
                return;
            }
            if (change != null) {
                near.await(change, recipients);
            }
        } finally {
            if (change != null) {
                near.done(change);
            }
        }
    }

    /** Delivers a write's end, or owes it: returns null when it is owed. */
    private CacheStore.Recipients endOrOwe(String[] versionKeys, String[] leaseTokens, long[] ttlMillis,
                                           NearMember.Change change, boolean covered) {
        if (nobodyToTell(covered)) {
            owed.owe(versionKeys, leaseTokens, ttlMillis);
            return null;
        }
        try {
            CacheStore.Recipients recipients = endLeases(versionKeys, leaseTokens, ttlMillis, change);
            return recipients == null ? CacheStore.Recipients.NONE : recipients;
        } catch (RuntimeException | LinkageError e) {
            owed.owe(versionKeys, leaseTokens, ttlMillis);
            failOpen.failed("end lease", e);
            return null;
        }
    }

    private CacheStore.Recipients endLeases(String[] versionKeys, String[] leaseTokens, long[] ttlMillis,
                                            NearMember.Change change) {
        if (change == null) {
            store.endLeases(versionKeys, leaseTokens, ttlMillis);
            return CacheStore.Recipients.NONE;
        }
        return store.endLeases(versionKeys, leaseTokens, ttlMillis, change.notice());
    }

    /**
     * Invalidates by giving each version key a fresh token. When the store cannot be reached the keys are owed
     * and the cache stays off in this JVM until they are delivered.
     *
     * @return whether the store has the fresh tokens now (false: owed; whoever must not act before the store has
     *         them, like the change feed confirming its position, waits)
     */
    public boolean bump(String[] versionKeys, long[] ttlMillis) {
        // Not tied to a connection: no session lock vouches for it (Membership.covers).
        return bump(versionKeys, ttlMillis, SessionLock.NONE);
    }

    /** {@link #bump(String[], long[])} for a write on a connection holding {@code lock}. */
    public boolean bump(String[] versionKeys, long[] ttlMillis, SessionLock lock) {
        boolean covered = membership.covers(lock);
        if (failOpen.failing() || !owed.isEmpty()) {
            // Deliver in order: never let a later bump succeed while an earlier one is still owed.
            if (near != null && near.cache() != null) {
                near.cache().invalidate(versionKeys);
            }
            owed.owe(versionKeys, null, ttlMillis);
            redelivery.schedule();
            redelivery.available();
            waitForDeliveryOrFence(versionKeys, covered);
            return owed.isEmpty();
        }
        NearMember.Change change = near == null ? null : near.changing(versionKeys);
        try {
            CacheStore.Recipients recipients = endLeases(versionKeys, null, ttlMillis, change);
            if (change != null) {
                near.await(change, recipients);
            }
            return true;
        } catch (RuntimeException | LinkageError e) {
            owed.owe(versionKeys, null, ttlMillis);
            failOpen.failed("invalidate", e);
            redelivery.schedule();
            waitForDeliveryOrFence(versionKeys, covered);
            return owed.isEmpty();
        } finally {
            if (change != null) {
                near.done(change);
            }
        }
    }

    /**
     * Waits until owed invalidations are delivered or this JVM's membership has lapsed for certain. Delivered in
     * the background, nobody collected the near caches' acknowledgements: then it also waits out their leases.
     */
    private void waitForDeliveryOrFence(String[] versionKeys, boolean covered) {
        long waitStart = clock.nanoTime();
        if (!owed.isEmpty() && !membership.othersFenced(waitStart, covered)) {
            failOpen.waitingForFence();
        }
        while (!owed.isEmpty() && !membership.othersFenced(waitStart, covered)) {
            clock.pause(RETRY_MILLIS);
        }
        if (near != null) {
            // Delivered in the background: copies this JVM took meanwhile from the old entry go (its own notice
            // reaches nobody here when no other holder is live). Undelivered: reads stay off while it is owed.
            near.changed(versionKeys);
            if (owed.isEmpty()) {
                near.waitOutLeases();
            }
        }
    }
}
