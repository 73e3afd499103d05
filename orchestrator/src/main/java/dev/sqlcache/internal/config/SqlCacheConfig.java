package dev.sqlcache.internal.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The validated, immutable sqlcache settings.
 *
 * <p>Layers, lowest first: defaults, a properties file (named by {@code SQLCACHE_CONFIG} or {@code sqlcache.config},
 * else {@code sqlcache.properties} on the classpath if present), the environment, then the {@code sqlcache.*}
 * properties from the JDBC URL and connection properties. Within one layer a Redis URL is applied first and the
 * specific settings of that layer override it. See {@link #knownPropertyNames()} for the names.
 *
 * <p>{@link #toString()} masks the password.
 */
public final class SqlCacheConfig {

    /** The prefix of every sqlcache property. */
    public static final String PROPERTY_PREFIX = "sqlcache.";

    private static final Set<String> KNOWN_PROPERTIES;

    static {
        Set<String> names = new LinkedHashSet<>();
        for (Setting s : Setting.values()) {
            names.add(s.property);
        }
        KNOWN_PROPERTIES = Collections.unmodifiableSet(names);
    }

    private final boolean enabled;
    private final StoreType storeType;
    private final RedisSettings redis;
    private final long defaultTtlSeconds;
    private final TableTtls tableTtls;
    private final int maxRows;
    private final int maxBytes;
    private final long nearCacheMaxBytes;
    private final NearStaleness nearStaleness;
    private final String databaseId;
    private final int analysisCacheSize;
    private final int writeLeaseMillis;
    private final int fenceTimeoutMillis;
    private final boolean earlyDrop;
    /**
     * Above the longest a cut-off JVM waits for its membership to lapse (twice the 2 s membership, plus margins):
     * dropping it sooner would let the others cache again before its write ran.
     */
    private static final int MIN_FENCE_TIMEOUT_MILLIS = 5_000;
    private final DeclaredWrites triggerWrites;
    private final DeclaredWrites procedureWrites;
    private final TablePolicy tablePolicy;
    private final TableExclusions exclude;
    private final ChangeFeedType changeFeed;
    private final int changeFeedMaxLagMillis;
    /**
     * Below this the heartbeat (a quarter of the bound) would write to the WAL more often than every 250 ms, and a
     * Redis round trip or a GC pause would be a noticeable part of the bound.
     */
    private static final int MIN_CHANGE_FEED_MAX_LAG_MILLIS = 1_000;
    /** Never printed. */
    private final List<byte[]> signingKeys;
    /**
     * The text of every setting as resolved: two configurations are the same exactly when these are, whatever
     * settings are added later. Holds the password; never printed.
     */
    private final Map<Setting, String> effective;

    private SqlCacheConfig(Resolver r) {
        this.effective = r.effective();
        this.enabled = r.bool(Setting.ENABLED);
        this.storeType = r.storeType();
        this.redis = new RedisSettings(
                r.text(Setting.REDIS_HOST),
                r.port(Setting.REDIS_PORT),
                r.text(Setting.REDIS_SOCKET_PATH),
                r.text(Setting.REDIS_USERNAME),
                r.text(Setting.REDIS_PASSWORD),
                r.integer(Setting.REDIS_DB, 0, Integer.MAX_VALUE, "a database number"),
                r.bool(Setting.REDIS_SSL),
                r.integer(Setting.REDIS_MAX_CONNECTIONS, 1, 10_000, "a connection count"),
                r.millis(Setting.REDIS_SOCKET_TIMEOUT),
                r.millis(Setting.REDIS_CONNECT_TIMEOUT),
                r.text(Setting.REDIS_TLS_CA_FILE),
                r.text(Setting.REDIS_TLS_CERT_FILE),
                r.text(Setting.REDIS_TLS_KEY_FILE),
                r.sentinel(),
                r.cluster());
        checkTls(redis, r.problems());
        this.defaultTtlSeconds = r.ttlSeconds(Setting.TTL);
        this.tableTtls = r.tableTtls();
        this.maxRows = r.integer(Setting.MAX_ROWS, 1, Integer.MAX_VALUE, "a row count");
        this.maxBytes = (int) r.bytes(Setting.MAX_BYTES, Integer.MAX_VALUE - 64);
        this.nearCacheMaxBytes = r.bytesOrZero(Setting.NEAR_CACHE_MAX_BYTES, Long.MAX_VALUE / 2);
        this.nearStaleness = r.nearStaleness();
        this.databaseId = r.text(Setting.DATABASE_ID);
        this.analysisCacheSize = r.integer(Setting.ANALYSIS_CACHE_SIZE, 0, Integer.MAX_VALUE, "a cache size");
        this.writeLeaseMillis = r.millis(Setting.WRITE_LEASE);
        this.fenceTimeoutMillis = r.millisAtLeast(Setting.FENCE_TIMEOUT, MIN_FENCE_TIMEOUT_MILLIS,
                "must be at least 5s: a JVM cut off from Redis needs that long to be sure its membership lapsed");
        this.earlyDrop = r.bool(Setting.EARLY_DROP);
        this.triggerWrites = r.declaredWrites(Setting.TRIGGER_WRITES);
        this.procedureWrites = r.declaredWrites(Setting.PROCEDURE_WRITES);
        ConfigLayers.Sourced policy = r.raw(Setting.TABLE_POLICY);
        this.tablePolicy = policy == null ? TablePolicy.none()
                : TablePolicy.parse(policy.value(), policy.origin(), r.problems());
        ConfigLayers.Sourced excluded = r.raw(Setting.EXCLUDE);
        this.exclude = excluded == null ? TableExclusions.none()
                : TableExclusions.parse(excluded.value(), excluded.origin(), r.problems());
        this.changeFeed = r.changeFeed();
        this.changeFeedMaxLagMillis = r.millisAtLeast(Setting.CHANGE_FEED_MAX_LAG, MIN_CHANGE_FEED_MAX_LAG_MILLIS,
                "must be at least 1s: the feed's heartbeat runs four times within it");
        ConfigLayers.Sourced signing = r.raw(Setting.SIGNING_KEY);
        this.signingKeys = signing == null || signing.value().isBlank() ? List.of()
                : List.copyOf(SigningKeys.parse(signing.value(), signing.origin(), r.problems()));
    }

    /** TLS files only make sense with TLS on, a certificate only with its key, and every file must be readable. */
    private static void checkTls(RedisSettings redis, List<String> problems) {
        if (!redis.hasTlsFiles()) {
            return;
        }
        if (!redis.ssl() || redis.usesUnixSocket()) {
            problems.add("sqlcache.redis.tls.* is set but TLS is off: use a rediss:// URL or sqlcache.redis.ssl=true "
                    + "(TLS is for TCP, not Unix sockets)");
        }
        if ((redis.tlsCertFile() == null) != (redis.tlsKeyFile() == null)) {
            problems.add("sqlcache.redis.tls.certFile and sqlcache.redis.tls.keyFile go together (mutual TLS)");
        }
        for (String file : new String[] {redis.tlsCaFile(), redis.tlsCertFile(), redis.tlsKeyFile()}) {
            if (file != null && !java.nio.file.Files.isReadable(java.nio.file.Path.of(file))) {
                problems.add("sqlcache.redis.tls.*: cannot read " + file);
            }
        }
    }

    /**
     * Reads and validates the settings.
     *
     * @param environment the process environment (typically {@code System.getenv()})
     * @param properties  settings from the JDBC URL and connection properties; names not starting with
     *                    {@code sqlcache.} are ignored, so the full connection properties may be passed
     * @throws InvalidConfigurationException listing every problem, each naming the setting as the user wrote it
     */
    public static SqlCacheConfig load(Map<String, String> environment, Map<String, String> properties)
            throws InvalidConfigurationException {
        List<String> problems = new ArrayList<>();
        Map<Setting, ConfigLayers.Sourced> raw = ConfigLayers.collect(environment, properties, problems);
        SqlCacheConfig config = new SqlCacheConfig(new Resolver(raw, problems));
        if (!problems.isEmpty()) {
            throw new InvalidConfigurationException(problems);
        }
        return config;
    }

    /** Every property name sqlcache understands (also the keys of the properties file). */
    public static Set<String> knownPropertyNames() {
        return KNOWN_PROPERTIES;
    }

    /** Whether a JDBC property is meant for sqlcache rather than for the real driver. */
    public static boolean isSqlCacheProperty(String name) {
        return name != null && name.startsWith(PROPERTY_PREFIX);
    }

    /** Whether caching is on; when off the driver only passes through. */
    public boolean enabled() {
        return enabled;
    }

    public StoreType storeType() {
        return storeType;
    }

    public RedisSettings redis() {
        return redis;
    }

    /** The time to live of an entry whose tables have no specific one. */
    public long defaultTtlSeconds() {
        return defaultTtlSeconds;
    }

    /**
     * The time to live for a table: its qualified name (lower-cased) from {@code sqlcache.tableTtl}, else its
     * unqualified basename, else {@link #defaultTtlSeconds()}.
     */
    public long ttlSeconds(String table) {
        return tableTtls.secondsFor(table, defaultTtlSeconds);
    }

    /** Results with more rows than this are not cached. */
    public int maxRows() {
        return maxRows;
    }

    /** Encoded results larger than this are not cached. */
    public int maxBytes() {
        return maxBytes;
    }

    /**
     * The longest entry this configuration stores or reads: three times {@link #maxBytes()} (the capture's estimate
     * counts characters, UTF-8 takes up to three bytes for one) plus 64 KiB for column metadata and version tokens.
     * A result whose encoding is longer is not stored; a value longer than this under an entry key is refused
     * without being transferred from Redis.
     */
    public int maxEntryBytes() {
        return (int) Math.min(Integer.MAX_VALUE - 8L, 3L * maxBytes + ENTRY_FRAME_ALLOWANCE);
    }

    /**
     * How many bytes of results each JVM keeps in process (its near cache), served with no network call while
     * every write elsewhere is known to have reached it; 0 keeps none.
     */
    public long nearCacheMaxBytes() {
        return nearCacheMaxBytes;
    }

    /**
     * How long near caches may serve tables after another JVM's writes ({@code sqlcache.tableNearCache},
     * {@code sqlcache.nearCache.maxStaleness}); strict by default.
     */
    public NearStaleness nearStaleness() {
        return nearStaleness;
    }

    /** Room in an entry for what the capture's estimate does not count: metadata, tokens, the frame. */
    private static final int ENTRY_FRAME_ALLOWANCE = 64 * 1024;

    /** An explicit database identity, for two URLs that reach the same database. */
    public Optional<String> databaseId() {
        return Optional.ofNullable(databaseId);
    }

    /** How many analysed statements are remembered per JVM. */
    public int analysisCacheSize() {
        return analysisCacheSize;
    }

    /**
     * How long a write may keep its tables out of the cache in every JVM before its commit is confirmed: longer
     * than the longest transaction that writes through sqlcache, so that a lost confirmation never lets an old
     * answer back. After it, caching of those tables resumes with fresh tokens.
     */
    public long writeLeaseMillis() {
        return writeLeaseMillis;
    }

    /**
     * How long every JVM stays off the cache after one of them stopped renewing its membership without leaving
     * (it crashed, or it is cut off from Redis and cannot invalidate what it writes). Afterwards that member is
     * dropped, everything cached before is invalid, and caching resumes. A JVM cut off for longer than this can
     * again leave old answers to the others until it reaches Redis; use the same value in every JVM.
     */
    public long fenceTimeoutMillis() {
        return fenceTimeoutMillis;
    }

    /**
     * Whether this JVM's PostgreSQL sessions vouch for it, so that other JVMs may drop it before
     * {@link #fenceTimeoutMillis()} once none of them is left ({@code sqlcache.earlyDrop}, on by default). Off
     * behind a pooler that hands one client's session to others or closes it on its own (PgBouncer in transaction
     * or statement mode): there a session's lock says nothing about whether this JVM runs.
     */
    public boolean earlyDrop() {
        return earlyDrop;
    }

    /** What the triggers on a table write, by table ({@code sqlcache.triggerWrites}). */
    public DeclaredWrites triggerWrites() {
        return triggerWrites;
    }

    /** What stored procedures write, by name ({@code sqlcache.procedureWrites}). */
    public DeclaredWrites procedureWrites() {
        return procedureWrites;
    }

    /** Tables whose reads are never cached ({@code sqlcache.exclude}). */
    public TableExclusions exclude() {
        return exclude;
    }

    /**
     * The keys entries are signed with ({@code sqlcache.signingKey}), the one to sign with first; empty when entries
     * are not signed. Copies: a caller cannot change them.
     */
    public List<byte[]> signingKeys() {
        return signingKeys.stream().map(byte[]::clone).toList();
    }

    /** Which change stream of the database invalidates writes made outside the driver ({@code sqlcache.changeFeed}). */
    public ChangeFeedType changeFeed() {
        return changeFeed;
    }

    /**
     * With a change feed, the longest after an outside commit that an entry it changed may still be served
     * ({@code sqlcache.changeFeed.maxLag}): entries depend on a key the feed keeps alive only while it is this close
     * to the database's present.
     */
    public long changeFeedMaxLagMillis() {
        return changeFeedMaxLagMillis;
    }

    /** Tables pinned on or off ({@code sqlcache.tablePolicy}). */
    public TablePolicy tablePolicy() {
        return tablePolicy;
    }

    /** Equal exactly when every setting has the same value (credentials included). */
    @Override
    public boolean equals(Object other) {
        return other instanceof SqlCacheConfig that && effective.equals(that.effective);
    }

    @Override
    public int hashCode() {
        return effective.hashCode();
    }

    @Override
    public String toString() {
        return "SqlCacheConfig[enabled=" + enabled + ", store=" + storeType.name().toLowerCase(Locale.ROOT)
                + ", redis=" + redis + ", ttl=" + defaultTtlSeconds + "s, tableTtl={" + tableTtls + "}, maxRows="
                + maxRows + ", maxBytes=" + maxBytes + ", nearCache.maxBytes=" + nearCacheMaxBytes + ", nearStaleness=" + nearStaleness + ", databaseId=" + (databaseId == null ? "none" : databaseId)
                + ", analysisCacheSize=" + analysisCacheSize + ", writeLease=" + writeLeaseMillis + "ms, fenceTimeout=" + fenceTimeoutMillis + "ms, triggerWrites={" + triggerWrites + "}, procedureWrites={"
                + procedureWrites + "}, tablePolicy={" + tablePolicy + "}, exclude={" + exclude + "}, signingKey="
                + (signingKeys.isEmpty() ? "none" : "*** (" + signingKeys.size() + ")") + ", changeFeed="
                + changeFeed.name().toLowerCase(Locale.ROOT) + ", changeFeed.maxLag=" + changeFeedMaxLagMillis + "ms]";
    }

    /** Turns raw text into typed values, recording a problem (and a harmless placeholder) for each bad one. */
    private static final class Resolver {
        private final Map<Setting, ConfigLayers.Sourced> raw;
        private final List<String> problems;

        Resolver(Map<Setting, ConfigLayers.Sourced> raw, List<String> problems) {
            this.raw = raw;
            this.problems = problems;
        }

        ConfigLayers.Sourced raw(Setting s) {
            return raw.get(s);
        }

        List<String> problems() {
            return problems;
        }

        Map<Setting, String> effective() {
            Map<Setting, String> values = new java.util.EnumMap<>(Setting.class);
            raw.forEach((setting, sourced) -> values.put(setting, sourced.value()));
            return Collections.unmodifiableMap(values);
        }

        /** The value, or {@code null} when unset or blank. */
        String text(Setting s) {
            ConfigLayers.Sourced v = raw.get(s);
            return v == null || v.value().isBlank() ? null : v.value().trim();
        }

        private void problem(Setting s, String reason) {
            ConfigLayers.Sourced v = raw.get(s);
            String shown = s.secret() ? "***" : v.value();
            problems.add(v.origin() + ": \"" + shown + "\" " + reason);
        }

        boolean bool(Setting s) {
            try {
                return ValueParsers.parseBoolean(raw.get(s).value());
            } catch (ValueParsers.BadValue e) {
                problem(s, e.getMessage());
                return false;
            }
        }

        int integer(Setting s, int min, int max, String what) {
            try {
                return ValueParsers.parseInt(raw.get(s).value(), min, max, what);
            } catch (ValueParsers.BadValue e) {
                problem(s, e.getMessage());
                return min;
            }
        }

        int port(Setting s) {
            try {
                return ValueParsers.parsePort(raw.get(s).value());
            } catch (ValueParsers.BadValue e) {
                problem(s, e.getMessage());
                return 1;
            }
        }

        int millisAtLeast(Setting s, int min, String reason) {
            int millis = millis(s);
            if (millis < min) {
                problem(s, reason);
                return min;
            }
            return millis;
        }

        int millis(Setting s) {
            try {
                return (int) ValueParsers.parseDurationMillis(raw.get(s).value());
            } catch (ValueParsers.BadValue e) {
                problem(s, e.getMessage());
                return 1;
            }
        }

        long ttlSeconds(Setting s) {
            try {
                return ValueParsers.parseTtlSeconds(raw.get(s).value());
            } catch (ValueParsers.BadValue e) {
                problem(s, e.getMessage());
                return 1;
            }
        }

        long bytes(Setting s, long max) {
            try {
                return ValueParsers.parseBytes(raw.get(s).value(), max);
            } catch (ValueParsers.BadValue e) {
                problem(s, e.getMessage());
                return 1;
            }
        }

        long bytesOrZero(Setting s, long max) {
            try {
                return ValueParsers.parseBytes(raw.get(s).value(), max, true);
            } catch (ValueParsers.BadValue e) {
                problem(s, e.getMessage());
                return 0;
            }
        }

        StoreType storeType() {
            String value = raw.get(Setting.STORE).value().trim().toLowerCase(Locale.ROOT);
            switch (value) {
                case "redis":
                    return StoreType.REDIS;
                case "memory":
                    return StoreType.MEMORY;
                default:
                    problem(Setting.STORE, "is not a store type (redis or memory)");
                    return StoreType.REDIS;
            }
        }

        ChangeFeedType changeFeed() {
            String value = raw.get(Setting.CHANGE_FEED).value().trim().toLowerCase(Locale.ROOT);
            switch (value) {
                case "none", "":
                    return ChangeFeedType.NONE;
                case "postgres", "postgresql":
                    return ChangeFeedType.POSTGRES;
                default:
                    problem(Setting.CHANGE_FEED, "is not a change feed (none or postgres)");
                    return ChangeFeedType.NONE;
            }
        }

        /**
         * The sentinel settings, or {@code null} when {@code sqlcache.redis.sentinels} is unset. Half a Sentinel
         * configuration is an error rather than a quiet fall-back to {@code host:port}: the application would cache
         * in a Redis nobody meant.
         */
        SentinelSettings sentinel() {
            ConfigLayers.Sourced nodes = raw.get(Setting.REDIS_SENTINELS);
            String master = text(Setting.REDIS_SENTINEL_MASTER);
            String user = text(Setting.REDIS_SENTINEL_USER);
            String password = text(Setting.REDIS_SENTINEL_PASSWORD);
            if (nodes == null) {
                for (Setting s : new Setting[] {Setting.REDIS_SENTINEL_MASTER, Setting.REDIS_SENTINEL_USER,
                        Setting.REDIS_SENTINEL_PASSWORD}) {
                    if (raw.get(s) != null) {
                        problems.add(raw.get(s).origin() + ": is set but " + Setting.REDIS_SENTINELS.property
                                + " (" + Setting.REDIS_SENTINELS.environment + ") is not; name the sentinels too");
                    }
                }
                return null;
            }
            java.util.List<SentinelSettings.Node> nodeList;
            try {
                nodeList = ValueParsers.parseNodes(nodes.value());
            } catch (ValueParsers.BadValue e) {
                problem(Setting.REDIS_SENTINELS, e.getMessage());
                return null;
            }
            boolean ok = true;
            if (master == null) {
                problems.add(nodes.origin() + ": needs " + Setting.REDIS_SENTINEL_MASTER.property + " ("
                        + Setting.REDIS_SENTINEL_MASTER.environment + "), the name the sentinels monitor the primary "
                        + "under");
                ok = false;
            }
            if (user != null && password == null) {
                problems.add(raw.get(Setting.REDIS_SENTINEL_USER).origin() + ": needs "
                        + Setting.REDIS_SENTINEL_PASSWORD.property + " (" + Setting.REDIS_SENTINEL_PASSWORD.environment
                        + "): a sentinel user authenticates with a password");
                ok = false;
            }
            ConfigLayers.Sourced socket = raw.get(Setting.REDIS_SOCKET_PATH);
            if (text(Setting.REDIS_SOCKET_PATH) != null) {
                problems.add(socket.origin() + ": cannot be combined with " + nodes.origin()
                        + " (sentinels name a TCP address for the primary)");
                ok = false;
            }
            return ok ? new SentinelSettings(nodeList, master, user, password) : null;
        }

        /**
         * The cluster's seed nodes, or {@code null} when {@code sqlcache.redis.cluster} is unset. A cluster has one
         * database (0) and speaks TCP; naming sentinels as well leaves it unclear which Redis is meant.
         */
        ClusterSettings cluster() {
            ConfigLayers.Sourced nodes = raw.get(Setting.REDIS_CLUSTER);
            if (nodes == null || nodes.value().isBlank()) {
                return null;
            }
            java.util.List<SentinelSettings.Node> nodeList;
            try {
                nodeList = ValueParsers.parseNodes(nodes.value());
            } catch (ValueParsers.BadValue e) {
                problem(Setting.REDIS_CLUSTER, e.getMessage());
                return null;
            }
            boolean ok = true;
            for (Setting other : new Setting[] {Setting.REDIS_SENTINELS, Setting.REDIS_SOCKET_PATH}) {
                if (text(other) != null) {
                    problems.add(raw.get(other).origin() + ": cannot be combined with " + nodes.origin()
                            + " (a Redis Cluster is reached through its nodes alone)");
                    ok = false;
                }
            }
            ConfigLayers.Sourced db = raw.get(Setting.REDIS_DB);
            if (db != null && !db.value().trim().equals("0")) {
                problems.add(db.origin() + ": a Redis Cluster has only database 0, but " + nodes.origin()
                        + " names a cluster");
                ok = false;
            }
            return ok ? new ClusterSettings(nodeList) : null;
        }

        DeclaredWrites declaredWrites(Setting s) {
            ConfigLayers.Sourced v = raw.get(s);
            return v == null ? DeclaredWrites.none() : DeclaredWrites.parse(v.value(), v.origin(), problems);
        }

        NearStaleness nearStaleness() {
            ConfigLayers.Sourced all = raw.get(Setting.NEAR_CACHE_MAX_STALENESS);
            long fallback = 0;
            if (all != null) {
                try {
                    fallback = ValueParsers.parseDurationOrZeroMillis(all.value());
                } catch (ValueParsers.BadValue e) {
                    problem(Setting.NEAR_CACHE_MAX_STALENESS, e.getMessage());
                }
            }
            ConfigLayers.Sourced v = raw.get(Setting.TABLE_NEAR_CACHE);
            return NearStaleness.parse(v == null ? "" : v.value(), v == null ? "" : v.origin(), fallback, problems);
        }

        TableTtls tableTtls() {
            ConfigLayers.Sourced v = raw.get(Setting.TABLE_TTL);
            return v == null ? TableTtls.empty() : TableTtls.parse(v.value(), v.origin(), problems);
        }
    }
}
