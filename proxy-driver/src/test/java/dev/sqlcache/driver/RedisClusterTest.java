package dev.sqlcache.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlcache.stats.CacheStatistics;
import dev.sqlcache.testing.RedisClusterFixture;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * sqlcache on a Redis Cluster (three masters started by the test, {@code sqlcache.redis.cluster}): hits, misses, a
 * write through one store invalidating what another store (as another JVM would, with its own connections and
 * membership) has cached, a join over two tables, and no command that spans slots (no {@code CROSSSLOT} on any
 * node, no failed call). Then the master serving sqlcache's slot is killed after its replica missed the last write:
 * no error, no answer older than a committed write, and hits again afterwards.
 */
class RedisClusterTest {

    private static final long HIT_BOUND_NANOS = 30_000_000_000L;
    /** The slot of sqlcache's hash tag {@code {sqlcache}} (CRC16 of "sqlcache" mod 16384). */
    private static final int SLOT = redis.clients.jedis.util.JedisClusterCRC16.getSlot("sqlcache");

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"H2", "POSTGRES"})
    void hitsMissesAndWritesSeenByAnotherStore(TestDatabase db) throws Exception {
        String a = "cluster_a_" + UUID.randomUUID().toString().substring(0, 8);
        String b = "cluster_b_" + UUID.randomUUID().toString().substring(0, 8);
        try (Connection direct = db.direct(); Statement s = direct.createStatement()) {
            s.execute("create table " + a + " (id int primary key, v int)");
            s.execute("create table " + b + " (id int primary key, w int)");
            s.execute("insert into " + a + " values (1, 100), (2, 200)");
            s.execute("insert into " + b + " values (1, 10)");
        }
        String join = "select a.v + b.w from " + a + " a join " + b + " b on a.id = b.id where a.id = 1";
        try (RedisClusterFixture cluster = RedisClusterFixture.start()) {
            try (Connection reader = db.cached(settings(cluster, "4"));
                 Connection writer = db.cached(settings(cluster, "5"))) {
                assertEquals(100, value(reader, a));
                CacheStatistics before = stats(reader);
                assertEquals(100, value(reader, a));
                awaitHit(reader, a, 100, "a repeated key read");
                assertEquals(110, number(reader, join));
                awaitHitOf(reader, join, 110, "a repeated join");
                assertTrue(stats(reader).misses() > before.misses(), "the first read was a miss");

                // The writer's store is another runtime: other connections, another membership, like another JVM.
                update(writer, a, 101);
                assertEquals(101, value(reader, a), "a key read after another store's write");
                assertEquals(111, number(reader, join), "a join after another store's write to one of its tables");
                awaitHit(reader, a, 101, "after the write");
                awaitHitOf(reader, join, 111, "after the write");
                try (Statement s = writer.createStatement()) {
                    assertEquals(1, s.executeUpdate("update " + b + " set w = 20 where id = 1"));
                }
                assertEquals(121, number(reader, join), "a join after a write to its other table");
                awaitHitOf(reader, join, 121, "after the second write");

                assertEquals(0, stats(reader).redisErrors(), "no failed call to the cluster");
                assertEquals(0, stats(writer).redisErrors(), "no failed call to the cluster");
            }
            for (int port : cluster.ports()) {
                String errors = cluster.command(port, "INFO", "errorstats").toString();
                assertTrue(!errors.contains("CROSSSLOT") && !errors.contains("MOVED"), port + ": " + errors);
            }
        } finally {
            try (Connection direct = db.direct(); Statement s = direct.createStatement()) {
                s.execute("drop table " + a);
                s.execute("drop table " + b);
            }
        }
    }

    /**
     * The Redis user of docs/configuration.md plus {@code +cluster|slots}, as that page says a cluster needs, on every
     * node: hits, an invalidation seen by another store, and no failed call.
     */
    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"H2"})
    void theDocumentedAclUserPlusClusterSlotsIsAllItNeeds(TestDatabase db) throws Exception {
        String table = "cluster_acl_" + UUID.randomUUID().toString().substring(0, 8);
        try (Connection direct = db.direct(); Statement s = direct.createStatement()) {
            s.execute("create table " + table + " (id int primary key, v int)");
            s.execute("insert into " + table + " values (1, 100)");
        }
        java.nio.file.Path docs = java.nio.file.Path.of("..", "docs", "configuration.md");
        String line = java.nio.file.Files.readAllLines(docs).stream().map(String::strip)
                .filter(l -> l.startsWith("ACL SETUSER sqlcache ")).findFirst().orElseThrow();
        java.util.List<String> words = new java.util.ArrayList<>(java.util.Arrays.asList(line.split("\\s+")));
        words.replaceAll(w -> w.equals(">PASSWORD") ? ">cluster-acl-password" : w);
        words.add("+cluster|slots");
        try (RedisClusterFixture cluster = RedisClusterFixture.start()) {
            for (int port : cluster.ports()) {
                assertEquals("OK", String.valueOf(cluster.command(port, words.toArray(String[]::new))));
            }
            Properties reading = settings(cluster, "4");
            reading.setProperty("sqlcache.redis.username", "sqlcache");
            reading.setProperty("sqlcache.redis.password", "cluster-acl-password");
            Properties writing = (Properties) reading.clone();
            writing.setProperty("sqlcache.redis.maxConnections", "5");
            try (Connection reader = db.cached(reading); Connection writer = db.cached(writing)) {
                awaitHit(reader, table, 100, "as the documented user");
                update(writer, table, 200);
                assertEquals(200, value(reader, table), "after another store's write");
                awaitHit(reader, table, 200, "after the write");
                assertEquals(0, stats(reader).redisErrors() + stats(writer).redisErrors(), "no call refused");
            }
        } finally {
            try (Connection direct = db.direct(); Statement s = direct.createStatement()) {
                s.execute("drop table " + table);
            }
        }
    }

    /**
     * The replica of the master serving sqlcache's slot stops replicating, a write commits (its invalidation and
     * the entry of its new value reach the master alone), then the master is killed and the replica, which still
     * holds the entry from before the write under the tokens it matches, is promoted.
     */
    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"POSTGRES"})
    void aPromotedReplicaThatLostTheLastWriteServesNothingStale(TestDatabase db) throws Exception {
        String table = "cluster_fail_" + UUID.randomUUID().toString().substring(0, 8);
        try (Connection direct = db.direct(); Statement s = direct.createStatement()) {
            s.execute("create table " + table + " (id int primary key, v int)");
            s.execute("insert into " + table + " values (1, 100)");
        }
        try (RedisClusterFixture cluster = RedisClusterFixture.start()) {
            int master = cluster.masterOf(SLOT);
            int replica = cluster.addReplicaOf(master);
            try (Connection c = db.cached(settings(cluster, "4"))) {
                awaitHit(c, table, 100, "before any fault");
                cluster.cutReplication(replica, master);
                update(c, table, 200);
                awaitHit(c, table, 200, "on the master alone");
                cluster.command(master, "SET", "{sqlcache}lag-probe", "1");
                long killed = System.nanoTime();
                cluster.kill(master);
                long detecting = System.nanoTime() + 1_500_000_000L;
                while (System.nanoTime() < detecting) {
                    assertEquals(200, value(c, table), "committed before the kill");
                }
                int promoted = cluster.awaitNewMaster(SLOT, master, 30_000);
                assertEquals(replica, promoted);
                assertNull(cluster.command(promoted, "GET", "{sqlcache}lag-probe"),
                        "the promoted replica must have missed the last writes, else this test proves nothing");
                long resumed = awaitHit(c, table, 200, "after the failover");
                System.out.printf("RedisClusterTest[%s]: slot %d moved %d -> %d; hits resumed %d ms after the kill"
                        + "%n", db, SLOT, master, promoted, (resumed - killed) / 1_000_000);
                update(c, table, 300);
                awaitHit(c, table, 300, "a write after the failover");
            }
        } finally {
            try (Connection direct = db.direct(); Statement s = direct.createStatement()) {
                s.execute("drop table " + table);
            }
        }
    }

    /**
     * Issue #15's second step: the master of an entry's slot (not the control slot's) has a replica that stops
     * replicating; a write commits, and the entry of its new value is stored on the master alone; the master is
     * killed and the replica, which still holds the entry from before the write, is promoted. That old entry records
     * tokens the write replaced on the control node, so it is never served: every read answers the committed value,
     * and hits come back on the promoted replica. The query's text is varied until its entry is on a master other
     * than the control slot's. Also prints how many hits another query, whose entry is on a live master, had during
     * the outage (not asserted: a measure of what the failure of one entry node costs the others).
     */
    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"POSTGRES"})
    void aPromotedReplicaOfAnEntrysMasterThatLostItsLastEntryServesNothingStale(TestDatabase db) throws Exception {
        String table = "cluster_entry_" + UUID.randomUUID().toString().substring(0, 8);
        try (Connection direct = db.direct(); Statement s = direct.createStatement()) {
            s.execute("create table " + table + " (id int primary key, v int)");
            s.execute("insert into " + table + " values (1, 100), (2, 7)");
        }
        try (RedisClusterFixture cluster = RedisClusterFixture.start()) {
            int control = cluster.masterOf(SLOT);
            // No near cache: every read asks Redis, so the promoted replica's old entry is looked up.
            try (Connection c = db.cached(withoutNearCache(settings(cluster, "4")))) {
                String sql = null;
                java.util.Map.Entry<String, Integer> entry = null;
                for (int i = 0; i < 40 && (entry == null || entry.getValue() == control); i++) {
                    sql = "select v as v" + i + " from " + table + " where id = 1";
                    entry = storedEntryOf(cluster, c, sql, 100);
                }
                int entryMaster = entry.getValue();
                assertTrue(entryMaster != control, "an entry off the control node");
                String other = null;
                for (int i = 0; i < 40 && other == null; i++) {
                    String candidate = "select v as w" + i + " from " + table + " where id = 2";
                    if (storedEntryOf(cluster, c, candidate, 7).getValue() != entryMaster) {
                        other = candidate;
                    }
                }
                assertTrue(other != null, "a query whose entry is on another master");
                int replica = cluster.addReplicaOf(entryMaster);
                cluster.cutReplication(replica, entryMaster);
                update(c, table, 200);
                awaitHitOf(c, sql, 200, "on the entry's master alone");
                int entrySlot = redis.clients.jedis.util.JedisClusterCRC16.getSlot(entry.getKey());
                String probe = "lag-probe" + entry.getKey().substring(entry.getKey().lastIndexOf('{'));
                cluster.command(entryMaster, "SET", probe, "1");
                long killed = System.nanoTime();
                cluster.kill(entryMaster);
                long otherHits = 0;
                long otherReads = 0;
                long detecting = System.nanoTime() + 1_500_000_000L;
                while (System.nanoTime() < detecting) {
                    assertEquals(200, number(c, sql), "committed before the kill");
                    long before = stats(c).hits();
                    assertEquals(7, number(c, other));
                    otherHits += stats(c).hits() - before;
                    otherReads++;
                }
                int promoted = cluster.awaitNewMaster(entrySlot, entryMaster, 30_000);
                assertEquals(replica, promoted);
                assertNull(cluster.command(promoted, "GET", probe),
                        "the promoted replica must have missed the last writes, else this test proves nothing");
                assertEquals(1L, ((Number) cluster.command(promoted, "EXISTS", entry.getKey())).longValue(),
                        "it holds the entry from before the write");
                assertEquals(control, cluster.masterOf(SLOT), "the control slot did not move");
                // Only the dead node's entries miss meanwhile (its own back-off, not the store's): the query whose
                // entry is on a live master keeps being served from the cache.
                assertTrue(otherHits * 2 > otherReads, "a query on a live master while another master was down: "
                        + otherHits + " hits of " + otherReads + " reads");
                long resumed = awaitHitOf(c, sql, 200, "after the entry's master failed over");
                System.out.printf("RedisClusterTest[%s]: entry slot %d moved %d -> %d (control node %d); hits "
                        + "resumed %d ms after the kill; %d hits in %d reads of a query on a live master in the 1.5 s after it%n",
                        db, entrySlot, entryMaster, promoted, control, (resumed - killed) / 1_000_000, otherHits,
                        otherReads);
                update(c, table, 300);
                awaitHitOf(c, sql, 300, "a write after the failover");
            }
        } finally {
            try (Connection direct = db.direct(); Statement s = direct.createStatement()) {
                s.execute("drop table " + table);
            }
        }
    }

    /** Every entry key on the cluster's first masters, with the port of the master that holds it. */
    private static java.util.Map<String, Integer> entries(RedisClusterFixture cluster) {
        java.util.Map<String, Integer> found = new java.util.HashMap<>();
        for (int port : cluster.ports()) {
            for (Object key : (java.util.List<?>) cluster.command(port, "KEYS", "sql:*:data:{*}")) {
                found.put(key instanceof byte[] b ? new String(b, java.nio.charset.StandardCharsets.UTF_8)
                        : String.valueOf(key), port);
            }
        }
        return found;
    }

    /**
     * Reads {@code sql} until a hit, then waits for the one entry key its store adds (the store runs off the reader's
     * thread, and the hit may have been served from it on its way); returns that key and the master holding it.
     */
    private static java.util.Map.Entry<String, Integer> storedEntryOf(RedisClusterFixture cluster, Connection c,
                                                                      String sql, int expected) throws Exception {
        java.util.Set<String> before = entries(cluster).keySet();
        awaitHitOf(c, sql, expected, "before any fault");
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            java.util.Map<String, Integer> added = new java.util.HashMap<>(entries(cluster));
            added.keySet().removeAll(before);
            if (added.size() == 1) {
                return added.entrySet().iterator().next();
            }
            assertTrue(added.size() < 2 && System.nanoTime() < deadline, "one new entry for " + sql + ": " + added);
            Thread.sleep(20);
        }
    }

    /**
     * {@code CLUSTER FAILOVER FORCE} promotes the lagging replica at once, while the fence it holds from the old
     * master is still alive and its entry from before the last write still matches its tokens. Only distrusting
     * the new master until a renewal has replaced its fence keeps that entry from being served.
     */
    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"H2"})
    void anImmediatePromotionOfALaggingReplicaServesNothingStale(TestDatabase db) throws Exception {
        String table = "cluster_manual_" + UUID.randomUUID().toString().substring(0, 8);
        try (Connection direct = db.direct(); Statement s = direct.createStatement()) {
            s.execute("create table " + table + " (id int primary key, v int)");
            s.execute("insert into " + table + " values (1, 100)");
        }
        try (RedisClusterFixture cluster = RedisClusterFixture.start()) {
            int master = cluster.masterOf(SLOT);
            int replica = cluster.addReplicaOf(master);
            try (Connection c = db.cached(settings(cluster, "4"))) {
                awaitHit(c, table, 100, "before any fault");
                cluster.cutReplication(replica, master);
                update(c, table, 200);
                awaitHit(c, table, 200, "on the master alone");
                assertEquals("OK", cluster.command(replica, "CLUSTER", "FAILOVER", "FORCE").toString());
                long reads = 0;
                long hitsBefore = stats(c).hits();
                long until = System.nanoTime() + 3_000_000_000L;
                while (System.nanoTime() < until) {
                    assertEquals(200, value(c, table), "committed before the failover");
                    reads++;
                }
                long hitsDuring = stats(c).hits() - hitsBefore;
                assertEquals(replica, cluster.awaitNewMaster(SLOT, master, 30_000));
                awaitHit(c, table, 200, "after the failover");
                System.out.printf("RedisClusterTest[%s, CLUSTER FAILOVER FORCE]: %d reads in the 3 s after it, %d of "
                        + "them hits%n", db, reads, hitsDuring);
                update(c, table, 300);
                awaitHit(c, table, 300, "a write after the failover");
            }
        } finally {
            try (Connection direct = db.direct(); Statement s = direct.createStatement()) {
                s.execute("drop table " + table);
            }
        }
    }

    /**
     * sqlcache's slot is moved to another master while one store writes and another reads (the migration goes in
     * small batches, so lookups and scripts meet the half-moved slot: {@code ASK}, {@code TRYAGAIN}): every read
     * returns the last committed value, no statement fails, and hits resume on the new master.
     */
    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"POSTGRES"})
    void aSlotMovedToAnotherMasterMidRunServesNothingStale(TestDatabase db) throws Exception {
        String table = "cluster_move_" + UUID.randomUUID().toString().substring(0, 8);
        int rows = 10;
        try (Connection direct = db.direct(); Statement s = direct.createStatement()) {
            s.execute("create table " + table + " (id int primary key, v int)");
            for (int i = 1; i <= rows; i++) {
                s.execute("insert into " + table + " values (" + i + ", 0)");
            }
        }
        try (RedisClusterFixture cluster = RedisClusterFixture.start();
             Connection reader = db.cached(settings(cluster, "4"));
             Connection writer = db.cached(settings(cluster, "5"))) {
            int source = cluster.masterOf(SLOT);
            int target = java.util.Arrays.stream(cluster.ports()).filter(p -> p != source).findFirst().orElseThrow();
            int[] committed = new int[rows + 1];
            for (int i = 1; i <= rows; i++) {
                awaitHitOf(reader, "select v from " + table + " where id = " + i, 0, "before the move");
            }
            java.util.concurrent.CompletableFuture<Void> move = java.util.concurrent.CompletableFuture.runAsync(
                    () -> cluster.migrateSlot(SLOT, target, 2, 100));
            long reads = 0;
            long hitsBefore = stats(reader).hits();
            java.util.Random random = new java.util.Random(7);
            long quietUntil = Long.MAX_VALUE;
            long longestWrite = 0;
            while (System.nanoTime() < quietUntil) {
                int id = 1 + random.nextInt(rows);
                if (random.nextInt(4) == 0) {
                    committed[id]++;
                    long writeStarted = System.nanoTime();
                    try (Statement s = writer.createStatement()) {
                        assertEquals(1, s.executeUpdate("update " + table + " set v = " + committed[id]
                                + " where id = " + id));
                    }
                    longestWrite = Math.max(longestWrite, System.nanoTime() - writeStarted);
                }
                int read = 1 + random.nextInt(rows);
                assertEquals(committed[read], number(reader, "select v from " + table + " where id = " + read),
                        "row " + read + " after its last committed write");
                reads++;
                if (move.isDone() && quietUntil == Long.MAX_VALUE) {
                    move.join();
                    quietUntil = System.nanoTime() + 1_000_000_000L;
                }
            }
            assertEquals(target, cluster.masterOf(SLOT));
            String redirected = String.valueOf(cluster.command(source, "INFO", "errorstats")).replace("\r\n", " ");
            for (int i = 1; i <= rows; i++) {
                awaitHitOf(reader, "select v from " + table + " where id = " + i, committed[i], "after the move");
            }
            System.out.printf("RedisClusterTest[%s]: slot %d moved %d -> %d in batches of 2 keys; %d reads during "
                    + "and 1 s after it, %d of them hits; %d failed calls to Redis (reader), %d (writer); longest write %d ms; "
                    + "the old master's %s%n", db, SLOT, source, target, reads, stats(reader).hits() - hitsBefore,
                    stats(reader).redisErrors(), stats(writer).redisErrors(), longestWrite / 1_000_000, redirected);
        } finally {
            try (Connection direct = db.direct(); Statement s = direct.createStatement()) {
                s.execute("drop table " + table);
            }
        }
    }

    /**
     * Review rC: a reshard moves an entry's slot to another master (the slot map this store read names the old one,
     * which answers {@code MOVED}). The read of that entry is a miss, and no call to Redis fails: before, it failed,
     * and the store's back-off and doubt sent every other read of this JVM, whatever master its entry was on, to
     * the database too (the reads after it were misses, not hits).
     */
    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"H2"})
    void anEntrysSlotMovedToAnotherMasterFailsNoCallAndKeepsTheOtherHits(TestDatabase db) throws Exception {
        String table = "cluster_reshard_" + UUID.randomUUID().toString().substring(0, 8);
        int rows = 10;
        try (Connection direct = db.direct(); Statement s = direct.createStatement()) {
            s.execute("create table " + table + " (id int primary key, v int)");
            for (int i = 1; i <= rows; i++) {
                s.execute("insert into " + table + " values (" + i + ", " + i + ")");
            }
        }
        try (RedisClusterFixture cluster = RedisClusterFixture.start();
             Connection reader = db.cached(withoutNearCache(settings(cluster, "4")))) {
            for (int i = 1; i <= rows; i++) {
                awaitHitOf(reader, "select v from " + table + " where id = " + i, i, "before the reshard");
            }
            int control = cluster.masterOf(SLOT);
            String moved = null;
            int source = -1;
            for (int port : cluster.ports()) {
                java.util.List<?> keys = (java.util.List<?>) cluster.command(port, "KEYS", "*" + table + "*:data:*");
                if (port != control && !keys.isEmpty()) {
                    moved = keys.get(0).toString();
                    source = port;
                }
            }
            assertTrue(moved != null, "an entry on a master that is not the control slot's");
            int from = source;
            int target = java.util.Arrays.stream(cluster.ports()).filter(p -> p != from).findFirst().orElseThrow();
            cluster.migrateSlot(redis.clients.jedis.util.JedisClusterCRC16.getSlot(moved), target, 10, 0);
            long errors = stats(reader).redisErrors();
            long hits = stats(reader).hits();
            for (int i = 1; i <= rows; i++) {
                assertEquals(i, number(reader, "select v from " + table + " where id = " + i), "row " + i);
            }
            System.out.printf("RedisClusterTest[%s]: entry %s moved %d -> %d; the %d reads after it: %d hits, %d "
                    + "failed calls to Redis%n", db, moved, source, target, rows, stats(reader).hits() - hits,
                    stats(reader).redisErrors() - errors);
            assertEquals(errors, stats(reader).redisErrors(), "no failed call: the moved entry's read is a miss");
            for (int i = 1; i <= rows; i++) {
                awaitHitOf(reader, "select v from " + table + " where id = " + i, i, "after the reshard");
            }
        } finally {
            try (Connection direct = db.direct(); Statement s = direct.createStatement()) {
                s.execute("drop table " + table);
            }
        }
    }

    /**
     * What a hit, a miss and a write send, counted by the nodes themselves ({@code INFO commandstats}): tokens and
     * scripts go to the control slot's master, entries to their own slot's: a hit is one {@code MGET} there and a
     * {@code GETRANGE} on the entry's node (one round trip, both sent before either reply is read), a miss the same
     * plus its store's check ({@code MGET}) and {@code SET} (and the lookup's script where a row's token is created),
     * a write two scripts (lease and end) and nothing on the entries' nodes. The other masters get no {@code MGET}
     * and no script, and the entries are read from more than one master. Membership renewals (one script per 500 ms)
     * are allowed for by the time each phase took.
     */
    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"POSTGRES"})
    void tokensAndScriptsGoToTheControlSlotsMasterEntriesToTheirOwn(TestDatabase db) throws Exception {
        String table = "cluster_trips_" + UUID.randomUUID().toString().substring(0, 8);
        int rows = 20;
        try (Connection direct = db.direct(); Statement s = direct.createStatement()) {
            s.execute("create table " + table + " (id int primary key, v int)");
            for (int i = 1; i <= rows; i++) {
                s.execute("insert into " + table + " values (" + i + ", " + i + ")");
            }
        }
        try (RedisClusterFixture cluster = RedisClusterFixture.start();
             Connection c = db.cached(withoutNearCache(settings(cluster, "4")))) {
            int master = cluster.masterOf(SLOT);
            awaitHit(c, table, 1, "warming up"); // joined, tokens created
            // That hit may have come from the store still on its way (PendingStores): its script must run before
            // the counts start, or it is counted as one of the misses' (and one store too many).
            awaitStores(c, stats(c).misses());
            resetStats(cluster);
            long started = System.nanoTime();
            CacheStatistics before = stats(c);
            for (int i = 2; i <= rows; i++) {
                assertEquals(i, number(c, "select v from " + table + " where id = " + i));
            }
            long misses = stats(c).misses() - before.misses();
            assertEquals(rows - 1, misses, "each a miss");
            awaitStores(c, before.stores() + misses);
            long[] missCalls = calls(cluster, master);
            long renewals = renewalsWithin(started);
            resetStats(cluster);
            started = System.nanoTime();
            before = stats(c);
            for (int i = 2; i <= rows; i++) {
                assertEquals(i, number(c, "select v from " + table + " where id = " + i));
            }
            assertEquals(rows - 1, stats(c).hits() - before.hits(), "each a hit");
            long[] hitCalls = calls(cluster, master);
            long hitRenewals = renewalsWithin(started);
            resetStats(cluster);
            started = System.nanoTime();
            int writes = 10;
            for (int i = 0; i < writes; i++) {
                update(c, table, 1000 + i);
            }
            long[] writeCalls = calls(cluster, master);
            long writeRenewals = renewalsWithin(started);
            System.out.printf("RedisClusterTest[%s]: on the control slot's master, %d misses sent %d MGET + %d "
                    + "scripts, %d hits %d MGET + %d scripts, %d writes %d scripts (renewals: one script per 500 ms); "
                    + "elsewhere %d misses %d SET, %d hits %d GETRANGE (%d of them on the control node, %d nodes "
                    + "read), %d writes %d GETRANGE + SET%n", db, misses, missCalls[0], missCalls[1], rows - 1,
                    hitCalls[0], hitCalls[1], writes, writeCalls[1], misses, missCalls[3], rows - 1,
                    hitCalls[2] + hitCalls[5], hitCalls[5], hitCalls[4], writes, writeCalls[2] + writeCalls[3]);
            // One MGET per lookup, and one per store (CheckedPut reads the tokens before it writes the entry).
            assertEquals(2 * misses, missCalls[0], "an MGET per lookup and per store");
            // No store script any more; the lookup's script when the row's token does not exist yet (first read of
            // a key), as on a single server.
            assertTrue(missCalls[1] <= misses + renewals, "at most one script a miss");
            assertTrue(missCalls[3] > 0, "entries are written on masters other than the control slot's");
            assertEquals(rows - 1, hitCalls[0], "one MGET per hit");
            assertEquals(rows - 1, hitCalls[2] + hitCalls[5], "one GETRANGE per hit, on the entry's node");
            assertTrue(hitCalls[4] >= 2, "entries are read from more than one master: " + hitCalls[4]);
            assertTrue(hitCalls[1] <= hitRenewals, "no script on a hit, but renewals");
            assertEquals(0, writeCalls[0]);
            assertEquals(0, writeCalls[2] + writeCalls[3], "a write touches no entry");
            assertTrue(writeCalls[1] >= 2L * writes && writeCalls[1] <= 2L * writes + writeRenewals,
                    "a lease and an end per write");
        } finally {
            try (Connection direct = db.direct(); Statement s = direct.createStatement()) {
                s.execute("drop table " + table);
            }
        }
    }

    /**
     * Near copies across stores on a cluster: the reader answers from its near cache, the writer (another runtime,
     * as another JVM) writes, and the reader's next read, right after the write returned, is the new value. Then
     * sqlcache's slot is moved to another master, and that master is killed and its replica promoted: after each,
     * the same holds (the reader's subscription follows the slot, its copies dropped), and near hits come back.
     */
    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"H2"})
    void nearCopiesAreDroppedBeforeAnotherStoresWriteReturnsAcrossAMoveAndAFailover(TestDatabase db)
            throws Exception {
        String table = "cluster_near_" + UUID.randomUUID().toString().substring(0, 8);
        try (Connection direct = db.direct(); Statement s = direct.createStatement()) {
            s.execute("create table " + table + " (id int primary key, v int)");
            s.execute("insert into " + table + " values (1, 0)");
        }
        try (RedisClusterFixture cluster = RedisClusterFixture.start();
             Connection reader = db.cached(settings(cluster, "4"));
             Connection writer = db.cached(settings(cluster, "5"))) {
            int[] v = {0};
            nearRounds(reader, writer, table, v);

            int source = cluster.masterOf(SLOT);
            int target = java.util.Arrays.stream(cluster.ports()).filter(p -> p != source).findFirst().orElseThrow();
            awaitNearHit(reader, table, v[0]);
            cluster.migrateSlot(SLOT, target, 2, 50);
            update(writer, table, ++v[0]);
            assertEquals(v[0], value(reader, table), "read right after the first write after the move");
            nearRounds(reader, writer, table, v);

            int replica = cluster.addReplicaOf(target);
            nearRounds(reader, writer, table, v);
            cluster.kill(target);
            assertEquals(replica, cluster.awaitNewMaster(SLOT, target, 30_000));
            update(writer, table, ++v[0]);
            assertEquals(v[0], value(reader, table), "read right after the first write on the promoted replica");
            nearRounds(reader, writer, table, v);
            System.out.printf("RedisClusterTest[%s, near]: %d near hits of the reader; %d failed calls to Redis "
                    + "(reader), %d (writer)%n", db, stats(reader).nearHits(), stats(reader).redisErrors(),
                    stats(writer).redisErrors());
        } finally {
            try (Connection direct = db.direct(); Statement s = direct.createStatement()) {
                s.execute("drop table " + table);
            }
        }
    }

    /** Five times: a near hit of the reader, a write of the writer, and the reader's read right after it. */
    private static void nearRounds(Connection reader, Connection writer, String table, int[] v) throws Exception {
        for (int i = 0; i < 5; i++) {
            awaitNearHit(reader, table, v[0]);
            update(writer, table, ++v[0]);
            assertEquals(v[0], value(reader, table), "read right after another store's write");
        }
    }

    /** Reads until the near cache answers (its lease needs a renewal's marker back through the subscription). */
    private static void awaitNearHit(Connection c, String table, int expected) throws Exception {
        long start = System.nanoTime();
        while (System.nanoTime() - start < HIT_BOUND_NANOS) {
            long before = stats(c).nearHits();
            assertEquals(expected, value(c, table), "while waiting for a near hit");
            if (stats(c).nearHits() > before) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no near hit within 30 s: " + stats(c));
    }

    /** What a near hit sends to Redis is nothing: tests that count a hit's round trips turn the near cache off. */
    private static Properties withoutNearCache(Properties settings) {
        settings.setProperty("sqlcache.nearCache.maxBytes", "0");
        return settings;
    }

    private static void resetStats(RedisClusterFixture cluster) {
        for (int port : cluster.ports()) {
            cluster.command(port, "CONFIG", "RESETSTAT");
        }
    }

    /** Renewals that may have run since {@code started}: one per 500 ms, plus one either side. */
    private static long renewalsWithin(long started) {
        return (System.nanoTime() - started) / 500_000_000L + 2;
    }

    /** The stores ran on a thread of their own: waits until they are counted. */
    private static void awaitStores(Connection c, long stores) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (stats(c).stores() < stores && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(stores, stats(c).stores());
    }

    /**
     * On the control slot's master: MGETs [0], scripts [1], GETRANGEs [5] (scripts may run one there); on the other
     * masters, where no MGET and no script may run: GETRANGEs [2] and SETs [3]; and how many masters got a GETRANGE
     * [4].
     */
    private static long[] calls(RedisClusterFixture cluster, int master) {
        long[] counted = new long[6];
        for (int port : cluster.ports()) {
            String stats = cluster.command(port, "INFO", "commandstats").toString();
            long mget = calls(stats, "mget");
            // An EVALSHA the server answers NOSCRIPT (a script's first run there) is followed by its EVAL: one run.
            long scripts = calls(stats, "evalsha") - failedCalls(stats, "evalsha") + calls(stats, "eval");
            long getrange = calls(stats, "getrange");
            counted[4] += getrange > 0 ? 1 : 0;
            if (port == master) {
                counted[0] = mget;
                counted[1] = scripts;
                counted[5] = getrange;
            } else {
                assertEquals(0, mget + scripts, port + " is not the control slot's master: " + stats);
                counted[2] += getrange;
                counted[3] += calls(stats, "set");
            }
        }
        return counted;
    }

    private static long failedCalls(String commandStats, String command) {
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("cmdstat_" + command + ":calls=.*failed_calls=(\\d+)").matcher(commandStats);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    private static long calls(String commandStats, String command) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("cmdstat_" + command + ":calls=(\\d+)")
                .matcher(commandStats);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    private static Properties settings(RedisClusterFixture cluster, String maxConnections) {
        Properties settings = new Properties();
        settings.putAll(cluster.properties());
        settings.setProperty("sqlcache.redis.maxConnections", maxConnections);
        return settings;
    }

    private static CacheStatistics stats(Connection c) throws SQLException {
        return c.unwrap(SqlCacheConnection.class).statistics();
    }

    private static long awaitHit(Connection c, String table, int expected, String when) throws Exception {
        return awaitHitOf(c, "select v from " + table + " where id = 1", expected, when);
    }

    /** Reads until a read is a hit, each checked against {@code expected}; returns when the hit came. */
    private static long awaitHitOf(Connection c, String sql, int expected, String when) throws Exception {
        long start = System.nanoTime();
        while (System.nanoTime() - start < HIT_BOUND_NANOS) {
            long hits = stats(c).hits();
            assertEquals(expected, number(c, sql), when);
            if (stats(c).hits() > hits) {
                return System.nanoTime();
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no hit of " + sql + " within 30 s " + when);
    }

    private static int value(Connection c, String table) throws SQLException {
        return number(c, "select v from " + table + " where id = 1");
    }

    private static int number(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            assertTrue(rs.next());
            return rs.getInt(1);
        }
    }

    private static void update(Connection c, String table, int v) throws SQLException {
        try (Statement s = c.createStatement()) {
            assertEquals(1, s.executeUpdate("update " + table + " set v = " + v + " where id = 1"));
        }
    }
}
