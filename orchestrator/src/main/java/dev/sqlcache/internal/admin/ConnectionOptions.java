package dev.sqlcache.internal.admin;

import dev.sqlcache.internal.config.InvalidConfigurationException;
import dev.sqlcache.internal.config.SqlCacheConfig;
import dev.sqlcache.internal.config.StoreType;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The options every subcommand shares: where Redis is, exactly as the driver finds it. Each option is the
 * {@code sqlcache.redis.*} property of the same meaning, layered over the environment by
 * {@link SqlCacheConfig#load}, so the same environment reaches the same Redis as the application. Values are taken
 * as text and validated by the configuration, so a bad port is reported the way the driver reports it.
 */
final class ConnectionOptions {

    /** Environment variables that name an address; an address on the command line replaces all of them. */
    private static final List<String> ADDRESS_VARIABLES =
            List.of("REDIS_URL", "REDIS_SOCKET_PATH", "REDIS_HOST", "REDIS_PORT");

    @Option(names = "--redis-url", paramLabel = "URL",
            description = "redis://[user@]host[:port][/db], rediss:// for TLS, or unix:///path?db=N "
                    + "(put the password in an environment variable, see --redis-password-env)")
    String url;

    @Option(names = "--redis-host", paramLabel = "HOST", description = "Redis host (default: localhost)")
    String host;

    @Option(names = "--redis-port", paramLabel = "PORT", description = "Redis port (default: 6379)")
    String port;

    @Option(names = "--redis-socket", paramLabel = "PATH", description = "Redis Unix socket; wins over host and port")
    String socket;

    @Option(names = "--redis-db", paramLabel = "N", description = "Redis database number (default: 0)")
    String db;

    @Option(names = "--redis-password-env", paramLabel = "VAR",
            description = "the environment variable holding the Redis password (never the password itself)")
    String passwordVariable;

    @Option(names = "--verbose", description = "print the stack trace of a failure")
    boolean verbose;

    /**
     * The validated configuration: {@code environment}, then {@code extra} (settings from a JDBC URL), then the
     * options above.
     */
    SqlCacheConfig load(Map<String, String> environment, Map<String, String> extra) throws AdminException {
        Map<String, String> options = new LinkedHashMap<>(); // property -> value
        Map<String, String> spelledAs = new HashMap<>();    // property -> option, for messages
        option(options, spelledAs, "sqlcache.redis.url", "--redis-url", url);
        option(options, spelledAs, "sqlcache.redis.host", "--redis-host", host);
        option(options, spelledAs, "sqlcache.redis.port", "--redis-port", port);
        option(options, spelledAs, "sqlcache.redis.socketPath", "--redis-socket", socket);
        option(options, spelledAs, "sqlcache.redis.db", "--redis-db", db);
        if (passwordVariable != null) {
            String password = environment.get(passwordVariable);
            if (password == null || password.isEmpty()) {
                throw AdminException.usage("--redis-password-env: the environment variable " + passwordVariable
                        + " is not set");
            }
            option(options, spelledAs, "sqlcache.redis.password", "--redis-password-env " + passwordVariable,
                    password);
        }

        Map<String, String> env = new HashMap<>(environment);
        if (url != null || host != null || port != null || socket != null) {
            // Otherwise REDIS_SOCKET_PATH from the environment would silently win over --redis-host.
            ADDRESS_VARIABLES.forEach(env::remove);
        }
        Map<String, String> settings = new LinkedHashMap<>(extra);
        settings.putAll(options);
        SqlCacheConfig config;
        try {
            config = SqlCacheConfig.load(env, settings);
        } catch (InvalidConfigurationException e) {
            List<String> problems = new ArrayList<>();
            for (String problem : e.problems()) {
                problems.add(respell(problem, spelledAs));
            }
            throw AdminException.usage("invalid configuration: " + String.join("; ", problems));
        }
        if (config.storeType() == StoreType.MEMORY) {
            throw AdminException.usage("sqlcache.store is memory (SQLCACHE_STORE or sqlcache.store): that store "
                    + "lives inside the application's JVM and cannot be administered from outside");
        }
        return config;
    }

    /** Whether the Redis URL on the command line carries a password, which other users can see in ps. */
    boolean urlHasPassword() {
        if (url == null) {
            return false;
        }
        try {
            String userInfo = URI.create(url.trim()).getRawUserInfo();
            return userInfo != null && userInfo.indexOf(':') >= 0 && userInfo.indexOf(':') < userInfo.length() - 1;
        } catch (IllegalArgumentException e) {
            return false; // the configuration reports the bad URL
        }
    }

    private static void option(Map<String, String> options, Map<String, String> spelledAs, String property,
                               String option, String value) {
        if (value != null) {
            options.put(property, value);
            spelledAs.put(property, option);
        }
    }

    /** Names the option the user typed instead of the property it maps to. */
    private static String respell(String problem, Map<String, String> spelledAs) {
        for (Map.Entry<String, String> e : spelledAs.entrySet()) {
            if (problem.startsWith(e.getKey() + ":")) {
                return e.getValue() + problem.substring(e.getKey().length());
            }
        }
        return problem;
    }
}
