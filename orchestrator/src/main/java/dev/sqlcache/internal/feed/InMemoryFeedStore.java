package dev.sqlcache.internal.feed;

import dev.sqlcache.internal.membership.InMemoryMembershipStore;
import dev.sqlcache.internal.store.VersionTokens;

/**
 * The feed's keys in the in-process store, among its version keys (the feed key must be where lookups read it),
 * following the Redis scripts' rules on the store's clock.
 */
public final class InMemoryFeedStore implements FeedStore {

    private final InMemoryMembershipStore.Keyspace keyspace;

    public InMemoryFeedStore(InMemoryMembershipStore.Keyspace keyspace) {
        this.keyspace = keyspace;
    }

    @Override
    public boolean holdLease(String leaseKey, String candidate, long millis) {
        synchronized (keyspace.lock()) {
            String holder = keyspace.get(leaseKey);
            if (holder != null && !holder.equals(candidate)) {
                return false;
            }
            keyspace.set(leaseKey, candidate, keyspace.nowMillis() + Math.max(1, millis));
            return true;
        }
    }

    @Override
    public void releaseLease(String leaseKey, String holder) {
        synchronized (keyspace.lock()) {
            if (holder.equals(keyspace.get(leaseKey))) {
                keyspace.delete(leaseKey);
            }
        }
    }

    @Override
    public String leaseHolder(String leaseKey) {
        return keyspace.get(leaseKey);
    }

    @Override
    public boolean refreshFeedKey(String feedKey, long millis) {
        synchronized (keyspace.lock()) {
            long deadline = keyspace.nowMillis() + Math.max(1, millis);
            if (keyspace.get(feedKey) != null) {
                keyspace.expire(feedKey, deadline);
                return true;
            }
            keyspace.set(feedKey, VersionTokens.fresh(), deadline);
            return false;
        }
    }
}
