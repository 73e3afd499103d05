package dev.sqlcache.admin;

import dev.sqlcache.config.RedisSettings;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.util.function.Supplier;
import redis.clients.jedis.ClientSetInfoConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * One plain Jedis connection for the commands the {@link dev.sqlcache.store.CacheStore} interface does not offer
 * (PING timing, INFO, SCAN with sizes, EXISTS), opened with the same settings as the store: address, socket,
 * database, user, password and TLS. Every failure becomes a one-line {@link AdminException} that names the server
 * and never the password.
 */
final class RedisAdminConnection implements AutoCloseable {

    private final Jedis jedis;
    private final RedisSettings settings;

    /** Connects (Jedis connects in its constructor), authenticates and selects the database. */
    RedisAdminConnection(RedisSettings settings) throws AdminException {
        this.settings = settings;
        DefaultJedisClientConfig config = DefaultJedisClientConfig.builder()
                .user(settings.username())
                .password(settings.password())
                .database(settings.database())
                .ssl(settings.ssl() && !settings.usesUnixSocket())
                .connectionTimeoutMillis(settings.connectTimeoutMillis())
                .socketTimeoutMillis(settings.socketTimeoutMillis())
                .clientName("sqlcache-admin")
                .clientSetInfoConfig(ClientSetInfoConfig.DISABLED)
                .build();
        try {
            this.jedis = settings.usesUnixSocket()
                    ? new Jedis(new AdminUnixSocketFactory(settings.socketPath(), settings.connectTimeoutMillis(),
                            settings.socketTimeoutMillis()), config)
                    : new Jedis(new HostAndPort(settings.host(), settings.port()), config);
        } catch (RuntimeException e) {
            throw failure(settings, "connect", e);
        }
    }

    /** Runs one operation on the connection; any Jedis failure becomes a one-line runtime error. */
    <T> T call(String operation, Supplier<T> action) throws AdminException {
        try {
            return action.get();
        } catch (RuntimeException e) {
            throw failure(settings, operation, e);
        }
    }

    /** Runs one operation with the raw connection. */
    <T> T with(String operation, java.util.function.Function<Jedis, T> action) throws AdminException {
        return call(operation, () -> action.apply(jedis));
    }

    /** One line saying what failed on which server and why; the password scrubbed in case a server echoes it. */
    static AdminException failure(RedisSettings settings, String operation, Throwable e) {
        String why;
        String root = rootMessage(e);
        if (root.startsWith("WRONGPASS") || root.startsWith("NOAUTH") || root.contains("invalid password")
                || root.contains("invalid username-password")) {
            why = "the server rejected the credentials (" + firstLine(root) + ")";
        } else if (has(e, SocketTimeoutException.class)) {
            why = "no answer within " + settings.socketTimeoutMillis() + " ms";
        } else if (has(e, ConnectException.class)
                || operation.equals("connect") && e instanceof JedisConnectionException) {
            why = "cannot connect (" + firstLine(root) + ")";
        } else {
            why = firstLine(root);
        }
        String message = "redis " + settings.describe() + ": " + operation + " failed: " + why;
        if (settings.password() != null && !settings.password().isEmpty()) {
            message = message.replace(settings.password(), "***");
        }
        return AdminException.runtime(message, e);
    }

    private static boolean has(Throwable failure, Class<? extends Throwable> type) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable failure) {
        String message = failure.getClass().getSimpleName();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t.getMessage() != null) {
                message = t.getMessage();
            }
        }
        return message;
    }

    static String firstLine(String text) {
        int newline = text.indexOf('\n');
        return (newline < 0 ? text : text.substring(0, newline)).strip();
    }

    @Override
    public void close() {
        try {
            jedis.close();
        } catch (RuntimeException ignored) {
            // nothing left to do with a connection that failed
        }
    }
}
