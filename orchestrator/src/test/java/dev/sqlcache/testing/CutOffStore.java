package dev.sqlcache.testing;

import dev.sqlcache.internal.membership.MembershipStore;
import dev.sqlcache.internal.store.CacheStore;
import dev.sqlcache.internal.store.CacheStoreException;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One simulated JVM's view of a shared store, which a test can cut off (every call fails, as when the network
 * to Redis is down for that JVM alone) and reconnect. Counts the calls that reached the store.
 */
public final class CutOffStore implements CacheStore {

    private final CacheStore shared;
    private final MembershipStore membership;
    private final dev.sqlcache.internal.feed.FeedStore feed = new Feed();
    private final AtomicInteger calls = new AtomicInteger();
    private volatile boolean cutOff;
    /** Runs before every call that reaches the store: a test's way to make a round trip take (manual) time. */
    private volatile Runnable roundTrip = () -> { };
    /** Runs after a lookup's answer came, before the caller sees it. */
    private volatile Runnable lookupAnswered = () -> { };

    public CutOffStore(CacheStore shared) {
        this.shared = shared;
        this.membership = new Membership();
    }

    public void cut() {
        cutOff = true;
    }

    public void reconnect() {
        cutOff = false;
    }

    /** Makes every call that reaches the store run this first (advance a manual clock, say). */
    public void onRoundTrip(Runnable action) {
        roundTrip = action;
    }

    /**
     * Makes every lookup run this after the store answered and before the caller gets the answer: what happens
     * while the answer is on its way back (another thread's call completing, say).
     */
    public void onLookupAnswered(Runnable action) {
        lookupAnswered = action;
    }

    /** Calls that reached the shared store (failed ones not counted). */
    public int calls() {
        return calls.get();
    }

    private void reach(String operation) {
        if (cutOff) {
            throw new CacheStoreException("cut off during " + operation);
        }
        calls.incrementAndGet();
        roundTrip.run();
    }

    @Override
    public Lookup lookup(String entryKey, String[] versionKeys, long[] creation, int maxEntryBytes) {
        reach("lookup");
        Lookup answer = shared.lookup(entryKey, versionKeys, creation, maxEntryBytes);
        lookupAnswered.run();
        return answer;
    }

    @Override
    public Lookup lookup(String entryKey, String[] versionKeys, long[] creation, int maxEntryBytes,
                         boolean keepsCopy) {
        reach("lookup");
        Lookup answer = shared.lookup(entryKey, versionKeys, creation, maxEntryBytes, keepsCopy);
        lookupAnswered.run();
        return answer;
    }

    @Override
    public String[] initVersions(String[] versionKeys) {
        reach("initVersions");
        return shared.initVersions(versionKeys);
    }

    @Override
    public boolean putIfVersions(String entryKey, byte[] value, long ttlSeconds, String[] versionKeys,
                                 String[] expectedTokens) {
        reach("put");
        return shared.putIfVersions(entryKey, value, ttlSeconds, versionKeys, expectedTokens);
    }

    /** Runs once, before the next lease reaches the store: what happens while a lease is on its way. */
    public void beforeNextLease(Runnable action) {
        nextLease.set(action);
    }

    private final java.util.concurrent.atomic.AtomicReference<Runnable> nextLease =
            new java.util.concurrent.atomic.AtomicReference<>();

    @Override
    public void leaseVersions(String[] versionKeys, String[] leaseTokens, long leaseMillis) {
        reach("lease");
        Runnable before = nextLease.getAndSet(null);
        if (before != null) {
            before.run();
        }
        shared.leaseVersions(versionKeys, leaseTokens, leaseMillis);
    }

    @Override
    public void endLeases(String[] versionKeys, String[] leaseTokens, long[] ttlMillis) {
        reach("endLeases");
        shared.endLeases(versionKeys, leaseTokens, ttlMillis);
    }

    @Override
    public MembershipStore membership() {
        return membership;
    }

    @Override
    public dev.sqlcache.internal.feed.FeedStore feed() {
        return feed;
    }

    @Override
    public long deleteMatching(String pattern) {
        reach("deleteMatching");
        return shared.deleteMatching(pattern);
    }

    @Override
    public boolean ping() {
        return !cutOff && shared.ping();
    }

    @Override
    public String describe() {
        return "cut-off-able " + shared.describe();
    }

    /** The shared store outlives one JVM's view of it. */
    @Override
    public void close() {
    }

    private final class Membership implements MembershipStore {
        @Override
        public void joinTicket(String ticket, long ticketMillis) {
            reach("joinTicket");
            shared.membership().joinTicket(ticket, ticketMillis);
        }

        @Override
        public Renewal renew(String member, String joinTicket, long memberMillis, long fenceMillis, long notAfter,
                             String rememberedEpoch, String registration) {
            reach("renew");
            return shared.membership().renew(member, joinTicket, memberMillis, fenceMillis, notAfter,
                    rememberedEpoch, registration);
        }

        @Override
        public String restoreMembers(String epoch, Map<String, Long> members) {
            reach("restoreMembers");
            return shared.membership().restoreMembers(epoch, members);
        }

        @Override
        public void leave(String member) {
            reach("leave");
            shared.membership().leave(member);
        }
    }

    /** The shared feed keys, unreachable while cut off. */
    private final class Feed implements dev.sqlcache.internal.feed.FeedStore {
        @Override
        public boolean holdLease(String leaseKey, String candidate, long millis) {
            reach("holdLease");
            return shared.feed().holdLease(leaseKey, candidate, millis);
        }

        @Override
        public void releaseLease(String leaseKey, String holder) {
            reach("releaseLease");
            shared.feed().releaseLease(leaseKey, holder);
        }

        @Override
        public String leaseHolder(String leaseKey) {
            reach("leaseHolder");
            return shared.feed().leaseHolder(leaseKey);
        }

        @Override
        public boolean refreshFeedKey(String feedKey, long millis) {
            reach("refreshFeedKey");
            return shared.feed().refreshFeedKey(feedKey, millis);
        }
    }
}
