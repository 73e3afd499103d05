package dev.sqlcache.internal.config;

import java.util.Locale;
import java.util.Optional;

/**
 * Every setting sqlcache knows: its property name (also used as the properties-file key), its environment
 * variable and its default as text, so that defaults go through the same parsing as user values.
 */
enum Setting {
    CONFIG("sqlcache.config", "SQLCACHE_CONFIG", null),
    ENABLED("sqlcache.enabled", "SQLCACHE_ENABLED", "true"),
    STORE("sqlcache.store", "SQLCACHE_STORE", "redis"),
    REDIS_URL("sqlcache.redis.url", "REDIS_URL", null),
    REDIS_SOCKET_PATH("sqlcache.redis.socketPath", "REDIS_SOCKET_PATH", null),
    REDIS_SENTINELS("sqlcache.redis.sentinels", "REDIS_SENTINELS", null),
    REDIS_SENTINEL_MASTER("sqlcache.redis.sentinelMaster", "REDIS_SENTINEL_MASTER", null),
    REDIS_SENTINEL_USER("sqlcache.redis.sentinelUser", "REDIS_SENTINEL_USER", null),
    REDIS_SENTINEL_PASSWORD("sqlcache.redis.sentinelPassword", "REDIS_SENTINEL_PASSWORD", null),
    REDIS_CLUSTER("sqlcache.redis.cluster", "REDIS_CLUSTER_NODES", null),
    REDIS_HOST("sqlcache.redis.host", "REDIS_HOST", "localhost"),
    REDIS_PORT("sqlcache.redis.port", "REDIS_PORT", "6379"),
    REDIS_USERNAME("sqlcache.redis.username", "REDIS_USERNAME", null),
    REDIS_PASSWORD("sqlcache.redis.password", "REDIS_PASSWORD", null),
    REDIS_DB("sqlcache.redis.db", "REDIS_DB", "0"),
    REDIS_SSL("sqlcache.redis.ssl", "REDIS_SSL", "false"),
    REDIS_TLS_CA_FILE("sqlcache.redis.tls.caFile", "REDIS_TLS_CA_FILE", null),
    REDIS_TLS_CERT_FILE("sqlcache.redis.tls.certFile", "REDIS_TLS_CERT_FILE", null),
    REDIS_TLS_KEY_FILE("sqlcache.redis.tls.keyFile", "REDIS_TLS_KEY_FILE", null),
    REDIS_MAX_CONNECTIONS("sqlcache.redis.maxConnections", "REDIS_MAX_CONNECTIONS", "16"),
    REDIS_SOCKET_TIMEOUT("sqlcache.redis.socketTimeout", "REDIS_SOCKET_TIMEOUT", "0.5"),
    REDIS_CONNECT_TIMEOUT("sqlcache.redis.socketConnectTimeout", "REDIS_SOCKET_CONNECT_TIMEOUT", "1"),
    TTL("sqlcache.ttl", "SQLCACHE_TTL", "300"),
    TABLE_TTL("sqlcache.tableTtl", "SQLCACHE_TABLE_TTL", ""),
    MAX_ROWS("sqlcache.maxRows", "SQLCACHE_MAX_ROWS", "10000"),
    MAX_BYTES("sqlcache.maxBytes", "SQLCACHE_MAX_BYTES", "1mb"),
    DATABASE_ID("sqlcache.databaseId", "SQLCACHE_DATABASE_ID", null),
    ANALYSIS_CACHE_SIZE("sqlcache.analysisCacheSize", "SQLCACHE_ANALYSIS_CACHE_SIZE", "10000"),
    WRITE_LEASE("sqlcache.writeLease", "SQLCACHE_WRITE_LEASE", "5m"),
    FENCE_TIMEOUT("sqlcache.fenceTimeout", "SQLCACHE_FENCE_TIMEOUT", "30s"),
    EARLY_DROP("sqlcache.earlyDrop", "SQLCACHE_EARLY_DROP", "true"),
    TRIGGER_WRITES("sqlcache.triggerWrites", "SQLCACHE_TRIGGER_WRITES", ""),
    PROCEDURE_WRITES("sqlcache.procedureWrites", "SQLCACHE_PROCEDURE_WRITES", ""),
    TABLE_POLICY("sqlcache.tablePolicy", "SQLCACHE_TABLE_POLICY", ""),
    EXCLUDE("sqlcache.exclude", "SQLCACHE_EXCLUDE", ""),
    SIGNING_KEY("sqlcache.signingKey", "SQLCACHE_SIGNING_KEY", null),
    NEAR_CACHE_MAX_BYTES("sqlcache.nearCache.maxBytes", "SQLCACHE_NEAR_CACHE_MAX_BYTES", "64mb"),
    NEAR_CACHE_MAX_STALENESS("sqlcache.nearCache.maxStaleness", "SQLCACHE_NEAR_CACHE_MAX_STALENESS", null),
    TABLE_NEAR_CACHE("sqlcache.tableNearCache", "SQLCACHE_TABLE_NEAR_CACHE", ""),

    CHANGE_FEED("sqlcache.changeFeed", "SQLCACHE_CHANGE_FEED", "none"),
    CHANGE_FEED_MAX_LAG("sqlcache.changeFeed.maxLag", "SQLCACHE_CHANGE_FEED_MAX_LAG", "5s");

    final String property;
    final String environment;
    final String defaultValue;

    Setting(String property, String environment, String defaultValue) {
        this.property = property;
        this.environment = environment;
        this.defaultValue = defaultValue;
    }

    /** Whether its value must never be shown. */
    boolean secret() {
        return this == REDIS_PASSWORD || this == SIGNING_KEY || this == REDIS_SENTINEL_PASSWORD;
    }

    static Optional<Setting> byProperty(String name) {
        for (Setting s : values()) {
            if (s.property.equals(name)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    static Optional<Setting> byEnvironment(String name) {
        for (Setting s : values()) {
            if (s.environment.equals(name)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    /**
     * The known name closest to a misspelt one, for "did you mean" hints; empty when nothing is close. A case
     * difference alone counts as closest, since names are case-sensitive and that is a common slip.
     */
    static Optional<String> closest(String name, boolean environment) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (Setting s : values()) {
            String known = environment ? s.environment : s.property;
            int d = known.equalsIgnoreCase(name) ? 0
                    : distance(known.toLowerCase(Locale.ROOT), name.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best = known;
            }
        }
        // Beyond a few edits the "suggestion" would be noise.
        return bestDistance <= Math.max(2, name.length() / 4) ? Optional.ofNullable(best) : Optional.empty();
    }

    /** Levenshtein distance; names are short, so the quadratic table is fine. */
    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
