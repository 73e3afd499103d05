package dev.sqlcache.internal.admin;

import dev.sqlcache.internal.config.RedisSettings;
import dev.sqlcache.internal.config.SqlCacheConfig;
import dev.sqlcache.internal.store.CacheStore;
import dev.sqlcache.internal.store.CacheStoreException;
import dev.sqlcache.internal.store.RedisCacheStore;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * What every subcommand shares: the connection options, and turning every failure into one line on stderr with
 * exit code 2 (usage, configuration) or 1 (Redis), never a stack trace unless {@code --verbose}. The handling is
 * here rather than in a picocli handler so that it also holds for a plain {@code new CommandLine(new AdminCli())}.
 */
abstract class AdminCommand implements Callable<Integer> {

    /**
     * The admin tool waits at least this long for one Redis reply: a SCAN page or an UNLINK of 1,000 keys may take
     * longer than the half second a statement is allowed to wait for the cache.
     */
    static final int MIN_SOCKET_TIMEOUT_MILLIS = 5_000;

    @ParentCommand
    AdminCli cli;

    @Spec
    CommandSpec spec;

    @Mixin
    ConnectionOptions connection;

    @Override
    public final Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            if (connection.urlHasPassword()) {
                err.println("sqlcache-admin: warning: the password in --redis-url is visible to other users of "
                        + "this machine; use --redis-password-env or REDIS_PASSWORD");
            }
            return run(out, err);
        } catch (AdminException e) {
            report(err, e.getMessage(), e);
            return e.exitCode();
        } catch (CacheStoreException e) {
            report(err, e.getMessage(), e); // the store's messages name the server and never the password
            return AdminException.RUNTIME;
        } catch (RuntimeException e) {
            report(err, "unexpected failure: " + RedisAdminConnection.firstLine(String.valueOf(e.getMessage()))
                    + " (" + e.getClass().getSimpleName() + "; --verbose shows where)", e);
            return AdminException.RUNTIME;
        } finally {
            out.flush();
            err.flush();
        }
    }

    private void report(PrintWriter err, String message, Throwable e) {
        err.println("sqlcache-admin " + spec.name() + ": " + message);
        if (connection.verbose) {
            e.printStackTrace(err);
        }
    }

    /** The subcommand's work; returns the exit code. */
    abstract int run(PrintWriter out, PrintWriter err) throws AdminException;

    Map<String, String> environment() {
        return cli == null ? System.getenv() : cli.environment();
    }

    /** The configuration from the environment and the connection options. */
    SqlCacheConfig config() throws AdminException {
        return config(Map.of());
    }

    /** The configuration, with {@code extra} settings (from a JDBC URL) below the options. */
    SqlCacheConfig config(Map<String, String> extra) throws AdminException {
        return connection.load(environment(), extra);
    }

    /** The configured Redis settings, but patient enough for administration. */
    static RedisSettings adminSettings(SqlCacheConfig config) {
        RedisSettings s = config.redis();
        return new RedisSettings(s.host(), s.port(), s.socketPath(), s.username(), s.password(), s.database(),
                s.ssl(), 1, Math.max(s.socketTimeoutMillis(), MIN_SOCKET_TIMEOUT_MILLIS), s.connectTimeoutMillis(),
                s.tlsCaFile(), s.tlsCertFile(), s.tlsKeyFile(), s.sentinel(), s.cluster());
    }

    /** The store the driver would use, with the same settings (and a patient timeout). */
    static CacheStore openStore(RedisSettings settings) {
        return new RedisCacheStore(settings);
    }
}
