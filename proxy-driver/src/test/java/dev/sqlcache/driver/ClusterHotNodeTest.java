package dev.sqlcache.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlcache.stats.CacheStatistics;
import dev.sqlcache.testing.RedisClusterFixture;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Issue #15, "the hot node": how a Redis hit, a miss and a write split their commands and bytes over the masters of
 * a 3-master cluster, over several tables. With the keys laid out as step 2 lays them (docs/consistency.md, "When
 * Redis is a Cluster"), every hit sends one MGET to the control slot's master whatever its table, and every write
 * runs its scripts there and nowhere else, while the entries spread: this pins that split, so a layout that moves
 * the tokens off the control node has to change these assertions knowingly, and prints the figures
 * (docs/performance.md, "Session 30: the hot control node").
 */
class ClusterHotNodeTest {

    private static final int SLOT = redis.clients.jedis.util.JedisClusterCRC16.getSlot("sqlcache");
    private static final int TABLES = 6;
    private static final int ROWS = 10;
    private static final int WRITES_PER_TABLE = 3;
    /** The test's own and the client's housekeeping, not the cache's traffic. */
    private static final List<String> HOUSEKEEPING = List.of("info", "config", "cluster", "command", "client",
            "hello", "auth", "ping", "readonly");

    @Test
    void everyHitAndEveryWriteGoesToTheControlNodeWhateverItsTable() throws Exception {
        TestDatabase db = TestDatabase.H2;
        String prefix = "hot_" + UUID.randomUUID().toString().substring(0, 8) + "_";
        List<String> tables = new ArrayList<>();
        try (Connection direct = db.direct(); Statement s = direct.createStatement()) {
            for (int t = 0; t < TABLES; t++) {
                String table = prefix + t;
                tables.add(table);
                s.execute("create table " + table + " (id int primary key, v int)");
                for (int i = 1; i <= ROWS; i++) {
                    s.execute("insert into " + table + " values (" + i + ", " + i + ")");
                }
            }
        }
        try (RedisClusterFixture cluster = RedisClusterFixture.start();
             Connection c = db.cached(settings(cluster))) {
            int control = cluster.masterOf(SLOT);
            for (String table : tables) {
                awaitHit(c, table); // joined, the table's tokens created
            }
            awaitStores(c, stats(c).misses());

            resetStats(cluster);
            long started = System.nanoTime();
            CacheStatistics before = stats(c);
            readAll(c, tables, "v");
            long misses = stats(c).misses() - before.misses();
            assertEquals((long) TABLES * (ROWS - 1), misses, "each read of a row not read before is a miss");
            awaitStores(c, before.stores() + misses);
            Map<Integer, Node> missSplit = split(cluster);
            long missRenewals = renewalsWithin(started);

            resetStats(cluster);
            started = System.nanoTime();
            before = stats(c);
            readAll(c, tables, "v");
            long hits = stats(c).hits() - before.hits();
            assertEquals((long) TABLES * (ROWS - 1), hits, "each read again is a hit");
            Map<Integer, Node> hitSplit = split(cluster);
            long hitRenewals = renewalsWithin(started);

            resetStats(cluster);
            started = System.nanoTime();
            int writes = 0;
            for (int round = 0; round < WRITES_PER_TABLE; round++) {
                for (String table : tables) {
                    try (Statement s = c.createStatement()) {
                        assertEquals(1, s.executeUpdate("update " + table + " set v = v where id = 1"));
                    }
                    writes++;
                }
            }
            Map<Integer, Node> writeSplit = split(cluster);
            long writeRenewals = renewalsWithin(started);

            print("misses", misses, missSplit, control);
            print("hits", hits, hitSplit, control);
            print("writes", writes, writeSplit, control);

            // The hot node: one MGET per Redis hit on the control node, for every table; none elsewhere.
            assertEquals(hits, hitSplit.get(control).mget, "one MGET per hit on the control node");
            assertTrue(hitSplit.get(control).scripts <= hitRenewals, "a hit runs no script, renewals do");
            long entryNodes = hitSplit.values().stream().filter(n -> n.getrange > 0).count();
            assertTrue(entryNodes >= 2, "the entries, read by GETRANGE, are spread: " + hitSplit);
            // Every write's lease and end run on the control node, whatever its table, and no write touches another.
            Node writeControl = writeSplit.get(control);
            assertTrue(writeControl.scripts >= 2L * writes && writeControl.scripts <= 2L * writes + writeRenewals,
                    "a lease and an end per write on the control node: " + writeControl);
            // A store reads the tokens again (CheckedPut) on the control node: an MGET per lookup and per store.
            assertEquals(2 * misses, missSplit.get(control).mget, "an MGET per miss and per store");
            assertTrue(missSplit.get(control).scripts <= missRenewals + misses, "at most a script per miss");
            for (Map.Entry<Integer, Node> node : hitSplit.entrySet()) {
                if (node.getKey() != control) {
                    assertEquals(0, node.getValue().mget + node.getValue().scripts, "no token read off the control "
                            + "node on a hit: " + node);
                    assertEquals(0, writeSplit.get(node.getKey()).commands, "a write touches one node only");
                }
            }
        } finally {
            try (Connection direct = db.direct(); Statement s = direct.createStatement()) {
                for (String table : tables) {
                    s.execute("drop table " + table);
                }
            }
        }
    }

    /** Commands of one master in one phase: all of them (housekeeping left out), by kind, and bytes both ways. */
    private record Node(long commands, long mget, long scripts, long getrange, long set, long bytesIn,
                        long bytesOut) {
    }

    private static Map<Integer, Node> split(RedisClusterFixture cluster) {
        Map<Integer, Node> split = new TreeMap<>();
        for (int port : cluster.ports()) {
            // The byte counters first: the commandstats reply read after it is not in them.
            String stats = cluster.command(port, "INFO", "stats").toString();
            String commands = cluster.command(port, "INFO", "commandstats").toString();
            long all = 0;
            Matcher m = Pattern.compile("cmdstat_([a-z|]+):calls=(\\d+)").matcher(commands);
            while (m.find()) {
                String name = m.group(1);
                if (!HOUSEKEEPING.contains(name.contains("|") ? name.substring(0, name.indexOf('|')) : name)) {
                    all += Long.parseLong(m.group(2));
                }
            }
            // An EVALSHA answered NOSCRIPT (a script's first run on that node) is followed by its EVAL: one run.
            long scripts = calls(commands, "evalsha") - failed(commands, "evalsha") + calls(commands, "eval");
            split.put(port, new Node(all, calls(commands, "mget"), scripts, calls(commands, "getrange"),
                    calls(commands, "set"), number(stats, "total_net_input_bytes"),
                    number(stats, "total_net_output_bytes")));
        }
        return split;
    }

    private static void print(String phase, long count, Map<Integer, Node> split, int control) {
        StringBuilder out = new StringBuilder("ClusterHotNodeTest: " + count + " " + phase + " over " + TABLES
                + " tables:");
        long total = split.values().stream().mapToLong(Node::commands).sum();
        for (Map.Entry<Integer, Node> node : split.entrySet()) {
            Node n = node.getValue();
            out.append(String.format("%n  %s %d: %d commands (%.0f %%; %d MGET, %d scripts, %d GETRANGE, %d SET), "
                            + "%d bytes in, %d out", node.getKey() == control ? "control" : "master ", node.getKey(),
                    n.commands, total == 0 ? 0.0 : 100.0 * n.commands / total, n.mget, n.scripts, n.getrange, n.set,
                    n.bytesIn, n.bytesOut));
        }
        System.out.println(out);
    }

    private static void readAll(Connection c, List<String> tables, String column) throws SQLException {
        for (String table : tables) {
            for (int i = 2; i <= ROWS; i++) {
                try (Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery("select " + column + " from " + table + " where id = " + i)) {
                    assertTrue(rs.next());
                    assertEquals(i, rs.getInt(1));
                }
            }
        }
    }

    private static void awaitHit(Connection c, String table) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            long hits = stats(c).hits();
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("select v from " + table + " where id = 1")) {
                assertTrue(rs.next());
                assertEquals(1, rs.getInt(1));
            }
            if (stats(c).hits() > hits) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no hit of " + table + " within 30 s");
    }

    /** The stores ran on a thread of their own: waits until they are counted. */
    private static void awaitStores(Connection c, long stores) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (stats(c).stores() < stores && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(stores, stats(c).stores());
    }

    /** Renewals that may have run since {@code started}: one per 500 ms, plus one either side. */
    private static long renewalsWithin(long started) {
        return (System.nanoTime() - started) / 500_000_000L + 2;
    }

    private static void resetStats(RedisClusterFixture cluster) {
        for (int port : cluster.ports()) {
            cluster.command(port, "CONFIG", "RESETSTAT");
        }
    }

    private static long calls(String commandStats, String command) {
        Matcher m = Pattern.compile("cmdstat_" + command + ":calls=(\\d+)").matcher(commandStats);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    private static long failed(String commandStats, String command) {
        Matcher m = Pattern.compile("cmdstat_" + command + ":calls=.*failed_calls=(\\d+)").matcher(commandStats);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    private static long number(String info, String field) {
        Matcher m = Pattern.compile(field + ":(\\d+)").matcher(info);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    /** What a near hit sends to Redis is nothing: the near cache is off, so that every hit is a Redis hit. */
    private static Properties settings(RedisClusterFixture cluster) {
        Properties settings = new Properties();
        settings.putAll(cluster.properties());
        settings.setProperty("sqlcache.redis.maxConnections", "4");
        settings.setProperty("sqlcache.nearCache.maxBytes", "0");
        return settings;
    }

    private static CacheStatistics stats(Connection c) throws SQLException {
        return c.unwrap(SqlCacheConnection.class).statistics();
    }
}
