package dev.sqlcache.internal.store;

import dev.sqlcache.internal.config.RedisSettings;
import redis.clients.jedis.ClientSetInfoConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.DefaultJedisSocketFactory;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.JedisSocketFactory;

/** How sqlcache connects to Redis, shared by the cache store and the admin tool: one place for settings and sockets. */
public final class RedisConnections {

    private RedisConnections() {
    }

    /** Jedis client settings from sqlcache's Redis settings; {@code clientName} shows in CLIENT LIST. */
    public static DefaultJedisClientConfig clientConfig(RedisSettings settings, String clientName) {
        return clientConfig(settings, clientName, null);
    }

    /**
     * {@link #clientConfig(RedisSettings, String)} speaking a given protocol ({@code null}: Jedis's default); a plain
     * {@code Jedis} connection (a subscription) needs RESP2 said outright, or it warns on every connection.
     */
    public static DefaultJedisClientConfig clientConfig(RedisSettings settings, String clientName,
                                                        RedisProtocol protocol) {
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
                .protocol(protocol)
                .build();
    }

    /**
     * The socket to Redis for a fixed address: a Unix socket (junixsocket) when configured, else TCP. With
     * Sentinel the store follows the primary through {@link SentinelConnections}, and on a cluster the master of
     * sqlcache's slot through {@link ClusterConnections}; a one-off connection (the admin tool) asks the sentinels,
     * or the cluster's nodes, once, here.
     */
    public static JedisSocketFactory sockets(RedisSettings settings, DefaultJedisClientConfig clientConfig) {
        if (settings.usesSentinel()) {
            return new DefaultJedisSocketFactory(primaryNow(settings), clientConfig);
        }
        if (settings.usesCluster()) {
            return new DefaultJedisSocketFactory(slotMasterNow(settings, clientConfig), clientConfig);
        }
        return settings.usesUnixSocket()
                ? new UnixSocketFactory(settings.socketPath(), settings.connectTimeoutMillis(),
                        settings.socketTimeoutMillis())
                : new DefaultJedisSocketFactory(new HostAndPort(settings.host(), settings.port()), clientConfig);
    }

    /**
     * Jedis client settings for talking to the sentinels themselves: their own credentials, the data nodes' TLS and
     * timeouts, no database (a sentinel has none).
     */
    static DefaultJedisClientConfig sentinelConfig(RedisSettings settings) {
        return DefaultJedisClientConfig.builder()
                .user(settings.sentinel().user())
                .password(settings.sentinel().password())
                .ssl(settings.ssl())
                .connectionTimeoutMillis(settings.connectTimeoutMillis())
                .socketTimeoutMillis(settings.socketTimeoutMillis())
                .clientName("sqlcache-sentinel")
                .clientSetInfoConfig(ClientSetInfoConfig.DISABLED)
                // Sentinels speak RESP2; saying so spares a warning per connection from Jedis's legacy client.
                .protocol(RedisProtocol.RESP2)
                .build();
    }

    /**
     * Asks the cluster's nodes, in order, which master serves sqlcache's slot ({@link ClusterKeys#SLOT}) now. A
     * node that names no host for it (it does not know its own address) is taken at the address it was asked at.
     */
    public static HostAndPort slotMasterNow(RedisSettings settings, DefaultJedisClientConfig clientConfig) {
        RuntimeException last = null;
        for (var node : settings.cluster().nodes()) {
            try (Jedis jedis = new Jedis(new HostAndPort(node.host(), node.port()), clientConfig)) {
                for (Object range : jedis.clusterSlots()) {
                    java.util.List<?> r = (java.util.List<?>) range;
                    if (((Number) r.get(0)).longValue() <= ClusterKeys.SLOT
                            && ClusterKeys.SLOT <= ((Number) r.get(1)).longValue()) {
                        java.util.List<?> master = (java.util.List<?>) r.get(2);
                        String host = text(master.get(0));
                        return new HostAndPort(host.isEmpty() || host.equals("?") ? node.host() : host,
                                ((Number) master.get(1)).intValue());
                    }
                }
                last = new JedisConnectionException(node.host() + ":" + node.port() + " knows no master of slot "
                        + ClusterKeys.SLOT);
            } catch (RuntimeException e) {
                last = e;
            }
        }
        throw new JedisConnectionException("no node named the master of slot " + ClusterKeys.SLOT
                + " (sqlcache's keys)", last);
    }

    /**
     * Asks the cluster's nodes, in order, for every master that serves slots now (entries are spread over all of
     * them), by node id: the one name of a node that does not depend on who answers (a node named with no host is
     * taken at the address of the node asked, and a seed given as a host name is listed by its IP). As
     * {@link #slotMasterNow}, a master named with no host is taken at the address of the node asked.
     */
    public static java.util.Map<String, HostAndPort> mastersNow(RedisSettings settings,
                                                                DefaultJedisClientConfig clientConfig) {
        RuntimeException last = null;
        for (var node : settings.cluster().nodes()) {
            try (Jedis jedis = new Jedis(new HostAndPort(node.host(), node.port()), clientConfig)) {
                java.util.Map<String, HostAndPort> masters = new java.util.LinkedHashMap<>();
                for (Object range : jedis.clusterSlots()) {
                    java.util.List<?> master = (java.util.List<?>) ((java.util.List<?>) range).get(2);
                    String host = text(master.get(0));
                    masters.put(text(master.get(2)), new HostAndPort(host.isEmpty() || host.equals("?")
                            ? node.host() : host, ((Number) master.get(1)).intValue()));
                }
                return masters;
            } catch (RuntimeException e) {
                last = e;
            }
        }
        throw new JedisConnectionException("no node named the cluster's masters", last);
    }

    private static String text(Object reply) {
        return reply instanceof byte[] bytes ? new String(bytes, java.nio.charset.StandardCharsets.UTF_8)
                : String.valueOf(reply);
    }

    /** Asks the sentinels, in order, where the primary is now. */
    private static HostAndPort primaryNow(RedisSettings settings) {
        var sentinel = settings.sentinel();
        DefaultJedisClientConfig config = sentinelConfig(settings);
        RuntimeException last = null;
        for (var node : sentinel.nodes()) {
            try (Jedis jedis = new Jedis(new HostAndPort(node.host(), node.port()), config)) {
                java.util.List<String> address = jedis.sentinelGetMasterAddrByName(sentinel.master());
                if (address != null && address.size() == 2) {
                    return new HostAndPort(address.get(0), Integer.parseInt(address.get(1)));
                }
            } catch (RuntimeException e) {
                last = e;
            }
        }
        throw new JedisConnectionException("no sentinel named the primary " + sentinel.master(), last);
    }
}
