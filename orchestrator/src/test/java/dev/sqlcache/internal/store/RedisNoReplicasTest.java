package dev.sqlcache.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlcache.testing.RedisServerFixture;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A primary with {@code min-replicas-to-write 1} whose replica is gone (here: it never had one) refuses every write
 * with {@code NOREPLICAS}, sqlcache's scripts included, while it still answers reads. That is what keeps an old
 * primary on the wrong side of a split brain from taking sqlcache's writes: each is a failure that passes once a
 * replica is back, never a misconfiguration (which would log "fix a setting" at ERROR and be retried differently).
 */
class RedisNoReplicasTest {

    @Test
    void writesAreRefusedAsATransientFailureNotAMisconfiguration() {
        try (RedisServerFixture server = RedisServerFixture.start();
             RedisCacheStore store = new RedisCacheStore(RedisTransport.TCP.settings(server, Map.of()))) {
            String[] versions = {"sql:t:version:db"};
            String[] tokens = store.initVersions(versions);
            assertTrue(store.putIfVersions("sql:t:data:1", new byte[] {1}, 60, versions, tokens));

            server.command("CONFIG", "SET", "min-replicas-to-write", "1");
            try {
                CacheStoreException lease = assertThrows(CacheStoreException.class,
                        () -> store.leaseVersions(versions, new String[] {"lease-1"}, 5_000));
                CacheStoreException end = assertThrows(CacheStoreException.class,
                        () -> store.endLeases(versions, new String[] {"lease-1"}, new long[] {60_000}));
                CacheStoreException put = assertThrows(CacheStoreException.class,
                        () -> store.putIfVersions("sql:t:data:2", new byte[] {2}, 60, versions, tokens));
                for (CacheStoreException refused : new CacheStoreException[] {lease, end, put}) {
                    assertTrue(refused.getMessage().contains("NOREPLICAS"), refused.getMessage());
                    assertNull(refused.misconfiguration(), "a refusal that passes when a replica is back: "
                            + refused.getMessage());
                }
                // Reads still answer: so what protects the other JVMs is the fence (a membership cannot be renewed
                // on this primary either), not the refusal of the lookups.
                CacheStore.Lookup lookup = store.lookup("sql:t:data:1", versions);
                assertEquals(1, lookup.entry().length);
            } finally {
                server.command("CONFIG", "SET", "min-replicas-to-write", "0");
            }
        }
    }
}
