package dev.sqlcache.internal.store;

import dev.sqlcache.internal.config.InvalidConfigurationException;
import dev.sqlcache.internal.config.RedisSettings;
import dev.sqlcache.internal.config.SqlCacheConfig;
import dev.sqlcache.testing.RedisServerFixture;
import java.util.HashMap;
import java.util.Map;

/** How a test reaches the fixture's server: both transports must behave the same. */
enum RedisTransport {
    TCP, UNIX;

    Map<String, String> properties(RedisServerFixture server) {
        return this == TCP ? server.tcpProperties() : server.unixProperties();
    }

    /** Settings for the fixture's server through the real configuration path, with extra properties on top. */
    RedisSettings settings(RedisServerFixture server, Map<String, String> extra) {
        Map<String, String> properties = new HashMap<>(properties(server));
        properties.putAll(extra);
        try {
            return SqlCacheConfig.load(Map.of(), properties).redis();
        } catch (InvalidConfigurationException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    RedisSettings settings(RedisServerFixture server) {
        return settings(server, Map.of());
    }
}
