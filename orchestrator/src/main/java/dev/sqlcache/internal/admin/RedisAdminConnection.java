package dev.sqlcache.internal.admin;

import dev.sqlcache.internal.config.RedisSettings;
import dev.sqlcache.internal.store.RedisConnections;
import dev.sqlcache.internal.store.RedisFailures;
import java.util.function.Supplier;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;

/**
 * One plain Jedis connection for the commands the {@link dev.sqlcache.internal.store.CacheStore} interface does not offer
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
        DefaultJedisClientConfig config = RedisConnections.clientConfig(settings, "sqlcache-admin");
        try {
            this.jedis = new Jedis(RedisConnections.sockets(settings, config), config);
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

    /** One line saying what failed on which server and why, worded as the driver words it, password scrubbed. */
    static AdminException failure(RedisSettings settings, String operation, Throwable e) {
        String message = RedisFailures.of(settings).translate(operation, e).getMessage();
        return AdminException.runtime(firstLine(message), e);
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
