package dev.sqlcache.internal.store;

import static dev.sqlcache.internal.store.FullRedisExtension.LEASE_MILLIS;
import static dev.sqlcache.internal.store.FullRedisExtension.TABLE;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A full Redis (maxmemory reached, noeviction) refuses the lease scripts' {@code SET}, and the store then deletes
 * the version keys instead: a deleted token is recreated fresh, so no entry recorded under an older token can match
 * again (RedisOutOfMemoryTest). That part is sound: tokens are random and never come back. What the plain deletion
 * did not keep is the other rule of leases: one write's end (or a bump) never uncovers another write still in flight
 * (docs/consistency.md, "Writes that overlap on a key"). Deleting a key that held another write's lease let a reader,
 * once memory was freed, recreate the token and cache what the database showed before that write's commit, served
 * after it until that write's end, or until the entry's TTL when that end was lost (what a lease is for).
 */
class OutOfMemoryLeaseCoverTest {

    @RegisterExtension
    static final FullRedisExtension redis = new FullRedisExtension();

    @Test
    void anEndOnAFullRedisLeavesAnotherWriteInFlightCovered() {
        try (RedisCacheStore store = redis.store()) {
            store.initVersions(TABLE);
            String[] first = store.leaseVersions(TABLE, LEASE_MILLIS);
            String[] second = store.leaseVersions(TABLE, LEASE_MILLIS);
            redis.full();

            store.endLeases(TABLE, second);

            String token = redis.readerFinds(store);
            assertTrue(token.startsWith(CacheStore.LEASE_PREFIX),
                    "the first write is still in flight, yet its table reads " + token + ": a reader caches under it");
            store.endLeases(TABLE, first);
            assertFalse(store.initVersions(TABLE)[0].startsWith(CacheStore.LEASE_PREFIX), "both ended");
        }
    }

    @Test
    void aBumpOnAFullRedisLeavesAWriteInFlightCovered() {
        try (RedisCacheStore store = redis.store()) {
            store.initVersions(TABLE);
            String[] lease = store.leaseVersions(TABLE, LEASE_MILLIS);
            redis.full();

            store.bumpVersions(TABLE); // an owed invalidation landing, the admin tool's invalidate

            String token = redis.readerFinds(store);
            assertTrue(token.startsWith(CacheStore.LEASE_PREFIX),
                    "the write is still in flight, yet its table reads " + token + ": a reader caches under it");
            assertTrue(token.contains(lease[0]), token);
        }
    }

    @Test
    void aWritesOwnEndOnAFullRedisStillInvalidates() {
        try (RedisCacheStore store = redis.store()) {
            String[] before = store.initVersions(TABLE);
            String[] lease = store.leaseVersions(TABLE, LEASE_MILLIS);
            redis.full();

            store.endLeases(TABLE, lease);

            String token = redis.readerFinds(store);
            assertFalse(token.startsWith(CacheStore.LEASE_PREFIX), "the write's own lease is gone: " + token);
            assertNotEquals(before[0], token, "and no token from before the write came back");
        }
    }

    @Test
    void aBumpOnAFullRedisStillInvalidatesABareToken() {
        try (RedisCacheStore store = redis.store()) {
            String[] before = store.initVersions(TABLE);
            redis.full();

            store.bumpVersions(TABLE);

            String token = redis.readerFinds(store);
            assertNotEquals(before[0], token, "the old token never comes back");
        }
    }
}
