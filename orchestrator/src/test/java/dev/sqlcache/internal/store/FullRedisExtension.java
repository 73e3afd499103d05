package dev.sqlcache.internal.store;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlcache.testing.RedisServerFixture;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One local Redis for a test class that fills it (maxmemory reached, noeviction) and frees it again, registered as a
 * static {@code @RegisterExtension} field: the out-of-memory lease tests each started it, filled it, freed it and
 * flushed it the same way. After each test memory is back and the data gone, so no test sees another's keys.
 */
final class FullRedisExtension implements BeforeAllCallback, AfterAllCallback, AfterEachCallback {

    /** One table's version key; the lease tests need no more than one. */
    static final String[] TABLE = {"sql:t:version:db"};
    /** Long enough that no lease expires while a test runs: what a test sees is the scripts, never a TTL. */
    static final long LEASE_MILLIS = 60_000;

    private RedisServerFixture server;

    @Override
    public void beforeAll(ExtensionContext context) {
        server = RedisServerFixture.start();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        server.command("CONFIG", "SET", "maxmemory", "0");
        server.command("FLUSHALL");
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    /** A new store on this Redis over TCP; the caller closes it. */
    RedisCacheStore store() {
        return new RedisCacheStore(RedisTransport.TCP.settings(server, Map.of()));
    }

    /** Fills Redis: every write that allocates is refused from now on, which a probe proves. */
    void full() {
        server.command("CONFIG", "SET", "maxmemory-policy", "noeviction");
        server.command("CONFIG", "SET", "maxmemory", "1");
        String refused = server.command("SET", "sql:probe", "x");
        assertTrue(refused.startsWith("-OOM"), "Redis is full: " + refused);
    }

    /** Frees memory (entries expired, say) without reading anything. */
    void memoryFreed() {
        server.command("CONFIG", "SET", "maxmemory", "0");
    }

    /** Memory freed: the token a reader now reads, created fresh if it is missing. */
    String readerFinds(RedisCacheStore store) {
        memoryFreed();
        return store.initVersions(TABLE)[0];
    }
}
