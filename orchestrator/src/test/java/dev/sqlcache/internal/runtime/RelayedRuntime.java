package dev.sqlcache.internal.runtime;

import dev.sqlcache.internal.config.InvalidConfigurationException;
import dev.sqlcache.internal.config.SqlCacheConfig;
import dev.sqlcache.internal.store.RedisCacheStore;
import dev.sqlcache.internal.time.Clock;
import dev.sqlcache.testing.HoldingRelay;
import dev.sqlcache.testing.RedisServerFixture;
import java.util.HashMap;
import java.util.Map;

/**
 * A runtime (and its store) whose every Redis connection goes through a {@link HoldingRelay} in front of a private
 * server, as the tests of an attempt that lands late use it; {@link #close()} closes the runtime, then the store.
 */
final class RelayedRuntime implements AutoCloseable {

    private final RedisCacheStore store;
    private final CacheRuntime runtime;

    private RelayedRuntime(RedisCacheStore store, CacheRuntime runtime) {
        this.store = store;
        this.runtime = runtime;
    }

    /** A runtime with {@code server}'s settings but its port: {@code relay}'s. */
    static RelayedRuntime through(RedisServerFixture server, HoldingRelay relay) throws InvalidConfigurationException {
        Map<String, String> properties = new HashMap<>(server.tcpProperties());
        properties.put("sqlcache.redis.port", Integer.toString(relay.port()));
        SqlCacheConfig config = SqlCacheConfig.load(Map.of(), properties);
        RedisCacheStore store = new RedisCacheStore(config.redis());
        return new RelayedRuntime(store, new CacheRuntime(RuntimeKey.of(config), store, Clock.SYSTEM, null, null));
    }

    RedisCacheStore store() {
        return store;
    }

    CacheRuntime runtime() {
        return runtime;
    }

    @Override
    public void close() {
        runtime.close();
        store.close();
    }
}
