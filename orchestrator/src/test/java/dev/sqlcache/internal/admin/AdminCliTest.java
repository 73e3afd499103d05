package dev.sqlcache.internal.admin;

import dev.sqlcache.internal.membership.MembershipStore;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlcache.internal.config.SqlCacheConfig;
import dev.sqlcache.internal.runtime.CacheRuntime;
import dev.sqlcache.internal.runtime.CacheRuntimes;
import dev.sqlcache.internal.engine.DatabaseIdentity;
import dev.sqlcache.internal.key.CacheKeyBuilder;
import dev.sqlcache.internal.store.CacheStore;
import dev.sqlcache.internal.store.RedisCacheStore;
import dev.sqlcache.testing.RedisServerFixture;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The admin command line against a real redis-server, over TCP and over its Unix socket. */
class AdminCliTest {

    private static final String PG_URL = "jdbc:postgresql://db.example:5432/app";
    private static final Map<String, String> NO_ENV = Map.of();

    private static RedisServerFixture redis;
    private static CacheStore store;

    @BeforeAll
    static void startRedis() throws Exception {
        redis = RedisServerFixture.start();
        store = new RedisCacheStore(SqlCacheConfig.load(NO_ENV, redis.tcpProperties()).redis());
    }

    @AfterAll
    static void stopRedis() {
        if (store != null) {
            store.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @BeforeEach
    void empty() {
        redis.flushAll();
    }

    @AfterEach
    void resetPolicy() {
        redis.command("CONFIG", "SET", "maxmemory-policy", "noeviction");
        redis.command("CONFIG", "SET", "maxmemory", "0");
    }

    static Stream<Arguments> transports() {
        return Stream.of(
                Arguments.of("tcp", List.of("--redis-host", redis.host(), "--redis-port", Integer.toString(redis.port()))),
                Arguments.of("unix", List.of("--redis-socket", redis.socketPath())));
    }

    private static CliRun cli(List<String> connection, String... args) {
        List<String> all = new ArrayList<>(Arrays.asList(args));
        all.addAll(connection);
        return CliRun.run(NO_ENV, all.toArray(new String[0]));
    }

    private static List<String> tcp() {
        return List.of("--redis-host", redis.host(), "--redis-port", Integer.toString(redis.port()));
    }

    private static String databaseHash(String realUrl, String id) {
        return CacheKeyBuilder.shortHash(DatabaseIdentity.of(realUrl, id));
    }

    /** Stores an entry for {@code table} under current tokens of the database and the table. */
    private static String[] putEntry(String table, String sql, String hash, int size) {
        String baseName = table.substring(table.lastIndexOf('.') + 1);
        String[] versionKeys = {"sql:_database:version:" + hash, "sql:" + baseName + ":version:" + hash};
        String[] tokens = store.initVersions(versionKeys);
        String key = "sql:" + table + ":data:" + CacheKeyBuilder.shortHash(sql);
        assertTrue(store.putIfVersions(key, new byte[size], 300, versionKeys, tokens));
        return new String[] {key, tokens[0], tokens[1]};
    }

    private static String get(String key) {
        CacheStore.Lookup lookup = store.lookup("sql:none:data:" + "0".repeat(32), new String[] {key});
        return lookup.versions()[0];
    }

    private static boolean exists(String key) {
        return redis.command("EXISTS", key).equals(":1");
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    // ---- health

    @ParameterizedTest(name = "{0}")
    @MethodSource("transports")
    void healthReportsPingVersionMemoryAndPolicy(String name, List<String> connection) {
        CliRun run = cli(connection, "health").assertSuccess();
        assertTrue(run.out().contains("PONG in "), run::toString);
        assertTrue(run.out().contains(name.equals("unix") ? "unix:" + redis.socketPath() : redis.host() + ":"
                + redis.port()), run::toString);
        assertTrue(run.out().matches("(?s).*version: +\\d+\\.\\d+.*"), run::toString);
        assertTrue(run.out().contains("maxmemory:        0 (no limit)"), run::toString);
        assertTrue(run.out().contains("maxmemory-policy: noeviction"), run::toString);
        assertTrue(run.out().contains("refuses writes"), run::toString);
        assertEquals("", run.err());
    }

    @Test
    void healthExplainsAnAllKeysPolicy() {
        redis.command("CONFIG", "SET", "maxmemory", "100mb");
        redis.command("CONFIG", "SET", "maxmemory-policy", "allkeys-lru");
        CliRun run = cli(tcp(), "health").assertSuccess();
        assertTrue(run.out().contains("maxmemory-policy: allkeys-lru"), run::toString);
        assertTrue(run.out().contains("version keys (which have no TTL) included"), run::toString);
        assertTrue(run.out().contains("lease may be evicted while the write runs"), run::toString);
        assertTrue(run.out().contains("(104857600 bytes)"), run::toString);

        redis.command("CONFIG", "SET", "maxmemory-policy", "volatile-lru");
        run = cli(tcp(), "health").assertSuccess();
        assertTrue(run.out().contains("evicts only keys with a TTL"), run::toString);
        assertTrue(run.out().contains("lease may be evicted while the write runs"), run::toString);
    }

    @Test
    void healthOfAnUnreachableServerIsOneLineAndExitOne() throws Exception {
        int port = freePort();
        CliRun run = CliRun.run(NO_ENV, "health", "--redis-host", "127.0.0.1", "--redis-port", Integer.toString(port))
                .assertOneLineError(1);
        assertTrue(run.err().startsWith("sqlcache-admin health: redis 127.0.0.1:" + port + " db 0: connect failed: cannot connect ("),
                run::toString);
        assertTrue(run.err().contains("cannot connect"), run::toString);

        CliRun socket = CliRun.run(NO_ENV, "health", "--redis-socket", "/nonexistent/redis.sock")
                .assertOneLineError(1);
        assertTrue(socket.err().contains("unix:/nonexistent/redis.sock"), socket::toString);
    }

    /** A cluster none of whose nodes answers is a Redis failure like any other (ClusterAdminCliTest: one that does). */
    @Test
    void anUnreachableClusterIsOneLineAndExitOne() throws Exception {
        for (String command : new String[] {"health", "stats", "flush"}) {
            CliRun run = CliRun.run(Map.of("REDIS_CLUSTER_NODES", "127.0.0.1:" + freePort()), command)
                    .assertOneLineError(1);
            assertTrue(run.err().contains("cluster"), run::toString);
        }
    }

    @Test
    void verboseAddsTheStackTrace() throws Exception {
        CliRun run = CliRun.run(NO_ENV, "health", "--verbose", "--redis-port", Integer.toString(freePort()));
        assertEquals(1, run.exitCode());
        assertTrue(run.err().contains("\tat "), run::toString);
    }

    @Test
    void theEnvironmentIsReadLikeTheDriverDoes() {
        CliRun run = CliRun.run(Map.of("REDIS_SOCKET_PATH", redis.socketPath()), "health").assertSuccess();
        assertTrue(run.out().contains("unix:" + redis.socketPath()), run::toString);

        // An address on the command line replaces the environment's, socket included.
        run = CliRun.run(Map.of("REDIS_SOCKET_PATH", "/nonexistent.sock"), "health", "--redis-host", redis.host(),
                "--redis-port", Integer.toString(redis.port())).assertSuccess();
        assertTrue(run.out().contains(redis.host() + ":" + redis.port()), run::toString);

        run = CliRun.run(Map.of("REDIS_URL", "redis://" + redis.host() + ":" + redis.port() + "/3"), "health")
                .assertSuccess();
        assertTrue(run.out().contains(redis.port() + " db 3"), run::toString);
    }

    // ---- stats

    @ParameterizedTest(name = "{0}")
    @MethodSource("transports")
    void statsCountsEntriesBytesVersionKeysAndDatabases(String name, List<String> connection) {
        String a = databaseHash(PG_URL, null);
        String b = databaseHash("jdbc:mariadb://other/app", null);
        putEntry("orders", "q1", a, 100);
        putEntry("orders", "q2", a, 50);
        putEntry("public.orders", "q3", a, 7);
        putEntry("customers", "q4", b, 1000);
        redis.command("SET", "sql:something-else", "x");
        redis.command("SET", "unrelated", "y");

        CliRun run = cli(connection, "stats").assertSuccess();
        String out = run.out();
        // 4 entries; version keys: _database for a and b, orders/public.orders (one key: orders) for a, customers for b
        assertTrue(out.contains(": 9 keys matching sql:*\n"), run::toString);
        assertTrue(out.matches("(?s).*\\norders +2 +150 +1\\n.*"), run::toString);
        assertTrue(out.matches("(?s).*\\npublic\\.orders +1 +7 +0\\n.*"), run::toString);
        assertTrue(out.matches("(?s).*\\ncustomers +1 +1000 +1\\n.*"), run::toString);
        assertTrue(out.matches("(?s).*\\ntotal +4 +1157 +2\\n.*"), run::toString);
        assertTrue(out.contains("version keys: 4 (2 database-wide)"), run::toString);
        assertTrue(out.contains("databases seen: 2"), run::toString);
        assertTrue(out.contains("  " + a + ": 1 table version keys, database-wide key"), run::toString);
        assertTrue(out.contains("other sql:* keys (not sqlcache's layout): 1"), run::toString);
        assertFalse(out.contains("partial"), run::toString);
    }

    @Test
    void statsOfAnEmptyRedis() {
        CliRun run = cli(tcp(), "stats").assertSuccess();
        assertTrue(run.out().contains(": 0 keys matching sql:*"), run::toString);
        assertTrue(run.out().contains("databases seen: 0"), run::toString);
    }

    @Test
    void statsReportsMembersAndTheFence() {
        redis.command("DEL", MembershipStore.MEMBERS_KEY, MembershipStore.FENCE_KEY);
        assertTrue(cli(tcp(), "stats").assertSuccess().out()
                .contains("members: 0 JVMs (0 lapsed); caching: not started (no JVM has joined yet)"));

        redis.command("ZADD", MembershipStore.MEMBERS_KEY, "1", "crashed-jvm");
        redis.command("ZADD", MembershipStore.MEMBERS_KEY, "99999999999999", "live-jvm");
        CliRun run = cli(tcp(), "stats").assertSuccess();
        assertTrue(run.out().contains("members: 2 JVMs (1 lapsed); caching: stopped: no JVM uses the cache"), run::toString);
        assertTrue(run.out().contains(": 0 keys matching sql:*"), run::toString);

        redis.command("SET", MembershipStore.FENCE_KEY, "token");
        assertTrue(cli(tcp(), "stats").assertSuccess().out().contains("caching: allowed (every member is renewing)"));
        redis.command("DEL", MembershipStore.MEMBERS_KEY, MembershipStore.FENCE_KEY);
    }

    @Test
    void statsStopsAtTheLimit() {
        String hash = databaseHash(PG_URL, null);
        for (int i = 0; i < 30; i++) {
            putEntry("orders", "q" + i, hash, 10);
        }
        CliRun run = cli(tcp(), "stats", "--limit", "5").assertSuccess();
        assertTrue(run.out().contains(": 5 keys matching sql:* (stopped at --limit 5; the counts below are partial)"),
                run::toString);
        run = cli(tcp(), "stats", "--limit", "32").assertSuccess();
        assertTrue(run.out().contains(": 32 keys matching sql:*\n"), run::toString);
        assertTrue(run.out().matches("(?s).*\\ntotal +30 +300 +1\\n.*"), run::toString);
    }

    // ---- invalidate

    @ParameterizedTest(name = "{0}")
    @MethodSource("transports")
    void invalidateMakesTheTablesEntriesStale(String name, List<String> connection) {
        String hash = databaseHash(PG_URL, null);
        String[] orders = putEntry("orders", "select * from orders", hash, 10);
        String[] customers = putEntry("customers", "select * from customers", hash, 10);
        String ordersVersion = "sql:orders:version:" + hash;
        String customersVersion = "sql:customers:version:" + hash;
        String databaseVersion = "sql:_database:version:" + hash;
        assertEquals(orders[2], get(ordersVersion));

        // The sqlcache URL, with its settings and credentials, names the same database as the real one.
        CliRun run = cli(connection, "invalidate", "--url",
                "jdbc:sqlcache:postgresql://db.example:5432/app?sqlcache.ttl=60&user=app&password=hunter2",
                "--table", "public.\"Orders\"").assertSuccess();

        assertNotEquals(orders[2], get(ordersVersion), "the table's token changed");
        assertNotNull(get(ordersVersion));
        assertEquals(customers[2], get(customersVersion), "other tables keep theirs");
        assertEquals(orders[1], get(databaseVersion), "the database-wide token is kept");
        // The entry is still there but no longer matches: the put check and the read compare tokens.
        CacheStore.Lookup lookup = store.lookup(orders[0], new String[] {databaseVersion, ordersVersion});
        assertNotNull(lookup.entry());
        assertFalse(Arrays.equals(new String[] {orders[1], orders[2]}, lookup.versions()));
        assertFalse(store.putIfVersions(orders[0], new byte[1], 60,
                new String[] {databaseVersion, ordersVersion}, new String[] {orders[1], orders[2]}));

        assertTrue(run.out().contains("hash " + hash), run::toString);
        assertTrue(run.out().contains("  " + ordersVersion + "\n"), run::toString);
        assertFalse(run.out().contains("hunter2") || run.err().contains("hunter2"), run::toString);
        assertEquals("", run.err());
    }

    @Test
    void invalidateWithoutTablesBumpsTheDatabaseWideToken() {
        String hash = databaseHash(PG_URL, null);
        String[] orders = putEntry("orders", "q", hash, 10);
        CliRun run = cli(tcp(), "invalidate", "--url", PG_URL).assertSuccess();
        assertNotEquals(orders[1], get("sql:_database:version:" + hash));
        assertEquals(orders[2], get("sql:orders:version:" + hash));
        assertTrue(run.out().contains("every entry of the database"), run::toString);
    }

    @Test
    void invalidateBumpsTheVeryKeyTheEngineUses() throws Exception {
        // The engine, told to invalidate everything, writes its database-wide key; the CLI must hit the same one.
        SqlCacheConfig config = SqlCacheConfig.load(NO_ENV, redis.tcpProperties());
        CacheRuntime runtime = CacheRuntimes.acquire(config);
        try {
            runtime.engine(config, PG_URL).invalidateAll();
        } finally {
            CacheRuntimes.release(runtime);
        }
        // The database-wide key and the write sequence, which every invalidation advances.
        List<String> keys = keys();
        assertEquals(2, keys.size(), keys::toString);
        String engineKey = keys.stream().filter(k -> k.startsWith("sql:_database:version:")).findFirst().orElseThrow();
        String sequence = keys.stream().filter(k -> k.startsWith(CacheStore.SEQUENCE_PREFIX)).findFirst().orElseThrow();
        String before = get(engineKey);
        String sequenceBefore = get(sequence);

        cli(tcp(), "invalidate", "--url", "jdbc:sqlcache:postgresql://db.example:5432/app;sqlcache.ttl=5")
                .assertSuccess();
        assertEquals(Set.copyOf(keys), Set.copyOf(keys()), "no other key was written");
        assertNotEquals(before, get(engineKey));
        assertNotEquals(sequenceBefore, get(sequence));
    }

    /** Every key but the engine's membership ({@link CacheStore#MEMBERS_KEY} and the fence it keeps alive). */
    private static List<String> keys() {
        try (redis.clients.jedis.Jedis jedis = new redis.clients.jedis.Jedis(redis.host(), redis.port())) {
            List<String> keys = new ArrayList<>(jedis.keys("*"));
            keys.removeIf(key -> key.equals(MembershipStore.MEMBERS_KEY) || key.equals(MembershipStore.FENCE_KEY)
                    || key.equals(dev.sqlcache.internal.store.NearChannel.MEMBERS_KEY));
            return keys;
        }
    }

    @Test
    void invalidateUsesTheDatabaseIdFromTheOptionTheUrlOrTheEnvironment() {
        String byId = databaseHash("ignored", "shop");
        String[] entry = putEntry("orders", "q", byId, 10);
        cli(tcp(), "invalidate", "--url", PG_URL, "--database-id", "shop", "--table", "orders").assertSuccess();
        String after = get("sql:orders:version:" + byId);
        assertNotEquals(entry[2], after);

        cli(tcp(), "invalidate", "--url", "jdbc:sqlcache:postgresql://x/y?sqlcache.databaseId=shop", "--table",
                "orders").assertSuccess();
        String again = get("sql:orders:version:" + byId);
        assertNotEquals(after, again);

        List<String> args = new ArrayList<>(List.of("invalidate", "--url", PG_URL, "--table", "orders"));
        args.addAll(tcp());
        CliRun run = CliRun.run(Map.of("SQLCACHE_DATABASE_ID", "shop"), args.toArray(new String[0])).assertSuccess();
        assertNotEquals(again, get("sql:orders:version:" + byId), run::toString);
        assertNull(get("sql:orders:version:" + databaseHash(PG_URL, null)), "the URL's own hash is not used");
    }

    @Test
    void invalidateOfSeveralTablesAndANoteWhenNothingWasCached() {
        String hash = databaseHash(PG_URL, null);
        CliRun run = cli(tcp(), "invalidate", "--url", PG_URL, "--table", "a,b", "--table", "C").assertSuccess();
        for (String table : List.of("a", "b", "c")) {
            assertNotNull(get("sql:" + table + ":version:" + hash), table);
        }
        assertTrue(run.out().contains("(new: nothing was cached under it)"), run::toString);
        assertTrue(run.err().contains("check that --url and --database-id are the application's"), run::toString);
    }

    @Test
    void embeddedDatabasesCannotBeInvalidatedFromOutside() {
        for (String url : List.of("jdbc:h2:mem:app", "jdbc:sqlcache:h2:./data/app;sqlcache.ttl=5", "jdbc:h2:mem:")) {
            CliRun run = cli(tcp(), "invalidate", "--url", url).assertOneLineError(2);
            assertTrue(run.err().contains("is an embedded database"), run::toString);
        }
        assertEquals(List.of(), keys(), "nothing was written");
        // With an id the application's H2 database is nameable, and so invalidable.
        cli(tcp(), "invalidate", "--url", "jdbc:h2:mem:app", "--database-id", "app").assertSuccess();
    }

    // ---- flush

    @ParameterizedTest(name = "{0}")
    @MethodSource("transports")
    void flushOfATableDeletesOnlyItsEntriesAndNeedsYes(String name, List<String> connection) {
        String hash = databaseHash(PG_URL, null);
        String[] orders = putEntry("orders", "q1", hash, 10);
        String[] qualified = putEntry("public.orders", "q2", hash, 10);
        String[] customers = putEntry("customers", "q3", hash, 10);
        String[] items = putEntry("order_items", "q4", hash, 10);
        redis.command("SET", "unrelated", "y");

        CliRun dry = cli(connection, "flush", "--table", "Orders");
        assertEquals(2, dry.exitCode(), dry::toString);
        assertTrue(dry.err().contains("would delete 2 keys matching sql:orders:data:* and sql:*.orders:data:*"),
                dry::toString);
        assertTrue(dry.err().contains("--yes"), dry::toString);
        assertTrue(exists(orders[0]) && exists(qualified[0]), "nothing deleted without --yes");

        CliRun run = cli(connection, "flush", "--table", "Orders", "--yes").assertSuccess();
        assertTrue(run.out().contains("deleted 2 keys"), run::toString);
        assertFalse(exists(orders[0]));
        assertFalse(exists(qualified[0]));
        assertTrue(exists(customers[0]));
        assertTrue(exists(items[0]));
        assertTrue(exists("sql:orders:version:" + hash), "version keys are kept");
        assertTrue(exists("unrelated"));
    }

    @Test
    void flushOfEverythingDeletesEverySqlKeyAndNothingElse() {
        // Earlier tests' writes leave the writers' marks in the near members' set, which the fixture's flush keeps:
        // counted from none.
        redis.command("DEL", dev.sqlcache.internal.store.NearChannel.MEMBERS_KEY);
        String hash = databaseHash(PG_URL, null);
        for (int i = 0; i < 1200; i++) {
            putEntry("t" + (i % 3), "q" + i, hash, 1);
        }
        redis.command("SET", "unrelated", "y");
        CliRun dry = cli(tcp(), "flush");
        assertEquals(2, dry.exitCode(), dry::toString);
        assertTrue(dry.err().contains("would delete 1204 keys matching sql:*"), dry::toString);
        assertEquals(":1205", redis.command("DBSIZE"));

        CliRun run = cli(tcp(), "flush", "--yes").assertSuccess();
        assertTrue(run.out().contains("deleted 1204 keys matching sql:*"), run::toString);
        // The flush's own near notice found the set gone and left a writer's mark in it (near_helpers.lua): that
        // set, holding no member, may be the one key besides the unrelated one.
        String near = dev.sqlcache.internal.store.NearChannel.MEMBERS_KEY;
        int left = exists(near) ? 2 : 1;
        assertEquals(":" + left, redis.command("DBSIZE"));
        if (left == 2) {
            assertEquals(":1", redis.command("ZCARD", near));
            assertTrue(redis.command("ZSCORE", near, "~pending").startsWith("$"), "only the mark");
        }
        assertTrue(exists("unrelated"));
    }

    @Test
    void flushEscapesGlobCharactersInTableNames() {
        String hash = databaseHash(PG_URL, null);
        String[] star = putEntry("a*", "q1", hash, 1);
        String[] other = putEntry("ab", "q2", hash, 1);
        cli(tcp(), "flush", "--table", "a*", "--yes").assertSuccess();
        assertFalse(exists(star[0]));
        assertTrue(exists(other[0]));
    }

    // ---- passwords

    @Test
    void passwordsComeFromTheEnvironmentAndAreNeverShown() {
        try (RedisServerFixture secured = RedisServerFixture.startWithPassword("s3cret-pw")) {
            String port = Integer.toString(secured.port());
            CliRun ok = CliRun.run(Map.of("MY_REDIS_PW", "s3cret-pw"), "health", "--redis-port", port,
                    "--redis-password-env", "MY_REDIS_PW").assertSuccess();
            assertFalse(ok.out().contains("s3cret-pw"), ok::toString);

            ok = CliRun.run(Map.of("REDIS_PASSWORD", "s3cret-pw"), "stats", "--redis-socket", secured.socketPath())
                    .assertSuccess();

            CliRun wrong = CliRun.run(Map.of("MY_REDIS_PW", "wrong-pw"), "health", "--redis-port", port,
                    "--redis-password-env", "MY_REDIS_PW").assertOneLineError(1);
            assertTrue(wrong.err().contains("rejected the credentials"), wrong::toString);
            assertFalse(wrong.err().contains("wrong-pw"), wrong::toString);

            CliRun missing = CliRun.run(NO_ENV, "health", "--redis-port", port).assertOneLineError(1);
            assertTrue(missing.err().contains("rejected the credentials"), missing::toString);

            CliRun unset = CliRun.run(NO_ENV, "health", "--redis-port", port, "--redis-password-env", "NOPE")
                    .assertOneLineError(2);
            assertTrue(unset.err().contains("NOPE is not set"), unset::toString);

            // A password in the URL works, is warned about, and is never printed.
            CliRun url = CliRun.run(NO_ENV, "health", "--redis-url", "redis://:s3cret-pw@127.0.0.1:" + port);
            assertEquals(0, url.exitCode(), url::toString);
            assertTrue(url.err().contains("visible to other users"), url::toString);
            assertFalse(url.out().contains("s3cret-pw") || url.err().contains("s3cret-pw"), url::toString);
        }
    }

    // ---- bad input

    @ParameterizedTest
    @ValueSource(strings = {
            "health --no-such-option",
            "no-such-command",
            "stats --limit abc",
            "stats --limit 0",
            "health --redis-port abc",
            "health --redis-port 70000",
            "health --redis-db -1",
            "health --redis-url http://example.com",
            "invalidate",
            "invalidate --url postgres://db/app",
            "invalidate --url jdbc:sqlcache:",
            "invalidate --url jdbc:postgresql://db/app --table .",
            "invalidate --url jdbc:postgresql://db/app --database-id  ",
            "invalidate --url jdbc:sqlcache:postgresql://db/app?sqlcache.nonsense=1",
            "flush --table \"\"",
            "flush extra",
    })
    void badInputIsOneLineAndExitTwo(String line) throws Exception {
        CliRun run = CliRun.run(closedPort(), line.replace("\"\"", "").split(" ", -1)).assertOneLineError(2);
        assertTrue(run.err().startsWith("sqlcache-admin"), run::toString);
    }

    /** An environment pointing at a closed port: input wrongly accepted fails with 1, never reaches another Redis. */
    private static Map<String, String> closedPort() throws Exception {
        return Map.of("REDIS_HOST", "127.0.0.1", "REDIS_PORT", Integer.toString(freePort()));
    }

    @Test
    void badPortNamesTheOption() {
        CliRun run = CliRun.run(NO_ENV, "health", "--redis-port", "abc").assertOneLineError(2);
        assertTrue(run.err().contains("--redis-port: \"abc\" is not a port number"), run::toString);
    }

    @Test
    void noCommandIsAUsageError() throws Exception {
        CliRun run = CliRun.run(closedPort()).assertOneLineError(2);
        assertTrue(run.err().contains("a command is required"), run::toString);
    }

    @Test
    void badEnvironmentIsAUsageError() throws Exception {
        Map<String, String> env = new HashMap<>(closedPort());
        env.put("SQLCACHE_STORE", "memory");
        CliRun run = CliRun.run(env, "health").assertOneLineError(2);
        assertTrue(run.err().contains("cannot be administered from outside"), run::toString);

        run = CliRun.run(Map.of("SQLCACHE_TTLL", "5", "REDIS_PORT", "1"), "health").assertOneLineError(2);
        assertTrue(run.err().contains("SQLCACHE_TTLL: unknown environment variable"), run::toString);
    }

    @Test
    void runtimeErrorsAreOneLineEvenWithoutTheParseHandler() throws Exception {
        CliRun run = CliRun.runPlain(NO_ENV, "stats", "--redis-port", Integer.toString(freePort()));
        run.assertOneLineError(1);
        CliRun bad = CliRun.runPlain(NO_ENV, "health", "--redis-port", "0").assertOneLineError(2);
        assertTrue(bad.err().contains("--redis-port"), bad::toString);
    }

    @Test
    void helpAndVersionExitZero() {
        CliRun help = CliRun.run(NO_ENV, "--help").assertSuccess();
        assertTrue(help.out().contains("invalidate"), help::toString);
        CliRun sub = CliRun.run(NO_ENV, "invalidate", "--help").assertSuccess();
        assertTrue(sub.out().contains("--redis-password-env"), sub::toString);
        assertArrayEquals(new byte[0], help.err().getBytes(StandardCharsets.UTF_8));
    }
}
