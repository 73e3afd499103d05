package dev.sqlcache.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The contract on the in-process store, plus its own bound on total size. */
class InMemoryCacheStoreTest extends CacheStoreContractTest {

    private static InMemoryCacheStore store;

    @BeforeAll
    static void open() {
        store = new InMemoryCacheStore(64L * 1024 * 1024);
    }

    @AfterAll
    static void close() {
        store.close();
    }

    @Override
    protected CacheStore store() {
        return store;
    }

    @Override
    protected OptionalLong ttlSeconds(String key) {
        return store.expiresAfterSeconds(key);
    }

    @Test
    void describesItselfAsLocal() {
        assertEquals("memory (this JVM only)", store.describe());
    }

    @Test
    void totalSizeIsBounded() {
        try (InMemoryCacheStore small = new InMemoryCacheStore(100_000)) {
            String[] none = new String[0];
            for (int i = 0; i < 50; i++) {
                assertTrue(small.putIfVersions("e" + i, new byte[10_000], 60, none, none));
            }
            int present = 0;
            for (int i = 0; i < 50; i++) {
                if (small.lookup("e" + i, none).entry() != null) {
                    present++;
                }
            }
            assertTrue(present <= 10, present + " entries of 10 kB kept under a 100 kB bound");
        }
    }

    @Test
    void anEntryLargerThanTheBoundIsNotKept() {
        try (InMemoryCacheStore small = new InMemoryCacheStore(1_000)) {
            String[] none = new String[0];
            small.putIfVersions("big", new byte[5_000], 60, none, none);
            assertNull(small.lookup("big", none).entry());
        }
    }
}
