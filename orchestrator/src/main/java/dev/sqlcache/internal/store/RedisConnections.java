package dev.sqlcache.internal.store;

import dev.sqlcache.internal.config.RedisSettings;
import redis.clients.jedis.ClientSetInfoConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.DefaultJedisSocketFactory;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisSocketFactory;

/** How sqlcache connects to Redis, shared by the cache store and the admin tool: one place for settings and sockets. */
public final class RedisConnections {

    private RedisConnections() {
    }

    /** Jedis client settings from sqlcache's Redis settings; {@code clientName} shows in CLIENT LIST. */
    public static DefaultJedisClientConfig clientConfig(RedisSettings settings, String clientName) {
        boolean tls = settings.ssl() && !settings.usesUnixSocket();
        DefaultJedisClientConfig.Builder builder = DefaultJedisClientConfig.builder();
        if (tls) {
            // The server's name is verified against its certificate (Jedis does not by default).
            builder.sslParameters(RedisTls.parameters());
            if (settings.hasTlsFiles()) {
                builder.sslSocketFactory(RedisTls.context(settings).getSocketFactory());
            }
        }
        return builder
                .user(settings.username())
                .password(settings.password())
                .database(settings.database())
                .ssl(tls)
                .connectionTimeoutMillis(settings.connectTimeoutMillis())
                .socketTimeoutMillis(settings.socketTimeoutMillis())
                .clientName(clientName)
                // CLIENT SETINFO costs a round trip per connection and older servers reject it.
                .clientSetInfoConfig(ClientSetInfoConfig.DISABLED)
                .build();
    }

    /** The socket to Redis: a Unix socket (junixsocket) when configured, else TCP. */
    public static JedisSocketFactory sockets(RedisSettings settings, DefaultJedisClientConfig clientConfig) {
        return settings.usesUnixSocket()
                ? new UnixSocketFactory(settings.socketPath(), settings.connectTimeoutMillis(),
                        settings.socketTimeoutMillis())
                : new DefaultJedisSocketFactory(new HostAndPort(settings.host(), settings.port()), clientConfig);
    }
}
