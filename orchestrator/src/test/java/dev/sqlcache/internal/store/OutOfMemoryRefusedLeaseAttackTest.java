package dev.sqlcache.internal.store;

import static dev.sqlcache.internal.store.FullRedisExtension.LEASE_MILLIS;
import static dev.sqlcache.internal.store.FullRedisExtension.TABLE;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A write whose own lease a full Redis refused (maxmemory reached, noeviction). The store answers the lease as
 * placed, so the write runs as a covered one; its fallback used to delete the keys instead (oom_invalidate.lua). What
 * a deletion relies on, that readers cannot recreate the token on a full Redis, holds only while Redis stays full: an
 * entry expiring frees memory while the write is in flight, a reader recreates the token, reads the database before
 * the commit and stores, and that entry is served after the commit until the write's end (until its TTL when the end
 * is lost), which is what a lease is for (docs/consistency.md, "Writes that overlap on a key"). The same when the key
 * held another write's lease: that write's end made it fresh while this one was still in flight.
 */
class OutOfMemoryRefusedLeaseAttackTest {

    @RegisterExtension
    static final FullRedisExtension redis = new FullRedisExtension();

    @Test
    void aWriteWhoseLeaseAFullRedisRefusedStaysCovered() {
        try (RedisCacheStore store = redis.store()) {
            store.initVersions(TABLE);
            redis.full();

            String[] lease = store.leaseVersions(TABLE, LEASE_MILLIS); // answered: the write runs

            String token = redis.readerFinds(store);
            assertTrue(token.startsWith(CacheStore.LEASE_PREFIX) && token.contains(lease[0].substring(6)),
                    "the write is in flight, yet its table reads " + token + ": a reader caches under it");
            store.endLeases(TABLE, lease);
            assertFalse(store.initVersions(TABLE)[0].startsWith(CacheStore.LEASE_PREFIX), "its end makes it fresh");
        }
    }

    @Test
    void aLeaseAFullRedisRefusedBesideAnotherWritesLeaseOutlivesThatWritesEnd() {
        try (RedisCacheStore store = redis.store()) {
            store.initVersions(TABLE);
            String[] first = store.leaseVersions(TABLE, LEASE_MILLIS);
            redis.full();

            String[] second = store.leaseVersions(TABLE, LEASE_MILLIS); // answered: the second write runs
            redis.memoryFreed();
            store.endLeases(TABLE, first);

            String token = redis.readerFinds(store);
            assertTrue(token.startsWith(CacheStore.LEASE_PREFIX),
                    "the second write is in flight, yet its table reads " + token + ": a reader caches under it");
            store.endLeases(TABLE, second);
            assertFalse(store.initVersions(TABLE)[0].startsWith(CacheStore.LEASE_PREFIX), "both ended");
        }
    }
}
