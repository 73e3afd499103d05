package dev.sqlcache.driver;

import dev.sqlcache.stats.CacheStatistics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Writes that bypass sqlcache (a plain JDBC connection, psql) reach readers through PostgreSQL's change feed within
 * {@code sqlcache.changeFeed.maxLag}. Each case opens its own {@link SqlCacheDataSource}, so that closing it stops
 * the runtime and its feed; the slots the cases create are dropped afterwards (a slot nobody consumes keeps WAL).
 */
class ChangeFeedTest extends RedisBackedTest {

    private static final long MAX_LAG_MILLIS = 2_000;
    /** Scheduling on a shared two-core machine: what a read after the bound may still take. */
    private static final long SLACK_MILLIS = 750;
    private static final String READ = "select v from feed_item where id = ?";

    private final List<SqlCacheDataSource> opened = new ArrayList<>();

    @BeforeEach
    void schema() throws Exception {
        try (Connection direct = TestDatabase.POSTGRES.direct()) {
            ChangeFeedSlots.dropAll(direct);
            exec(direct, "drop table if exists feed_item", "create table feed_item (id int primary key, v text)",
                    "insert into feed_item values (1, 'one'), (2, 'two')");
        }
    }

    @AfterEach
    void closeAndDropSlots() throws Exception {
        for (SqlCacheDataSource dataSource : opened) {
            dataSource.close();
        }
        try (Connection direct = TestDatabase.POSTGRES.direct()) {
            ChangeFeedSlots.dropAll(direct);
        }
    }

    /** A data source through sqlcache whose connections report a URL the feed can connect with. */
    private SqlCacheDataSource dataSource(String user, String... extra) throws SQLException {
        Map<String, String> settings = new HashMap<>();
        settings().forEach((k, v) -> settings.put((String) k, (String) v));
        settings.put("sqlcache.changeFeed", "postgres");
        settings.put("sqlcache.changeFeed.maxLag", MAX_LAG_MILLIS + "ms");
        // Cached whatever the measurements on a busy machine say: the cases need hits to tell the cache serves.
        settings.put("sqlcache.tablePolicy", "feed_*=on");
        for (int i = 0; i < extra.length; i += 2) {
            settings.put(extra[i], extra[i + 1]);
        }
        SqlCacheDataSource dataSource = new SqlCacheDataSource(new UrlDataSource(
                TestDatabase.POSTGRES.url() + "?user=" + user + "&binaryTransfer=false"), settings);
        opened.add(dataSource);
        return dataSource;
    }

    private static String read(Connection c, int id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(READ)) {
            ps.setInt(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /** Reads row {@code id} until a read is served from the cache: the feed has applied a heartbeat. */
    private static void untilHit(Connection cached, int id) throws Exception {
        untilServed(cached, () -> read(cached, id));
    }

    /** Runs a query until it is served from the cache. */
    private static void untilHitOf(Connection cached, String sql) throws Exception {
        untilServed(cached, () -> single(cached, sql));
    }

    private interface Query {
        String run() throws SQLException;
    }

    /**
     * Reads until the value is the expected one; returns how long after {@code committedAt} it first was, and
     * fails when an older one is served later than the bound.
     */
    private static long untilSeen(Connection cached, int id, String expected, long committedAt) throws Exception {
        while (true) {
            String value = read(cached, id);
            long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - committedAt);
            if (java.util.Objects.equals(expected, value)) {
                return elapsed;
            }
            if (elapsed > MAX_LAG_MILLIS + SLACK_MILLIS) {
                fail("still " + value + " " + elapsed + " ms after the outside commit: " + stats(cached));
            }
            Thread.sleep(20);
        }
    }

    @Test
    void anOutsideWriteIsSeenWithinMaxLagAndCachedAgain() throws Exception {
        try (Connection cached = dataSource("postgres").getConnection();
             Connection direct = TestDatabase.POSTGRES.direct()) {
            untilHit(cached, 1);
            CacheStatistics before = stats(cached);
            exec(direct, "update feed_item set v = 'uno' where id = 1");
            long committed = System.nanoTime();
            long lag = untilSeen(cached, 1, "uno", committed);
            untilHit(cached, 1);
            assertEquals("uno", read(cached, 1));
            CacheStatistics delta = stats(cached).since(before);
            assertTrue(delta.invalidations() >= 1, "the feed invalidated the table: " + delta);
            long feedLag = cached.unwrap(SqlCacheConnection.class).changeFeedLagMillis();
            assertTrue(feedLag >= 0 && feedLag < MAX_LAG_MILLIS, "this JVM consumes, within the bound: " + feedLag);

            // Twenty outside updates, each read until seen: how long after its commit the cache shows it.
            long[] seen = new long[20];
            for (int i = 0; i < seen.length; i++) {
                untilHit(cached, 1);
                exec(direct, "update feed_item set v = 'v" + i + "' where id = 1");
                seen[i] = untilSeen(cached, 1, "v" + i, System.nanoTime());
            }
            java.util.Arrays.sort(seen);
            System.out.println("change feed: an outside update is seen after p50 " + seen[seen.length / 2]
                    + " ms, max " + seen[seen.length - 1] + " ms (first " + lag + " ms)");

            // A delete and an insert in one outside transaction.
            untilHit(cached, 2);
            direct.setAutoCommit(false);
            exec(direct, "delete from feed_item where id = 2", "insert into feed_item values (3, 'three')");
            direct.commit();
            committed = System.nanoTime();
            untilSeen(cached, 2, null, committed);
            untilSeen(cached, 3, "three", committed);
        }
    }

    /** Reads row {@code id} once: whether the answer came from the cache. */
    private static boolean servedFromCache(Connection cached, int id, String expected) throws SQLException {
        long hits = stats(cached).hits();
        assertEquals(expected, read(cached, id));
        return stats(cached).hits() > hits;
    }

    @Test
    void anOutsideUpdateOfARowInvalidatesThatRowOnlyAndWhatNamesNoRowTheTable() throws Exception {
        try (Connection cached = dataSource("postgres").getConnection();
             Connection direct = TestDatabase.POSTGRES.direct()) {
            untilHit(cached, 1);
            untilHit(cached, 2);
            exec(direct, "update feed_item set v = 'uno' where id = 1");
            untilSeen(cached, 1, "uno", System.nanoTime());
            assertTrue(servedFromCache(cached, 2, "two"), "row 2's entry outlived row 1's update: " + stats(cached));
            untilHit(cached, 1);
            exec(direct, "delete from feed_item where id = 1");
            untilSeen(cached, 1, null, System.nanoTime());
            assertTrue(servedFromCache(cached, 2, "two"), "row 2's entry outlived row 1's delete: " + stats(cached));

            // A key that changes names new rows: the table as a whole, as a driver write assigning a key does.
            exec(direct, "insert into feed_item values (1, 'one')");
            untilSeen(cached, 1, "one", System.nanoTime());
            untilHit(cached, 1);
            untilHit(cached, 2);
            exec(direct, "update feed_item set id = 4 where id = 1");
            untilSeen(cached, 1, null, System.nanoTime());
            assertFalse(servedFromCache(cached, 2, "two"), "a key change invalidated the table");

            // Without the key as replica identity, the stream does not show that a key changed: the table again.
            exec(direct, "alter table feed_item replica identity nothing", "update feed_item set id = 1 where id = 4");
            untilSeen(cached, 1, "one", System.nanoTime());
            untilHit(cached, 1);
            untilHit(cached, 2);
            exec(direct, "update feed_item set id = 5 where id = 1");
            untilSeen(cached, 1, null, System.nanoTime());
            assertFalse(servedFromCache(cached, 2, "two"), "an update under another replica identity: the table");

            // TRUNCATE names no row.
            untilHit(cached, 2);
            exec(direct, "truncate feed_item");
            untilSeen(cached, 2, null, System.nanoTime());
        }
    }

    /**
     * Under a non-deterministic collation another spelling of a key reads the same row: the stream's spelling does
     * not name what readers hashed, so the table is invalidated, and the read of the other spelling sees the change.
     */
    @Test
    void anOutsideUpdateUnderANonDeterministicCollationInvalidatesTheTable() throws Exception {
        String read = "select v from feed_ci where k = ?";
        try (Connection direct = TestDatabase.POSTGRES.direct()) {
            exec(direct, "drop table if exists feed_ci",
                    "create collation if not exists feed_case_blind (provider = icu, locale = 'und-u-ks-level2', "
                            + "deterministic = false)",
                    "create table feed_ci (k text collate feed_case_blind primary key, v text)",
                    "insert into feed_ci values ('ABC', 'one')");
            try (Connection cached = dataSource("postgres").getConnection();
                 PreparedStatement ps = cached.prepareStatement(read)) {
                ps.setString(1, "abc");
                Query byOtherSpelling = () -> {
                    try (ResultSet rs = ps.executeQuery()) {
                        return rs.next() ? rs.getString(1) : null;
                    }
                };
                untilServed(cached, byOtherSpelling);
                assertEquals("one", byOtherSpelling.run());
                exec(direct, "update feed_ci set v = 'uno' where k = 'ABC'");
                long committed = System.nanoTime();
                while (!"uno".equals(byOtherSpelling.run())) {
                    assertTrue(System.nanoTime() - committed < TimeUnit.MILLISECONDS.toNanos(
                            MAX_LAG_MILLIS + SLACK_MILLIS), "the other spelling's read saw the update in time");
                    Thread.sleep(20);
                }
            } finally {
                exec(direct, "drop table feed_ci");
            }
        }
    }

    @Test
    void aWriteToAChildTableInvalidatesReadsOfItsParent() throws Exception {
        try (Connection direct = TestDatabase.POSTGRES.direct()) {
            exec(direct, "drop table if exists feed_child", "drop table if exists feed_parent",
                    "create table feed_parent (id int, v text)", "create table feed_child () inherits (feed_parent)",
                    "insert into feed_child values (5, 'five')");
            try (Connection cached = dataSource("postgres").getConnection()) {
                String parent = "select v from feed_parent where id = 5";
                untilHitOf(cached, parent);
                // The stream names the child the row is stored in; readers of the parent depend on the parent.
                exec(direct, "update feed_child set v = 'cinq' where id = 5");
                long committed = System.nanoTime();
                while (!"cinq".equals(single(cached, parent))) {
                    assertTrue(System.nanoTime() - committed < TimeUnit.MILLISECONDS.toNanos(
                            MAX_LAG_MILLIS + SLACK_MILLIS), "the parent's reads saw the child's update in time");
                    Thread.sleep(20);
                }
            } finally {
                exec(direct, "drop table feed_child", "drop table feed_parent");
            }
        }
    }

    private static String single(Connection c, String sql) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private static void untilServed(Connection cached, Query query) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            long hits = stats(cached).hits();
            query.run();
            if (stats(cached).hits() > hits) {
                return;
            }
            Thread.sleep(50);
        }
        fail("never served from the cache: " + stats(cached));
    }

    /** The event trigger docs/consistency.md gives for DDL, which the stream does not carry. */
    static final String[] ANNOUNCE_DDL = {
        "create or replace function sqlcache_announce_ddl() returns event_trigger language plpgsql as "
                + "$$ begin perform pg_logical_emit_message(true, 'sqlcache.ddl', tg_tag); end $$",
        "create event trigger sqlcache_ddl on ddl_command_end execute function sqlcache_announce_ddl()"};

    @Test
    void outsideDdlAnnouncedByTheEventTriggerInvalidatesTheDatabase() throws Exception {
        String all = "select * from feed_item where id = 1";
        try (Connection direct = TestDatabase.POSTGRES.direct()) {
            exec(direct, "drop event trigger if exists sqlcache_ddl");
            exec(direct, ANNOUNCE_DDL);
            try (Connection cached = dataSource("postgres").getConnection()) {
                untilHitOf(cached, all);
                exec(direct, "alter table feed_item add column extra int default 7");
                long committed = System.nanoTime();
                while (columns(cached, all) != 3) {
                    assertTrue(System.nanoTime() - committed < TimeUnit.MILLISECONDS.toNanos(
                            MAX_LAG_MILLIS + SLACK_MILLIS), "the new column is seen in time");
                    Thread.sleep(20);
                }
            } finally {
                exec(direct, "drop event trigger if exists sqlcache_ddl",
                        "drop function if exists sqlcache_announce_ddl()");
            }
        }
    }

    private static int columns(Connection c, String sql) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            return rs.getMetaData().getColumnCount();
        }
    }

    @Test
    void aWriteFromPsqlIsSeenWithinMaxLag() throws Exception {
        try (Connection cached = dataSource("postgres").getConnection()) {
            untilHit(cached, 2);
            Process psql = new ProcessBuilder("psql", "-h", "127.0.0.1", "-U", "postgres", "-d",
                    TestDatabase.Name.DB, "-v", "ON_ERROR_STOP=1", "-c", "truncate feed_item").inheritIO().start();
            assertTrue(psql.waitFor(30, TimeUnit.SECONDS) && psql.exitValue() == 0, "psql ran");
            untilSeen(cached, 2, null, System.nanoTime());
        }
    }

    @Test
    void theSlotIsCreatedWhenMissingAndItsPositionFollowsTheInvalidations() throws Exception {
        try (Connection cached = dataSource("postgres").getConnection();
             Connection direct = TestDatabase.POSTGRES.direct()) {
            untilHit(cached, 1);
            List<String> slots = ChangeFeedSlots.all(direct);
            assertEquals(1, slots.size(), slots::toString);
            String before = confirmed(direct, slots.get(0));
            exec(direct, "update feed_item set v = 'uno' where id = 1");
            untilSeen(cached, 1, "uno", System.nanoTime());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            // The position is reported to the server every status interval (10 s) at the latest.
            while (confirmed(direct, slots.get(0)).equals(before) && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertNotEquals(before, confirmed(direct, slots.get(0)), "the slot's confirmed position moved");
        }
    }

    private static String confirmed(Connection direct, String slot) throws SQLException {
        try (PreparedStatement ps = direct.prepareStatement(
                "select confirmed_flush_lsn::text from pg_replication_slots where slot_name = ?")) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    @Test
    void anotherConsumerTakesOverWhenTheHolderStops() throws Exception {
        // Two runtimes on one Redis, as two JVMs would have (a different pool size makes another runtime). The first
        // starts alone, so its feed holds the lease; the second's waits.
        SqlCacheDataSource first = dataSource("postgres");
        try (Connection direct = TestDatabase.POSTGRES.direct()) {
            try (Connection a = first.getConnection()) {
                untilHit(a, 1);
            }
            String lease = "sql:_feed:lease:" + ChangeFeedSlots.all(direct).get(0);
            String holder = leaseHolder(lease);
            assertTrue(holder != null && !holder.isEmpty(), "the first consumer holds the lease");
            SqlCacheDataSource second = dataSource("postgres", "sqlcache.redis.maxConnections", "7");
            try (Connection b = second.getConnection()) {
                untilHit(b, 1);
                assertEquals(holder, leaseHolder(lease), "the second consumer waits");
                first.close();
                exec(direct, "update feed_item set v = 'uno' where id = 1");
                long committed = System.nanoTime();
                // The first gave its lease up on close: the second takes over at once, and the bound holds.
                untilSeen(b, 1, "uno", committed);
                untilHit(b, 1);
                assertEquals("uno", read(b, 1));
                String newHolder = leaseHolder(lease);
                assertTrue(newHolder != null && !newHolder.isEmpty() && !newHolder.equals(holder),
                        "the second consumer holds the lease: " + newHolder);
            }
        }
    }

    private static String leaseHolder(String lease) {
        Object holder = dev.sqlcache.testing.RespClient.call(redis.port(), "GET", lease);
        return holder == null ? null : String.valueOf(holder);
    }

    @Test
    void whenTheFeedStopsReadsGoToTheDatabaseWithinMaxLag() throws Exception {
        try (Connection direct = TestDatabase.POSTGRES.direct()) {
            exec(direct, "drop role if exists feed_repl", "create role feed_repl login replication",
                    "grant select, insert, update, delete on feed_item to feed_repl");
            try (Connection cached = dataSource("feed_repl").getConnection()) {
                untilHit(cached, 1);
                // The consumer's stream is cut and it may not start another; this JVM's membership is untouched,
                // so only the feed key keeps stale answers out.
                exec(direct, "alter role feed_repl noreplication",
                        "select pg_terminate_backend(active_pid) from pg_replication_slots "
                                + "where database = current_database() and active");
                exec(direct, "update feed_item set v = 'uno' where id = 1");
                long committed = System.nanoTime();
                CacheStatistics before = stats(cached);
                untilSeen(cached, 1, "uno", committed);
                Thread.sleep(MAX_LAG_MILLIS);
                assertEquals("uno", read(cached, 1));
                CacheStatistics delta = stats(cached).since(before);
                assertTrue(delta.bypasses(dev.sqlcache.stats.BypassReason.CHANGE_FEED_BEHIND) > 0,
                        "reads went to the database because the feed was behind: " + delta);
                assertEquals(-1, cached.unwrap(SqlCacheConnection.class).changeFeedLagMillis(),
                        "no consumer runs here now");

                // Allowed again, the consumer resumes from its slot and the cache serves once more.
                exec(direct, "alter role feed_repl replication");
                untilHit(cached, 1);
                assertEquals("uno", read(cached, 1));
            } finally {
                for (SqlCacheDataSource dataSource : opened) {
                    dataSource.close();
                }
                ChangeFeedSlots.dropAll(direct);
                exec(direct, "drop owned by feed_repl", "drop role if exists feed_repl");
            }
        }
    }

    @Test
    void aUserWithoutReplicationPrivilegeCachesWithTtlOnly() throws Exception {
        try (Connection direct = TestDatabase.POSTGRES.direct()) {
            exec(direct, "drop role if exists feed_plain", "create role feed_plain login",
                    "grant select, insert, update, delete on feed_item to feed_plain");
        }
        try (Connection cached = dataSource("feed_plain").getConnection()) {
            // The feed says why it cannot run and is not waited for: reads are served from the cache as without
            // a feed (with a feed that is only behind, none would be).
            untilHit(cached, 1);
            // Another configuration's engine of the same database in this runtime follows the same feed.
            try (Connection other = dataSource("feed_plain", "sqlcache.ttl", "60").getConnection()) {
                untilHit(other, 2);
            }
        } finally {
            try (Connection direct = TestDatabase.POSTGRES.direct()) {
                exec(direct, "drop owned by feed_plain", "drop role if exists feed_plain");
            }
        }
    }
}
