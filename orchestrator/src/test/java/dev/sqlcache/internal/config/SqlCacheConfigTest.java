package dev.sqlcache.internal.config;

import dev.sqlcache.internal.runtime.RuntimeKey;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SqlCacheConfigTest {

    @TempDir
    Path dir;

    private static SqlCacheConfig load(Map<String, String> env, Map<String, String> props) {
        try {
            return SqlCacheConfig.load(env, props);
        } catch (InvalidConfigurationException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    private static SqlCacheConfig props(String... keyValues) {
        return load(Map.of(), map(keyValues));
    }

    private static Map<String, String> map(String... keyValues) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    private static String error(Map<String, String> env, Map<String, String> props) {
        return assertThrows(InvalidConfigurationException.class, () -> SqlCacheConfig.load(env, props)).getMessage();
    }

    private Path file(String contents) throws IOException {
        Path f = Files.createTempFile(dir, "sqlcache", ".properties");
        Files.writeString(f, contents);
        return f;
    }

    @Test
    void defaults() {
        SqlCacheConfig c = props();
        assertTrue(c.enabled());
        assertEquals(StoreType.REDIS, c.storeType());
        RedisSettings r = c.redis();
        assertEquals("localhost", r.host());
        assertEquals(6379, r.port());
        assertNull(r.socketPath());
        assertNull(r.username());
        assertNull(r.password());
        assertEquals(0, r.database());
        assertFalse(r.ssl());
        assertEquals(16, r.maxConnections());
        assertEquals(500, r.socketTimeoutMillis());
        assertEquals(1000, r.connectTimeoutMillis());
        assertEquals(300, c.defaultTtlSeconds());
        assertEquals(300, c.ttlSeconds("orders"));
        assertEquals(10_000, c.maxRows());
        assertEquals(1024 * 1024, c.maxBytes());
        assertEquals(Optional.empty(), c.databaseId());
        assertEquals(10_000, c.analysisCacheSize());
        assertEquals("redis localhost:6379 db 0", RuntimeKey.of(c).toString());
    }

    @Test
    void everySettingCanBeSetByPropertyAndByEnvironment() {
        Map<String, String> values = map(
                "enabled", "false", "store", "memory", "redis.socketPath", "/tmp/r.sock", "redis.host", "h",
                "redis.port", "7000", "redis.username", "u", "redis.password", "p", "redis.db", "3",
                "redis.ssl", "true", "redis.maxConnections", "4", "redis.socketTimeout", "250ms",
                "redis.socketConnectTimeout", "2", "ttl", "1h", "tableTtl", "orders=60", "maxRows", "5",
                "maxBytes", "2kb", "databaseId", "db1", "analysisCacheSize", "7");
        Map<String, String> props = new HashMap<>();
        Map<String, String> env = new HashMap<>();
        values.forEach((name, value) -> {
            Setting s = Setting.byProperty("sqlcache." + name).orElseThrow();
            props.put(s.property, value);
            env.put(s.environment, value);
        });
        for (SqlCacheConfig c : List.of(load(Map.of(), props), load(env, Map.of()))) {
            assertFalse(c.enabled());
            assertEquals(StoreType.MEMORY, c.storeType());
            assertEquals(new RedisSettings("h", 7000, "/tmp/r.sock", "u", "p", 3, true, 4, 250, 2000), c.redis());
            assertEquals(3600, c.defaultTtlSeconds());
            assertEquals(60, c.ttlSeconds("orders"));
            assertEquals(5, c.maxRows());
            assertEquals(2048, c.maxBytes());
            assertEquals(Optional.of("db1"), c.databaseId());
            assertEquals(7, c.analysisCacheSize());
            assertEquals("memory", RuntimeKey.of(c).toString());
        }
    }

    /** Sensitive tables: by property or SQLCACHE_EXCLUDE, globs, qualified or not, any schema for a bare name. */
    @Test
    void excludedTablesMatchByQualifiedOrBareNameAndGlob() {
        for (SqlCacheConfig c : List.of(props("sqlcache.exclude", " Users , *_token*,billing.*"),
                load(Map.of("SQLCACHE_EXCLUDE", "users,*_token*,billing.*"), Map.of()))) {
            TableExclusions x = c.exclude();
            assertTrue(x.excludes("users"));
            assertTrue(x.excludes("public.users"), "a bare name excludes it in every schema");
            assertTrue(x.excludes("USERS"));
            assertTrue(x.excludes("api_token_grants"));
            assertTrue(x.excludes("billing.invoices"));
            assertFalse(x.excludes("invoices"), "billing.* is qualified");
            assertFalse(x.excludes("users_archive"));
            assertTrue(x.excludesAny(List.of("orders", "public.users")));
            assertFalse(x.excludesAny(List.of("orders")));
            assertTrue(c.toString().contains("exclude={users,*_token*,billing.*}"), c.toString());
        }
        assertFalse(props().exclude().excludes("users"), "nothing excluded by default");
        assertTrue(error(Map.of(), map("sqlcache.exclude", "users=off")).contains("sqlcache.exclude"));
    }

    /** Signing keys: literal or from a file, several for rotation (first signs), never shown. */
    @Test
    void signingKeysComeFromTheSettingOrAFileAndAreNeverShown() throws IOException {
        String first = "k1-0123456789abcdef-secret";
        String second = "k2-0123456789abcdef-secret";
        Path secret = dir.resolve("signing");
        Files.writeString(secret, second + "\n\n" + first + "\n");
        for (SqlCacheConfig c : List.of(props("sqlcache.signingKey", first + " , " + second),
                load(Map.of("SQLCACHE_SIGNING_KEY", first + "," + second), Map.of()),
                props("sqlcache.signingKey", first + ",file:" + secret))) {
            List<byte[]> keys = c.signingKeys();
            assertTrue(keys.size() >= 2);
            assertEquals(first, new String(keys.get(0), java.nio.charset.StandardCharsets.UTF_8), "the first signs");
            assertFalse(c.toString().contains("secret"), c.toString());
            assertTrue(c.toString().contains("signingKey=***"), c.toString());
        }
        assertTrue(props().signingKeys().isEmpty(), "unsigned by default");
        String shortKey = error(Map.of(), map("sqlcache.signingKey", "short-secret"));
        assertTrue(shortKey.contains("shorter than 16 bytes"), shortKey);
        assertFalse(shortKey.contains("short-secret"), shortKey);
        String missing = error(Map.of(), map("sqlcache.signingKey", "file:" + dir.resolve("none")));
        assertTrue(missing.contains("cannot read the signing key file"), missing);
        assertNotEquals(props("sqlcache.signingKey", first), props("sqlcache.signingKey", second));
    }

    /** TLS files by property or environment; they need TLS on, a certificate needs its key, files must exist. */
    @Test
    void tlsFilesAreSettingsOfTheirOwn() throws IOException {
        Path ca = file("ca");
        Path cert = file("cert");
        Path key = file("key");
        for (SqlCacheConfig c : List.of(props("sqlcache.redis.url", "rediss://h:1", "sqlcache.redis.tls.caFile",
                        ca.toString(), "sqlcache.redis.tls.certFile", cert.toString(), "sqlcache.redis.tls.keyFile",
                        key.toString()),
                load(Map.of("REDIS_URL", "rediss://h:1", "REDIS_TLS_CA_FILE", ca.toString(), "REDIS_TLS_CERT_FILE",
                        cert.toString(), "REDIS_TLS_KEY_FILE", key.toString()), Map.of()))) {
            assertEquals(ca.toString(), c.redis().tlsCaFile());
            assertEquals(cert.toString(), c.redis().tlsCertFile());
            assertEquals(key.toString(), c.redis().tlsKeyFile());
            assertNotEquals(RuntimeKey.of(props("sqlcache.redis.url", "rediss://h:1")), RuntimeKey.of(c));
        }
        assertTrue(error(Map.of(), map("sqlcache.redis.tls.caFile", ca.toString())).contains("TLS is off"));
        assertTrue(error(Map.of(), map("sqlcache.redis.url", "rediss://h:1", "sqlcache.redis.tls.certFile",
                cert.toString())).contains("go together"));
        assertTrue(error(Map.of(), map("sqlcache.redis.url", "rediss://h:1", "sqlcache.redis.tls.caFile",
                dir.resolve("missing.pem").toString())).contains("cannot read"));
    }

    @Test
    void knownNamesCoverEverySettingAndThePrefixIsRecognised() {
        assertEquals(Setting.values().length, SqlCacheConfig.knownPropertyNames().size());
        assertTrue(SqlCacheConfig.knownPropertyNames().contains("sqlcache.redis.socketConnectTimeout"));
        assertTrue(SqlCacheConfig.isSqlCacheProperty("sqlcache.ttl"));
        assertFalse(SqlCacheConfig.isSqlCacheProperty("user"));
        assertFalse(SqlCacheConfig.isSqlCacheProperty(null));
    }

    @Test
    void layersApplyDefaultsThenFileThenEnvironmentThenProperties() throws IOException {
        Path f = file("sqlcache.redis.port=1111\nsqlcache.redis.host=file-host\nsqlcache.maxRows=11\n"
                + "sqlcache.redis.db=5\n");
        SqlCacheConfig c = load(map("SQLCACHE_CONFIG", f.toString(), "REDIS_PORT", "2222", "SQLCACHE_MAX_ROWS", "22"),
                map("sqlcache.maxRows", "33"));
        assertEquals("file-host", c.redis().host());
        assertEquals(2222, c.redis().port());
        assertEquals(33, c.maxRows());
        assertEquals(5, c.redis().database());
    }

    @Test
    void thePropertyNamingAFileWinsOverTheEnvironment() throws IOException {
        Path fromEnv = file("sqlcache.maxRows=1\n");
        Path fromProp = file("sqlcache.maxRows=2\n");
        SqlCacheConfig c = load(map("SQLCACHE_CONFIG", fromEnv.toString()),
                map("sqlcache.config", fromProp.toString()));
        assertEquals(2, c.maxRows());
    }

    @Test
    void aClasspathFileIsUsedWhenNoFileIsNamed() throws IOException {
        Files.writeString(dir.resolve("sqlcache.properties"), "sqlcache.maxRows=77\n");
        ClassLoader previous = Thread.currentThread().getContextClassLoader();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, null)) {
            Thread.currentThread().setContextClassLoader(loader);
            assertEquals(77, props().maxRows());
            Path named = file("sqlcache.maxRows=88\n");
            assertEquals(88, props("sqlcache.config", named.toString()).maxRows());
        } finally {
            Thread.currentThread().setContextClassLoader(previous);
        }
    }

    @Test
    void aMissingNamedFileIsAnError() {
        String message = error(map("SQLCACHE_CONFIG", dir.resolve("nope.properties").toString()), Map.of());
        assertTrue(message.startsWith("SQLCACHE_CONFIG: "), message);
        assertTrue(message.contains("does not exist"), message);
    }

    @Test
    void errorsInAFileNameTheFile() throws IOException {
        Path f = file("sqlcache.redis.port=abc\nsqlcache.rows=3\n");
        String message = error(Map.of(), map("sqlcache.config", f.toString()));
        assertTrue(message.contains("sqlcache.redis.port (in " + f + "): \"abc\" is not a port number (1-65535)"),
                message);
        assertTrue(message.contains("sqlcache.rows (in " + f + "): unknown setting"), message);
    }

    @Test
    void blankValuesCountAsUnset() {
        SqlCacheConfig c = load(map("REDIS_PORT", "7000"), map("sqlcache.redis.port", " "));
        assertEquals(7000, c.redis().port());
    }

    @Test
    void redisUrlIsSplitIntoSettings() {
        RedisSettings r = props("sqlcache.redis.url", "redis://app:pw%40x@cache.example:6380/2").redis();
        assertEquals(new RedisSettings("cache.example", 6380, null, "app", "pw@x", 2, false, 16, 500, 1000), r);
        RedisSettings tls = props("sqlcache.redis.url", "rediss://:secret@h").redis();
        assertTrue(tls.ssl());
        assertEquals(6379, tls.port());
        assertNull(tls.username());
        assertEquals("secret", tls.password());
        assertEquals("h:6379 db 0 tls", tls.describe());
        RedisSettings unix = props("sqlcache.redis.url", "unix:///run/redis.sock?db=4").redis();
        assertEquals("/run/redis.sock", unix.socketPath());
        assertEquals(4, unix.database());
        assertEquals("::1", props("sqlcache.redis.url", "redis://[::1]:7000").redis().host());
    }

    @Test
    void specificSettingsOfTheSameLayerOverrideTheUrl() {
        SqlCacheConfig c = load(map("REDIS_URL", "redis://a:1/1", "REDIS_PORT", "2", "REDIS_PASSWORD", "p2"),
                Map.of());
        assertEquals("a", c.redis().host());
        assertEquals(2, c.redis().port());
        assertEquals(1, c.redis().database());
        assertEquals("p2", c.redis().password());
    }

    @Test
    void aUrlInAHigherLayerOverridesSpecificSettingsOfALowerOne() {
        SqlCacheConfig c = load(map("REDIS_HOST", "env-host", "REDIS_PORT", "1", "REDIS_SOCKET_PATH", "/s",
                "REDIS_PASSWORD", "kept"), map("sqlcache.redis.url", "redis://url-host"));
        assertEquals("url-host", c.redis().host());
        assertEquals(6379, c.redis().port());
        assertNull(c.redis().socketPath(), "a TCP URL replaces a lower socket path");
        assertEquals("kept", c.redis().password(), "a URL without a password keeps one given elsewhere");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "http://h:1 | is not a Redis URL",
        "redis:///0 | has no host",
        "redis:// | is not a valid URL (redis://host:port/db)",
        "redis://u:p#x@h | special characters in a user or password must be percent-encoded",
        "redis://u:p/x@h:1 | special characters in a user or password must be percent-encoded",
        "redis://h/x | has a database \"x\"",
        "redis://h:1?timeout=3 | has a query string",
        "redis://justapassword@h | without a colon",
        "unix://localhost | has no socket path",
    })
    void badUrlsAreNamed(String url, String reason) {
        String message = error(map("REDIS_URL", url), Map.of());
        assertTrue(message.startsWith("REDIS_URL: "), message);
        assertTrue(message.contains(reason), message);
        assertFalse(message.contains("justapassword"), message);
        assertFalse(message.contains("u:p"), message);
    }

    @Test
    void aBadUrlNeverShowsItsPassword() {
        String message = error(Map.of(), map("sqlcache.redis.url", "redis://u:topsecret@h/notadb"));
        assertTrue(message.contains("redis://***@h/notadb"), message);
        assertFalse(message.contains("topsecret"), message);
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
        "sqlcache.enabled | maybe | is not a boolean",
        "sqlcache.store | disk | is not a store type (redis or memory)",
        "sqlcache.redis.port | abc | is not a port number (1-65535)",
        "sqlcache.redis.port | 0 | is not a port number (1-65535)",
        "sqlcache.redis.port | 70000 | is not a port number (1-65535)",
        "sqlcache.redis.db | -1 | is not a database number",
        "sqlcache.redis.ssl | tls | is not a boolean",
        "sqlcache.redis.maxConnections | 0 | is not a connection count",
        "sqlcache.redis.socketTimeout | 0 | is not a positive duration",
        "sqlcache.redis.socketTimeout | fast | is not a duration",
        "sqlcache.redis.socketTimeout | 0.0001 | is finer than a millisecond",
        "sqlcache.redis.socketConnectTimeout | -1s | is not a positive duration",
        "sqlcache.ttl | 0 | is not a positive duration",
        "sqlcache.ttl | -5 | is not a positive duration",
        "sqlcache.ttl | 1.5 | is not a whole number of seconds",
        "sqlcache.ttl | 10 years | is not a duration",
        "sqlcache.maxRows | many | is not a row count",
        "sqlcache.maxRows | 0 | is not a row count",
        "sqlcache.maxBytes | 1tb | is not a size",
        "sqlcache.maxBytes | 0 | is not a positive size",
        "sqlcache.maxBytes | 4gb | is too large",
        "sqlcache.analysisCacheSize | -1 | is not a cache size",
    })
    void everyBadValueIsNamedInTheMessage(String property, String value, String reason) {
        String message = error(Map.of(), map(property, value));
        assertTrue(message.startsWith(property + ": \"" + value + "\" " + reason), message);
    }

    @Test
    void theFenceTimeoutDefaultsToThirtySecondsAndIsNeverShorterThanAMembershipCanTakeToLapse() {
        assertEquals(30_000, props().fenceTimeoutMillis());
        assertEquals(12_000, props("sqlcache.fenceTimeout", "12s").fenceTimeoutMillis());
        assertEquals(60_000, load(map("SQLCACHE_FENCE_TIMEOUT", "1m"), Map.of()).fenceTimeoutMillis());
        String message = error(Map.of(), map("sqlcache.fenceTimeout", "1s"));
        assertTrue(message.startsWith("sqlcache.fenceTimeout: \"1s\" must be at least 5s"), message);
    }

    @Test
    void badEnvironmentValuesAreNamedByTheirVariable() {
        String message = error(map("REDIS_PORT", "abc"), Map.of());
        assertEquals("REDIS_PORT: \"abc\" is not a port number (1-65535)", message);
    }

    @Test
    void allProblemsAreReportedAtOnce() {
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                () -> SqlCacheConfig.load(map("SQLCACHE_TTL", "0"), map("sqlcache.maxRows", "x",
                        "sqlcache.redis.prot", "1")));
        assertEquals(3, e.problems().size(), e.getMessage());
    }

    @Test
    void unknownPropertiesAreErrorsWithASuggestion() {
        assertEquals("sqlcache.redis.prot: unknown setting (did you mean sqlcache.redis.port?)",
                error(Map.of(), map("sqlcache.redis.prot", "1")));
        assertEquals("sqlcache.maxrows: unknown setting (did you mean sqlcache.maxRows?)",
                error(Map.of(), map("sqlcache.maxrows", "1")));
        assertEquals("sqlcache.somethingElseEntirely: unknown setting",
                error(Map.of(), map("sqlcache.somethingElseEntirely", "1")));
    }

    @Test
    void unknownSqlcacheEnvironmentVariablesAreErrorsButOtherRedisOnesAreIgnored() {
        assertEquals("SQLCACHE_TTLL: unknown environment variable (did you mean SQLCACHE_TTL?)",
                error(map("SQLCACHE_TTLL", "1"), Map.of()));
        SqlCacheConfig c = load(map("REDIS_VERSION", "7", "REDIS_SENTINEL", "x", "PATH", "/bin"),
                map("user", "app", "password", "x"));
        assertEquals(6379, c.redis().port());
    }

    @Test
    void thePasswordIsMaskedEverywhere() {
        SqlCacheConfig c = props("sqlcache.redis.url", "redis://u:hunter2@h:1/0");
        assertFalse(c.toString().contains("hunter2"), c.toString());
        assertTrue(c.toString().contains("password=***"), c.toString());
        assertFalse(c.redis().toString().contains("hunter2"));
        assertFalse(c.redis().describe().contains("hunter2"));
        assertFalse(RuntimeKey.of(c).toString().contains("hunter2"));
        // The password is never validated, but if it were shown in an error it would be masked.
        assertEquals("h:1 db 0 user u", c.redis().describe());
    }

    @Test
    void configsShareARuntimeExactlyWhenEverythingAboutTheStoreIsTheSame() {
        SqlCacheConfig a = props("sqlcache.redis.url", "redis://h:1/0", "sqlcache.redis.socketTimeout", "2");
        SqlCacheConfig b = props("sqlcache.redis.host", "h", "sqlcache.redis.port", "1",
                "sqlcache.redis.socketTimeout", "2", "sqlcache.ttl", "5");
        assertEquals(RuntimeKey.of(a), RuntimeKey.of(b), "a TTL is the engine's business, not the store's");
        assertNotEquals(a, b);
        assertNotEquals(RuntimeKey.of(a), RuntimeKey.of(props("sqlcache.redis.url", "redis://h:1/0")),
                "another timeout needs another pool");
        assertNotEquals(RuntimeKey.of(a), RuntimeKey.of(props("sqlcache.redis.url", "redis://h:1/1",
                "sqlcache.redis.socketTimeout", "2")));
        assertNotEquals(RuntimeKey.of(a), RuntimeKey.of(props("sqlcache.redis.url", "rediss://h:1/0",
                "sqlcache.redis.socketTimeout", "2")));
        SqlCacheConfig p1 = props("sqlcache.redis.url", "redis://u:p1@h:1/0");
        SqlCacheConfig p2 = props("sqlcache.redis.url", "redis://u:p2@h:1/0");
        assertNotEquals(RuntimeKey.of(p1), RuntimeKey.of(p2), "another password must never reuse a pool");
        assertNotEquals(p1, p2);
        assertEquals(RuntimeKey.of(p1).toString(), RuntimeKey.of(p2).toString(), "printed without the password");
        assertFalse(RuntimeKey.of(p1).toString().contains("p1"));
        assertNotEquals(RuntimeKey.of(props("sqlcache.fenceTimeout", "10s")), RuntimeKey.of(props()));
        assertEquals(props("sqlcache.ttl", "5"), props("sqlcache.ttl", "5"));
        assertEquals("redis unix:/s db 0", RuntimeKey.of(props("sqlcache.redis.socketPath", "/s")).toString());
        assertEquals("memory", RuntimeKey.of(props("sqlcache.store", "MEMORY")).toString());
    }

    @ParameterizedTest(name = "{0} -> {1} ms")
    @CsvSource({"0.5, 500", "1.25, 1250", "250ms, 250", "2s, 2000", "2 s, 2000", "1m, 60000", "1h, 3600000",
        "3, 3000"})
    void durations(String text, long millis) {
        assertEquals(millis, props("sqlcache.redis.socketTimeout", text).redis().socketTimeoutMillis());
    }

    @ParameterizedTest(name = "{0} -> {1} bytes")
    @CsvSource({"100, 100", "100b, 100", "2kb, 2048", "1MB, 1048576", "1 mb, 1048576"})
    void sizes(String text, int bytes) {
        assertEquals(bytes, props("sqlcache.maxBytes", text).maxBytes());
    }

    @Test
    void tableTtlsLookUpTheQualifiedNameThenTheBasename() {
        SqlCacheConfig c = props("sqlcache.ttl", "100",
                "sqlcache.tableTtl", " Orders=60 , public.countries=1h, sales.items = 2m,items=5,");
        assertEquals(60, c.ttlSeconds("orders"));
        assertEquals(60, c.ttlSeconds("ORDERS"));
        assertEquals(60, c.ttlSeconds("shop.orders"));
        assertEquals(3600, c.ttlSeconds("public.countries"));
        assertEquals(100, c.ttlSeconds("countries"), "a qualified entry does not cover other schemas");
        assertEquals(120, c.ttlSeconds("sales.items"));
        assertEquals(5, c.ttlSeconds("other.items"));
        assertEquals(100, c.ttlSeconds("customers"));
        assertEquals(100, c.ttlSeconds(null));
    }

    @ParameterizedTest
    @ValueSource(strings = {"orders", "orders=", "=60", "orders=0", "orders=abc"})
    void badTableTtlsAreNamed(String text) {
        String message = error(map("SQLCACHE_TABLE_TTL", text), Map.of());
        assertTrue(message.startsWith("SQLCACHE_TABLE_TTL: "), message);
    }

    /**
     * Random settings spread over random layers: the value from the highest layer that has one must win.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 99, 2024})
    void theHighestLayerWinsForRandomSettings(long seed) throws IOException {
        Random random = new Random(seed);
        Setting[] candidates = {Setting.REDIS_PORT, Setting.MAX_ROWS, Setting.REDIS_DB, Setting.ANALYSIS_CACHE_SIZE};
        StringBuilder file = new StringBuilder();
        Map<String, String> env = new HashMap<>();
        Map<String, String> props = new HashMap<>();
        Map<Setting, Integer> expected = new HashMap<>();
        for (Setting s : candidates) {
            expected.put(s, Integer.parseInt(s.defaultValue));
            for (int layer = 0; layer < 3; layer++) {
                if (random.nextBoolean()) {
                    int value = 1 + random.nextInt(60_000);
                    switch (layer) {
                        case 0 -> file.append(s.property).append('=').append(value).append('\n');
                        case 1 -> env.put(s.environment, Integer.toString(value));
                        default -> props.put(s.property, Integer.toString(value));
                    }
                    expected.put(s, value);
                }
            }
        }
        env.put("SQLCACHE_CONFIG", file(file.toString()).toString());
        SqlCacheConfig c = load(env, props);
        assertEquals(expected.get(Setting.REDIS_PORT), c.redis().port());
        assertEquals(expected.get(Setting.MAX_ROWS), c.maxRows());
        assertEquals(expected.get(Setting.REDIS_DB), c.redis().database());
        assertEquals(expected.get(Setting.ANALYSIS_CACHE_SIZE), c.analysisCacheSize());
    }
}
