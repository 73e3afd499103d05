package dev.sqlcache.driver;

import dev.sqlcache.testing.RedisServerFixture;
import dev.sqlcache.testing.TcpRelay;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A lease stands for a write in flight; once every write has returned (committed, rolled back, failed, in a batch,
 * on a connection closed without a commit), none may remain: no version key holding a {@code lease:} value, no
 * holders set naming a write. A lease that outlives its write keeps its table uncached in every JVM until
 * {@code sqlcache.writeLease} expires (5 minutes here, the default). Many writers and readers on a few tables, in
 * two runtimes (one through a relay: two JVMs sharing one Redis), so that leases overlap on keys within a JVM and
 * across JVMs; every table pinned on, so that no skip permit (a lease for writes to come) takes part.
 */
class NoLeaseOutlivesItsWriteTest {

    private static final String[] TABLES = {"ls_a", "ls_b", "ls_c"};
    private static final int ROWS = 8;
    private static final int WRITERS_PER_JVM = 4;
    private static final int READERS_PER_JVM = 2;
    private static final int ROUNDS = 150;

    private RedisServerFixture redis;
    private TcpRelay relay;
    private String url;

    @BeforeEach
    void start() throws Exception {
        redis = RedisServerFixture.start();
        relay = TcpRelay.to(redis.port());
        url = "jdbc:h2:mem:leases_" + UUID.randomUUID().toString().replace("-", "") + ";DB_CLOSE_DELAY=-1";
        try (Connection c = DriverManager.getConnection(url, "sa", ""); Statement s = c.createStatement()) {
            for (String table : TABLES) {
                s.execute("create table " + table + "(id int primary key, v int not null)");
                for (int id = 1; id <= ROWS; id++) {
                    s.execute("insert into " + table + " values (" + id + ", 0)");
                }
            }
        }
    }

    @AfterEach
    void stop() {
        relay.close();
        redis.close();
    }

    /** Which runtime has every table pinned off (so that it asks for skip permits), or -1: all on. */
    private int offPort = -1;

    private Connection connect(int port) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", "sa");
        p.setProperty("password", "");
        p.setProperty("sqlcache.redis.host", "127.0.0.1");
        p.setProperty("sqlcache.redis.port", Integer.toString(port));
        String mode = port == offPort ? "off" : "on";
        p.setProperty("sqlcache.tablePolicy", String.join("=" + mode + ",", TABLES) + "=" + mode);
        return DriverManager.getConnection("jdbc:sqlcache:" + url.substring("jdbc:".length()), p);
    }

    @Test
    void afterEveryWriteHasReturnedNoLeaseRemains() throws Exception {
        run(0);
    }

    /**
     * The same workload with every table pinned off in one runtime (which writes under skip permits, the leases
     * that stand for writes to come) and on in the other (whose readers meet the permits, register as cachers and
     * take them back, and whose writes lease the keys a permit holds). A permit is given up at most
     * {@code SkipGuard.IDLE_NANOS} (2 s) plus a renewal round after the last write here: once that has passed, no
     * lease may remain either. The base test pins every table on, so it says nothing about permits.
     */
    @Test
    void afterEveryWriteHasReturnedNoLeaseRemainsWithSkipPermits() throws Exception {
        offPort = redis.port();
        run(10_000);
    }

    /** @param graceMillis how long after the last write a lease may still stand (a skip permit's idle window) */
    private void run(long graceMillis) throws Exception {
        int[] ports = {redis.port(), relay.port()};
        List<Connection> open = new ArrayList<>();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicInteger writes = new AtomicInteger();
        AtomicInteger reads = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        List<Thread> writers = new ArrayList<>();
        List<Thread> readers = new ArrayList<>();
        try {
            int n = 0;
            for (int port : ports) {
                for (int w = 0; w < WRITERS_PER_JVM; w++) {
                    Connection c = connect(port);
                    open.add(c);
                    int seed = n++;
                    writers.add(new Thread(() -> {
                        try {
                            write(c, port, seed, writes, refused);
                        } catch (Throwable e) {
                            failures.add(e);
                        }
                    }, "lease-writer-" + seed));
                }
                for (int r = 0; r < READERS_PER_JVM; r++) {
                    Connection c = connect(port);
                    open.add(c);
                    int seed = 100 + n++;
                    readers.add(new Thread(() -> {
                        try {
                            read(c, seed, writing, reads);
                        } catch (Throwable e) {
                            failures.add(e);
                        }
                    }, "lease-reader-" + seed));
                }
            }
            readers.forEach(Thread::start);
            writers.forEach(Thread::start);
            for (Thread t : writers) {
                t.join(300_000);
                assertTrue(!t.isAlive(), t.getName() + " still writing after 5 minutes");
            }
            writing.set(false);
            for (Thread t : readers) {
                t.join(60_000);
            }
            assertEquals(List.of(), new ArrayList<>(failures), "the workload itself failed");
            // Every write has returned; the connections stay open (closing one ends what it holds, which would hide
            // a lease its writes left behind).
            Map<String, String> left = leasesLeft();
            long grace = System.nanoTime() + graceMillis * 1_000_000L;
            while (!left.isEmpty() && System.nanoTime() < grace) {
                Thread.sleep(100);
                left = leasesLeft();
            }
            System.out.println(writes.get() + " writes (" + refused.get() + " refused by the database) and "
                    + reads.get() + " reads in two runtimes ("
                    + open.get(0).unwrap(SqlCacheConnection.class).statistics().skippedWrites()
                    + " skipped their invalidation); leases left: " + left);
            assertTrue(left.isEmpty(), left.size() + " keys with leases that outlived their writes, the first: "
                    + left.entrySet().stream().limit(6).toList());
        } finally {
            writing.set(false);
            for (Connection c : open) {
                try {
                    c.close();
                } catch (SQLException e) {
                    // closing after the assertion
                }
            }
        }
    }

    /** Version keys holding a lease, and holders sets that still exist, with what they hold. */
    private Map<String, String> leasesLeft() {
        Map<String, String> left = new TreeMap<>();
        try (Jedis jedis = new Jedis(redis.host(), redis.port())) {
            for (String key : jedis.keys("sql:*")) {
                String type = jedis.type(key);
                if (key.endsWith(":leases")) {
                    left.put(key, type + " of " + jedis.zcard(key) + ", last " + jedis.zrangeWithScores(key, -1, -1)
                            + " pttl " + jedis.pttl(key));
                } else if (key.contains(":version:") && type.equals("string")) {
                    String value = jedis.get(key);
                    if (value != null && value.startsWith("lease:")) {
                        left.put(key, value + " pttl " + jedis.pttl(key));
                    }
                }
            }
        }
        return left;
    }

    /** One writer: a mix of every way a write can begin and end. */
    private void write(Connection c, int port, int seed, AtomicInteger writes, AtomicInteger refused)
            throws Exception {
        Random random = new Random(seed);
        int ownId = 1_000 * (seed + 1);
        for (int round = 0; round < ROUNDS; round++) {
            try {
                ownId = writeOnce(c, port, random, ownId);
            } catch (SQLException e) {
                // The database refused (a deadlock, a lock timeout): one more way for a write to end. Whatever was
                // open is rolled back, as an application would.
                if (!c.getAutoCommit()) {
                    c.rollback();
                    c.setAutoCommit(true);
                }
                refused.incrementAndGet();
            }
            writes.incrementAndGet();
        }
    }

    private int writeOnce(Connection c, int port, Random random, int ownId) throws SQLException {
        {
            String table = TABLES[random.nextInt(TABLES.length)];
            int id = 1 + random.nextInt(ROWS);
            switch (random.nextInt(10)) {
                case 0, 1 -> {
                    // Auto-commit, by key.
                    try (Statement s = c.createStatement()) {
                        s.executeUpdate("update " + table + " set v = v + 1 where id = " + id);
                    }
                }
                case 2 -> {
                    // Auto-commit, the whole table.
                    try (PreparedStatement s = c.prepareStatement("update " + table + " set v = v + ? where v >= 0")) {
                        s.setInt(1, 1);
                        s.executeUpdate();
                    }
                }
                case 3 -> {
                    // Insert and delete a row of its own.
                    try (Statement s = c.createStatement()) {
                        int mine = ++ownId;
                        s.executeUpdate("insert into " + table + " values (" + mine + ", 1)");
                        s.executeUpdate("delete from " + table + " where id = " + mine);
                    }
                }
                case 4 -> {
                    // A statement that fails: a duplicate key.
                    try (Statement s = c.createStatement()) {
                        s.executeUpdate("insert into " + table + " values (" + id + ", 1)");
                    } catch (SQLException expected) {
                        // the lease it took must end all the same
                    }
                }
                case 5, 6 -> {
                    // A transaction over one to three tables, committed or rolled back, sometimes with a failure.
                    c.setAutoCommit(false);
                    try (Statement s = c.createStatement()) {
                        int statements = 1 + random.nextInt(3);
                        for (int i = 0; i < statements; i++) {
                            s.executeUpdate("update " + TABLES[random.nextInt(TABLES.length)] + " set v = v + 1 where id = "
                                    + (1 + random.nextInt(ROWS)));
                        }
                        if (random.nextInt(4) == 0) {
                            try {
                                s.executeUpdate("insert into " + table + " values (" + id + ", 1)");
                            } catch (SQLException expected) {
                                // still inside the transaction
                            }
                        }
                        if (random.nextBoolean()) {
                            c.commit();
                        } else {
                            c.rollback();
                        }
                    } finally {
                        c.setAutoCommit(true);
                    }
                }
                case 7 -> {
                    // A batch over two tables, now and then failing part way.
                    try (Statement s = c.createStatement()) {
                        s.addBatch("update " + table + " set v = v + 1 where id = " + id);
                        s.addBatch("update " + TABLES[random.nextInt(TABLES.length)] + " set v = v + 1");
                        if (random.nextInt(3) == 0) {
                            s.addBatch("insert into " + table + " values (" + id + ", 1)");
                        }
                        s.executeBatch();
                    } catch (BatchUpdateException expected) {
                        // part of it ran
                    }
                }
                case 8 -> {
                    // A connection closed with its transaction open, and one switched back to auto-commit.
                    try (Connection other = connect(port)) {
                        other.setAutoCommit(false);
                        try (Statement s = other.createStatement()) {
                            s.executeUpdate("update " + table + " set v = v + 1 where id = " + id);
                        }
                        if (random.nextBoolean()) {
                            other.setAutoCommit(true);
                        }
                    }
                }
                default -> {
                    // A prepared statement by key, and a read through the writer's own connection.
                    try (PreparedStatement s = c.prepareStatement("update " + table + " set v = v + 1 where id = ?")) {
                        s.setInt(1, id);
                        s.executeUpdate();
                    }
                    try (Statement s = c.createStatement();
                         ResultSet rs = s.executeQuery("select v from " + table + " where id = " + id)) {
                        assertTrue(rs.next());
                    }
                }
            }
        }
        return ownId;
    }

    private static void read(Connection c, int seed, AtomicBoolean writing, AtomicInteger reads) throws Exception {
        Random random = new Random(seed);
        while (writing.get()) {
            String table = TABLES[random.nextInt(TABLES.length)];
            String sql = random.nextBoolean() ? "select v from " + table + " where id = " + (1 + random.nextInt(ROWS))
                    : "select count(*), sum(v) from " + table;
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
                while (rs.next()) {
                    rs.getInt(1);
                }
            }
            reads.incrementAndGet();
        }
    }
}
