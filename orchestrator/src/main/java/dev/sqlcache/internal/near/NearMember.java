package dev.sqlcache.internal.near;

import dev.sqlcache.internal.store.CacheStore;
import dev.sqlcache.internal.store.NearChannel;
import dev.sqlcache.internal.store.VersionTokens;
import dev.sqlcache.internal.time.Clock;
import dev.sqlcache.internal.time.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One runtime's part in keeping near caches coherent, both ways.
 *
 * <p>As a <em>holder</em> (when this JVM keeps a {@link NearCache}): a listener thread subscribed to the store's
 * notice channel drops what each notice makes stale and acknowledges it to its writer; every
 * {@link #RENEW_MILLIS} the near lease is renewed, and the renewal's marker, published after every earlier notice,
 * lets copies be served until {@link #LEASE_MILLIS} after the renewal was <em>sent</em>, once it arrives. A
 * subscription that dies (or silently stops delivering: markers stop arriving) is replaced and every copy dropped.
 *
 * <p>As a <em>writer</em> (every runtime on a store with near caches): before a change of tokens this JVM's own copies
 * go; after it, the writer waits until each other near member live at that moment has acknowledged, or its near
 * lease has lapsed (store clock, converted to a local wait). So once a write's commit returns, no near cache serves
 * what it changed. Thread-safe.
 */
public final class NearMember implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(NearMember.class);
    /** How long a renewal lets copies be served, and the longest a writer waits for a member that does not answer. */
    public static final long LEASE_MILLIS = 1000;
    static final long RENEW_MILLIS = 250;
    /** Clock-rate differences and scheduling: the holder stops this much earlier than its lease lapses in the store. */
    private static final long MARGIN_NANOS = TimeUnit.MILLISECONDS.toNanos(LEASE_MILLIS / 20 + 20);
    /** After a lost subscription, the wait before subscribing again; doubled while it keeps failing. */
    private static final long RESUBSCRIBE_MILLIS = 100;
    private static final long MAX_RESUBSCRIBE_MILLIS = 5000;

    private final String id = VersionTokens.fresh();
    private final NearChannel channel;
    /** Null when this JVM keeps no copies: it only writes, and waits for those that do. */
    private final NearCache cache;
    private final Clock clock;
    private final dev.sqlcache.internal.config.NearStaleness staleness;
    /** Runs renewals and the deferred drops of bounded-staleness tables; set by {@link #start}. */
    private volatile Scheduler scheduler;
    private final String ackChannel;
    private final Map<String, Change> changes = new ConcurrentHashMap<>();
    /**
     * Renewals sent and not yet seen back, by number: a random nonce (a marker must name it, so that no one who can
     * merely publish on the channel can extend this lease) and the nanoTime it was sent.
     */
    private final ConcurrentSkipListMap<Long, Sent> renewals = new ConcurrentSkipListMap<>();

    private record Sent(String nonce, long nanos) {
    }

    private static final java.security.SecureRandom NONCES = new java.security.SecureRandom();
    private long nonces;
    private volatile long lastRenewalSentNanos;
    private volatile long lastMarkerNanos;
    private volatile boolean subscribed;
    private volatile boolean closed;
    private volatile String fence;
    /**
     * When this JVM last knew of a holder ({@link Clock#nanoTime()}): a change found one other than itself, or its
     * own near cache received a lease. A writer that finds the holders' set missing waits out a lease only then.
     */
    private volatile long holdersSeenNanos;
    private static final String EVERYTHING = NearCache.EVERYTHING;
    private final AtomicBoolean listening = new AtomicBoolean();
    private final java.util.concurrent.ThreadPoolExecutor acknowledgements;

    public NearMember(NearChannel channel, NearCache cache, Clock clock) {
        this(channel, cache, dev.sqlcache.internal.config.NearStaleness.strict(), clock);
    }

    /** @param staleness how long copies of some tables may outlive other JVMs' writes (strict by default) */
    public NearMember(NearChannel channel, NearCache cache, dev.sqlcache.internal.config.NearStaleness staleness,
                      Clock clock) {
        this.channel = channel;
        this.cache = cache;
        this.staleness = staleness;
        this.clock = clock;
        this.ackChannel = NearChannel.acknowledgements(id);
        this.holdersSeenNanos = clock.nanoTime() - TimeUnit.HOURS.toNanos(1);
        this.acknowledgements = new java.util.concurrent.ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
                new java.util.concurrent.ArrayBlockingQueue<>(4096), Scheduler.daemonThreads("sqlcache-near-ack"),
                new java.util.concurrent.ThreadPoolExecutor.DiscardPolicy());
    }

    /** This JVM's copies, or {@code null} when it keeps none. */
    public NearCache cache() {
        return cache;
    }

    /** Subscribes, and renews on the scheduler when this JVM keeps copies. */
    public void start(Scheduler scheduler) {
        this.scheduler = scheduler;
        // Even without copies of its own: a writer hears the acknowledgements of those who keep them.
        listen();
        if (cache != null) {
            scheduler.repeat(this::renew, RENEW_MILLIS);
        }
    }

    // ---- writer side

    /** A change of tokens in progress: its notice and the acknowledgements received so far. */
    public final class Change {
        private final CacheStore.Notice notice;
        private final java.util.Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        private final String[] versionKeys;

        private Change(String[] versionKeys, boolean afterAcknowledgedLease, String[] runs) {
            this.versionKeys = versionKeys;
            this.notice = new CacheStore.Notice(id, VersionTokens.fresh(), afterAcknowledgedLease, runs);
        }

        public CacheStore.Notice notice() {
            return notice;
        }

        private synchronized void acknowledgedBy(String member) {
            acknowledged.add(member);
            notifyAll();
        }
    }

    /**
     * Before a change of tokens: this JVM's copies of those keys go now, and acknowledgements of the change are
     * collected from now on (they may arrive before the store's answer does).
     */
    public Change changing(String[] versionKeys) {
        return changing(versionKeys, false, null);
    }

    /**
     * {@link #changing(String[])} for the end of a write whose lease every near cache acknowledged before it ran
     * ({@link CacheStore.Notice#afterAcknowledgedLease}), with the held runs its lease answered
     * ({@link CacheStore.Notice#runs}).
     */
    public Change changing(String[] versionKeys, boolean afterAcknowledgedLease, String[] runs) {
        changed(versionKeys);
        Change change = new Change(versionKeys, afterAcknowledgedLease, runs);
        changes.put(change.notice.id(), change);
        return change;
    }

    /**
     * This JVM's copies of these keys go. Called before a change is sent and again once the store has run it: a
     * read of this JVM that took its tag between the two may have found the old entry under a token the change
     * had not yet replaced (no lease guarded the key: a bump, or a lease lost to an eviction or a flush), and no
     * notice of its own change reaches this JVM's copies in time (none is published when it is the only holder).
     */
    public void changed(String[] versionKeys) {
        if (cache != null) {
            cache.invalidate(versionKeys);
        }
    }

    /**
     * After the store ran the change: this JVM's copies of its keys go again, then it waits until every other
     * near member it reported has acknowledged, or its near lease has lapsed. Bounded by {@link #LEASE_MILLIS}
     * plus a margin, whatever the lapses the store reported (its clock may have stepped).
     */
    public void await(Change change, CacheStore.Recipients recipients) {
        try {
            changed(change.versionKeys);
            if (recipients.none()) {
                return;
            }
            if (recipients.storeMillis() < 0) {
                // Holders nobody could name (the set was lost) or tell (the notice was refused): their leases
                // end within one lease at most, and each drops every copy when it renews.
                if (recipients == CacheStore.Recipients.UNTOLD
                        || clock.nanoTime() - holdersSeenNanos < TimeUnit.MINUTES.toNanos(10)) {
                    clock.pause(LEASE_MILLIS + TimeUnit.NANOSECONDS.toMillis(MARGIN_NANOS));
                }
                return;
            }
            long answered = clock.nanoTime();
            long deadline = answered;
            boolean others = false;
            for (int i = 0; i < recipients.members().length; i++) {
                if (!recipients.members()[i].equals(id)) {
                    others = true;
                    deadline = Math.max(deadline, answered + TimeUnit.MILLISECONDS.toNanos(left(recipients, i))
                            + MARGIN_NANOS);
                }
            }
            if (!others) {
                return;
            }
            holdersSeenNanos = answered;
            listen(); // a writer that keeps no copies still hears its acknowledgements
            synchronized (change) {
                while (!allAcknowledged(change, recipients, answered)) {
                    long wait = deadline - clock.nanoTime();
                    if (wait <= 0) {
                        return;
                    }
                    try {
                        TimeUnit.NANOSECONDS.timedWait(change, Math.min(wait, TimeUnit.MILLISECONDS.toNanos(5)));
                    } catch (InterruptedException e) {
                        // The wait is what keeps other JVMs from serving the old answer: finish it, then re-assert.
                        Thread.currentThread().interrupt();
                        clock.pause(TimeUnit.NANOSECONDS.toMillis(Math.max(0, deadline - clock.nanoTime())) + 1);
                        return;
                    }
                }
            }
        } finally {
            done(change);
        }
    }

    /** Whether each other member has acknowledged or has lapsed by now (judged from the store's answer). */
    private boolean allAcknowledged(Change change, CacheStore.Recipients recipients, long answeredNanos) {
        long now = clock.nanoTime();
        for (int i = 0; i < recipients.members().length; i++) {
            String member = recipients.members()[i];
            if (member.equals(id) || change.acknowledged.contains(member)) {
                continue;
            }
            if (now - (answeredNanos + TimeUnit.MILLISECONDS.toNanos(left(recipients, i)) + MARGIN_NANOS) < 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * How long member {@code i} may still serve after the store's answer: what its lapse says, but never more
     * than one near lease. The renewal that set that lapse was sent before the change ran (else its marker would
     * follow the notice), and a holder serves at most one lease from sending it; a lapse further ahead only means
     * the store's clock stepped back since, and must not hold writes.
     */
    public static long left(CacheStore.Recipients recipients, int i) {
        return Math.min(LEASE_MILLIS, Math.max(0, recipients.lapses()[i] - recipients.storeMillis()));
    }

    /** The change failed or was waited for: stop collecting its acknowledgements. */
    public void done(Change change) {
        changes.remove(change.notice.id());
    }

    /**
     * A change reached the store but its acknowledgements could not be collected (it was delivered later, in the
     * background): waits until every near lease live when it ran has lapsed or been renewed behind it.
     */
    public void waitOutLeases() {
        boolean others;
        try {
            others = channel.othersLive(id);
        } catch (RuntimeException e) {
            others = true; // cannot tell: assume the worst
        }
        if (others) {
            clock.pause(LEASE_MILLIS + TimeUnit.NANOSECONDS.toMillis(MARGIN_NANOS));
        }
    }

    /**
     * Makes every near cache on the store drop every copy, this JVM's at once, and returns once each live holder
     * has acknowledged or its lease has lapsed: for a flush of the store.
     */
    public void clearEverywhere() {
        listen();
        long deadline = clock.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2 * LEASE_MILLIS);
        while (!subscribed && clock.nanoTime() - deadline < 0) {
            clock.pause(5); // acknowledgements arriving before the subscription would be lost
        }
        Change change = changing(new String[] {EVERYTHING});
        await(change, channel.notify(new String[] {EVERYTHING}, change.notice()));
    }

    // ---- holder side

    /** Starts the listener thread, once. */
    private void listen() {
        if (!closed && listening.compareAndSet(false, true)) {
            Thread thread = Scheduler.daemonThreads("sqlcache-near " + id).newThread(this::listenLoop);
            thread.start();
        }
    }

    private void listenLoop() {
        String[] channels = cache != null ? new String[] {NearChannel.NOTICE_CHANNEL, ackChannel}
                : new String[] {ackChannel};
        boolean logged = false;
        long pause = RESUBSCRIBE_MILLIS;
        while (!closed) {
            try {
                channel.listen(new NearChannel.Listener() {
                    @Override
                    public void subscribed() {
                        NearMember.this.subscribed();
                    }

                    @Override
                    public void message(String from, String message) {
                        received(from, message);
                    }
                }, channels);
            } catch (RuntimeException e) {
                String denied = dev.sqlcache.internal.store.RedisFailures.permissionDenial(e);
                if (!logged) {
                    logged = true;
                    if (denied != null) {
                        LOG.warn("sqlcache: the near cache is off: Redis refused its subscription ({}); grant "
                                + "+subscribe +publish &sql:_near:* (docs/configuration.md, \"Securing Redis\")", denied);
                    } else {
                        LOG.info("sqlcache: near-cache subscription lost ({}); copies are dropped and it is renewed",
                                e.getMessage());
                    }
                }
                LOG.debug("sqlcache: near-cache subscription lost", e);
            }
            boolean wasSubscribed = subscribed;
            unsubscribed();
            pause = wasSubscribed ? RESUBSCRIBE_MILLIS : Math.min(pause * 2, MAX_RESUBSCRIBE_MILLIS);
            if (!closed) {
                clock.pause(pause);
            }
        }
    }

    private void subscribed() {
        if (cache != null) {
            // Notices published while no subscription was live are lost: nothing kept from before can be trusted.
            cache.clear();
        }
        lastMarkerNanos = clock.nanoTime();
        subscribed = true;
    }

    private void unsubscribed() {
        subscribed = false;
        if (cache != null) {
            cache.stopServing();
            cache.clear();
        }
    }

    void received(String from, String message) {
        if (from.equals(ackChannel)) {
            int split = message.indexOf('\n');
            if (split > 0) {
                Change change = changes.get(message.substring(0, split));
                if (change != null) {
                    change.acknowledgedBy(message.substring(split + 1));
                }
            }
            return;
        }
        String[] parts = message.split("\n", -1);
        if (parts.length >= 3 && parts[0].equals("N")) {
            notice(parts);
        } else if (parts.length == 5 && parts[0].equals("R") && parts[1].equals(id)) {
            marker(parts[2], parts[3], parts[4].equals("1"));
        }
    }

    /** {@code N, writer, notice id, key...}: drop, then acknowledge (never before the drop). */
    private void notice(String[] parts) {
        if (cache == null) {
            return;
        }
        java.util.List<String> keys = java.util.Arrays.asList(parts).subList(3, parts.length);
        String writer = parts[1];
        if (staleness.strictEverywhere() || writer.equals(id) || keys.contains(EVERYTHING)) {
            cache.invalidate(keys);
        } else {
            dropWithinStaleness(keys);
        }
        if (!writer.isEmpty() && !writer.equals(id)) {
            String noticeId = parts[2];
            acknowledgements.execute(() -> {
                try {
                    channel.acknowledge(writer, noticeId, id);
                } catch (RuntimeException e) {
                    // The writer waits for this member's lease to lapse instead.
                    LOG.debug("sqlcache: near-cache acknowledgement failed: {}", e.getMessage());
                }
            });
        }
    }

    /**
     * Another JVM's write: keys of tables opted into bounded staleness are dropped that much later (a copy of a query
     * over several tables depends on each table's keys, so the strictest of them decides), the rest now.
     */
    private void dropWithinStaleness(java.util.List<String> keys) {
        java.util.List<String> now = new java.util.ArrayList<>(keys.size());
        Scheduler later = scheduler;
        for (String key : keys) {
            long millis = later == null ? 0 : staleness.millisFor(tableOf(key));
            if (millis > 0) {
                later.schedule(() -> cache.invalidate(new String[] {key}), millis);
            } else {
                now.add(key);
            }
        }
        cache.invalidate(now);
    }

    /** The table a version key belongs to ({@code sql:<table>:version:...}); "" for the database's. */
    static String tableOf(String versionKey) {
        int end = versionKey.indexOf(":version:");
        return versionKey.startsWith("sql:") && end > 4 ? versionKey.substring(4, end) : "";
    }

    /** This member's renewal came back through the subscription: every notice before it has been handled. */
    private void marker(String nonceText, String currentFence, boolean continuous) {
        int colon = nonceText.indexOf(':');
        long number;
        try {
            number = Long.parseLong(nonceText.substring(0, Math.max(colon, 0)));
        } catch (NumberFormatException e) {
            return;
        }
        Sent renewal = renewals.get(number);
        if (renewal == null || !renewal.nonce.equals(nonceText)) {
            return;
        }
        long sent = renewal.nanos;
        renewals.headMap(number, true).clear();
        lastMarkerNanos = clock.nanoTime();
        if (!currentFence.equals(fence)) {
            // A member lapsed, or the store restarted: copies made under the old fence may hide writes.
            cache.clear();
            fence = currentFence;
        } else if (!continuous || !cache.serving()) {
            // The lease lapsed (or never began), here or in the store's set: writers meanwhile may have left this
            // member out.
            cache.clear();
        }
        holdersSeenNanos = lastMarkerNanos;
        if (currentFence.isEmpty()) {
            cache.stopServing();
        } else {
            cache.servesUntil(sent + TimeUnit.MILLISECONDS.toNanos(LEASE_MILLIS) - MARGIN_NANOS);
        }
    }

    /** Renews the near lease, unless the subscription is down or has stopped delivering. */
    void renew() {
        if (closed || !subscribed) {
            return;
        }
        long now = clock.nanoTime();
        long sent = lastRenewalSentNanos;
        if (sent != 0 && lastMarkerNanos - sent < 0
                && now - sent > TimeUnit.MILLISECONDS.toNanos(2 * LEASE_MILLIS)) {
            // Renewals go out but their markers do not come back: the subscription is dead or on another server.
            // Stop renewing (writers stop waiting for this member once its lease lapses) and subscribe again.
            LOG.debug("sqlcache: near-cache markers stopped arriving; subscribing again");
            channel.stopListening();
            return;
        }
        long number = ++nonces;
        String nonce = number + ":" + Long.toHexString(NONCES.nextLong());
        renewals.put(number, new Sent(nonce, now));
        if (renewals.size() > 64) {
            renewals.pollFirstEntry();
        }
        lastRenewalSentNanos = now;
        try {
            channel.renew(id, LEASE_MILLIS, nonce);
        } catch (RuntimeException e) {
            LOG.debug("sqlcache: near-cache renewal failed: {}", e.getMessage());
        }
    }

    @Override
    public void close() {
        closed = true;
        if (cache != null) {
            cache.stopServing();
            try {
                channel.leave(id);
            } catch (RuntimeException e) {
                LOG.debug("sqlcache: leaving the near members failed: {}", e.getMessage());
            }
        }
        channel.stopListening();
        acknowledgements.shutdownNow();
    }

    public String id() {
        return id;
    }

}
