package dev.sqlcache.internal.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlcache.internal.config.SqlCacheConfig;
import dev.sqlcache.internal.engine.CacheEngine;
import dev.sqlcache.internal.engine.CacheSession;
import dev.sqlcache.internal.engine.Execution;
import dev.sqlcache.internal.engine.QueryOutcome;
import dev.sqlcache.internal.store.CacheStores;
import dev.sqlcache.internal.time.Clock;
import dev.sqlcache.stats.BypassReason;
import dev.sqlcache.stats.CacheStatistics;
import dev.sqlcache.testing.RedisServerFixture;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A missed result is encoded, size-checked, copied into the near cache and stored on the writer thread, not on the
 * caller's. Here the writer is held by the test, so that what the caller's thread did and what the writer did can
 * be told apart, and a store can be made to land as late as wanted. Real Redis, real (H2) database.
 */
class LateStoreTest {

    /** The writer thread, held: tasks run only when the test says so. */
    private static final class HeldWriter implements Executor {
        final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
        boolean full;

        @Override
        public synchronized void execute(Runnable task) {
            if (full) {
                throw new RejectedExecutionException("full");
            }
            tasks.add(task);
        }

        void runAll() {
            Runnable task;
            while ((task = next()) != null) {
                task.run();
            }
        }

        private synchronized Runnable next() {
            return tasks.poll();
        }
    }

    /** The read every test makes of the row it writes, and that write. */
    private static final String ITEM = "select name from items where id = 1";
    private static final String UPDATE = "update items set name = 'after' where id = 1";
    /** An engine named for PostgreSQL, where snapshot reads exist; the statements run on H2, which answers alike. */
    private static final String POSTGRES_URL = "jdbc:postgresql://127.0.0.1:5432/late_store";

    private RedisServerFixture redis;
    private Connection db;
    private final HeldWriter writer = new HeldWriter();
    private CacheRuntime runtime;
    private CacheEngine engine;

    @BeforeEach
    void open() throws Exception {
        redis = RedisServerFixture.start();
        db = DriverManager.getConnection("jdbc:h2:mem:late_store_" + System.nanoTime() + ";DB_CLOSE_DELAY=-1");
        try (Statement st = db.createStatement()) {
            st.execute("create table items (id int primary key, name varchar(4000))");
            st.execute("insert into items values (1, 'before')");
        }
    }

    private void engine(Map<String, String> settings) throws Exception {
        engine(settings, "jdbc:h2:mem:late_store");
    }

    /** An engine named for {@code url} (its database decides which reads are snapshot reads). */
    private void engine(Map<String, String> settings, String url) throws Exception {
        Map<String, String> all = new HashMap<>(redis.tcpProperties());
        all.putAll(settings);
        SqlCacheConfig config = SqlCacheConfig.load(Map.of(), all);
        runtime = new CacheRuntime(RuntimeKey.of(config), CacheStores.open(config), Clock.SYSTEM, null, writer);
        runtime.start();
        engine = runtime.engine(config, url);
    }

    @AfterEach
    void close() throws Exception {
        if (runtime != null) {
            runtime.close();
        }
        db.close();
        redis.close();
    }

    private CacheSession session() {
        return FixedSession.open(engine, true, Connection.TRANSACTION_READ_COMMITTED, false);
    }

    /** The opening of most tests: an engine for {@code url}, and an auto-commit reader the near cache serves. */
    private CacheSession servingReader(Map<String, String> settings, String url) throws Exception {
        engine(settings, url);
        CacheSession reader = session();
        awaitNearCacheServing(reader);
        return reader;
    }

    private CacheSession servingReader() throws Exception {
        return servingReader(Map.of(), "jdbc:h2:mem:late_store");
    }

    /** A REPEATABLE READ transaction's session: its misses keep to the store and take no near tag. */
    private CacheSession snapshotSession() throws SQLException {
        CacheSession snapshot = FixedSession.open(engine, true, Connection.TRANSACTION_REPEATABLE_READ, true);
        snapshot.setAutoCommit(false, () -> { });
        return snapshot;
    }

    /** Reads the query's first column of its first row through the cache, reading every row as an application. */
    private String read(CacheSession cache, String sql) throws SQLException {
        return read(cache, db, sql);
    }

    /** {@link #read(CacheSession, String)} on the connection {@code on}. */
    private String read(CacheSession cache, Connection on, String sql) throws SQLException {
        Execution execution = Execution.query(cache.plan(sql), null, 0, 0, true);
        Statement st = on.createStatement();
        QueryOutcome outcome = cache.query(execution, () -> st.executeQuery(sql));
        if (outcome instanceof QueryOutcome.Hit hit) {
            st.close();
            return String.valueOf(hit.result().value(0, 0));
        }
        QueryOutcome.Ran ran = (QueryOutcome.Ran) outcome;
        try (st; ResultSet rs = ran.resultSet()) {
            String first = null;
            while (rs.next()) {
                if (first == null) {
                    first = rs.getString(1);
                }
                if (ran.capture() != null) {
                    ran.capture().row(rs);
                }
            }
            if (ran.capture() != null) {
                ran.capture().end();
            }
            return first;
        }
    }

    private void write(CacheSession cache, String sql) throws SQLException {
        write(cache, db, sql);
    }

    private void write(CacheSession cache, Connection on, String sql) throws SQLException {
        try (Statement st = on.createStatement()) {
            cache.execute(Execution.statement(cache.plan(sql)), () -> st.executeUpdate(sql));
        }
    }

    private CacheStatistics since(CacheStatistics before) {
        return engine.statistics().since(before);
    }

    @Test
    void aStoreThatLandsAfterAWriteIsNeverServedFromRedisNorFromTheNearCache() throws Exception {
        String sql = ITEM;
        CacheSession reader = servingReader();
        CacheStatistics before = engine.statistics();
        assertEquals("before", read(reader, sql));
        assertEquals(1, writer.tasks.size(), "the store waits for the writer thread");
        assertEquals(0, since(before).stores());

        write(session(), UPDATE);
        writer.runAll(); // the store lands after the write's lease and end

        CacheStatistics landed = since(before);
        assertEquals(0, landed.stores(), "refused: the tokens the lookup read are no longer current " + landed);
        for (int i = 0; i < 3; i++) {
            assertEquals("after", read(reader, sql), "never the result computed before the write");
            writer.runAll();
        }
        CacheStatistics after = since(before);
        assertTrue(after.nearHits() >= 1, "the result read after the write is cached as usual: " + after);
    }

    /**
     * A read that finds its result still on its way to the store (the writer thread has not run) is served from
     * it, and copies it into the near cache as a hit from Redis would: the reads after it are near hits, not one
     * Redis round trip each until the store lands. Before, the copy was made only by the writer thread. Since hB
     * an auto-commit miss copies its result itself; the miss here is a snapshot read's (REPEATABLE READ on
     * PostgreSQL keeps to the store and takes no near tag), so what is tested is the reader's copy of the pending
     * result. The statements run on H2, which answers them alike.
     */
    @Test
    void aReadThatFindsItsResultStillOnItsWayCopiesItIntoTheNearCache() throws Exception {
        String sql = ITEM;
        CacheSession reader = servingReader(Map.of(), POSTGRES_URL);
        CacheSession snapshot = snapshotSession();
        CacheStatistics before = engine.statistics();
        assertEquals("before", read(snapshot, sql));
        assertEquals(1, writer.tasks.size(), "the store waits for the writer thread");

        assertEquals("before", read(reader, sql)); // a lookup in Redis, served from the pending store
        CacheStatistics pending = since(before);
        assertEquals(1, pending.hits(), pending.toString());
        assertEquals(0, pending.nearHits(), pending.toString());
        for (int i = 0; i < 3; i++) {
            assertEquals("before", read(reader, sql));
        }
        assertEquals(1, writer.tasks.size(), "the store has still not landed");
        CacheStatistics after = since(before);
        assertEquals(3, after.nearHits(), "the reads after the first pending hit are near hits: " + after);

        // The copy obeys writes as any other: a write before the store lands kills it and makes the store refuse.
        write(session(), UPDATE);
        assertEquals("after", read(reader, sql), "never the copy made before the write");
        writer.runAll();
        assertEquals(1, since(before).stores(), "the first store refused, only the one made after the write stored");
        assertEquals("after", read(reader, sql));
    }

    /**
     * Issue #13 (hB): a miss copies its result into the near cache on its own thread, before the store is queued:
     * the next read is a near hit and sends Redis nothing, while the store still waits for the writer thread.
     * Before, the copy was made by the writer thread, and every read in between was a Redis lookup that found the
     * result pending (one round trip each: a hot key read by other threads right after a write changed it). The
     * copy obeys writes as any other: a write before the store lands kills it, and the store refuses.
     */
    @Test
    void aMissCopiesItsResultIntoTheNearCacheBeforeItsStoreLands() throws Exception {
        String sql = ITEM;
        CacheSession reader = servingReader();
        CacheStatistics before = engine.statistics();
        assertEquals("before", read(reader, sql));
        assertEquals(1, writer.tasks.size(), "the store waits for the writer thread");
        redis.command("CONFIG", "RESETSTAT");

        assertEquals("before", read(reader, sql));
        CacheStatistics pending = since(before);
        assertEquals(1, pending.misses(), pending.toString());
        assertEquals(1, pending.nearHits(), "the read after the miss is a near hit: " + pending);
        Map<String, Long> lookups = lookupCommands();
        assertEquals(Map.of(), lookups, "no Redis lookup: " + lookups);
        assertEquals(1, writer.tasks.size(), "the store has still not landed");

        write(session(), UPDATE);
        assertEquals("after", read(reader, sql), "never the copy made before the write");
        writer.runAll();
        assertEquals(1, since(before).stores(), "the first store refused, only the one made after the write stored");
        assertEquals("after", read(reader, sql));
    }

    /**
     * The commands only a lookup sends ({@code GETRANGE}, {@code MGET}, {@code PTTL}, and {@code STRLEN} inside
     * lookup.lua) since the last reset, by name: the renewals running meanwhile send none of them.
     */
    private Map<String, Long> lookupCommands() {
        Map<String, Long> counted = new java.util.TreeMap<>();
        String info;
        try (redis.clients.jedis.Jedis jedis = new redis.clients.jedis.Jedis(redis.host(), redis.port())) {
            info = jedis.info("commandstats");
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("cmdstat_([a-z|]+):calls=(\\d+)").matcher(info);
        while (m.find()) {
            if (java.util.Set.of("getrange", "mget", "pttl", "strlen").contains(m.group(1))) {
                counted.put(m.group(1), Long.parseLong(m.group(2)));
            }
        }
        return counted;
    }

    /** Near copies are served only once the near lease is confirmed: a stale copy would otherwise go unseen. */
    private void awaitNearCacheServing(CacheSession reader) throws Exception {
        String other = "select id from items where id = 1";
        long until = System.nanoTime() + 10_000_000_000L;
        CacheStatistics before = engine.statistics();
        while (since(before).nearHits() == 0) {
            assertTrue(System.nanoTime() < until, "the near cache never served: " + since(before));
            read(reader, other);
            writer.runAll();
            Thread.sleep(50);
        }
    }

    @Test
    void aResultOverTheLimitOnceEncodedIsRefusedAndCountedOnTheWriterThread() throws Exception {
        String sql = oversizedOnceEncoded();
        // Serving, so that the miss's own copy (made on its thread since hB) is what the next read finds.
        CacheSession reader = servingReader(Map.of("sqlcache.maxBytes", "12000"), "jdbc:h2:mem:late_store");
        CacheStatistics before = engine.statistics();

        assertEquals("before", read(reader, sql));
        assertEquals(0, since(before).rejected(BypassReason.TOO_LARGE),
                "nothing encoded on the caller's thread: the capture was under the limit");
        assertEquals(1, writer.tasks.size());
        assertEquals("before", read(reader, sql)); // served while pending, from the miss's copy
        assertEquals(1, since(before).nearHits(), since(before).toString());
        writer.runAll();

        CacheStatistics refused = since(before);
        assertEquals(1, refused.rejected(BypassReason.TOO_LARGE), refused.toString());
        assertEquals(0, refused.totalBypasses(), "a miss whose result is refused is not also a bypass " + refused);
        assertEquals(0, refused.stores(), refused.toString());

        CacheStatistics refusedAt = engine.statistics();
        assertEquals("before", read(reader, sql));
        writer.runAll();
        CacheStatistics again = since(before);
        assertEquals(1, again.hits(), "only the read while it was pending: " + again);
        assertEquals(0, engine.statistics().since(refusedAt).nearHits(), "its copy went with the refusal: " + again);
        assertEquals(2, again.misses(), again.toString());
        assertEquals(2, again.rejected(BypassReason.TOO_LARGE), again.toString());
    }

    /**
     * A query over the limit once encoded: the capture estimates 64 bytes per column and counts characters; the
     * encoding writes each column's label, here 200 three-byte characters, so 150 columns encode to about 90 kB more
     * than the estimate: over maxEntryBytes (3 x maxBytes + 64 KiB, maxBytes 12000) while the capture is well under
     * maxBytes.
     */
    private static String oversizedOnceEncoded() {
        StringBuilder sql = new StringBuilder("select ");
        for (int c = 0; c < 150; c++) {
            sql.append(c == 0 ? "" : ", ").append("name as \"").append(c).append("€".repeat(200)).append('"');
        }
        return sql.append(" from items where id = 1").toString();
    }

    /**
     * Review rD: the pending copy of a result refused as too large once encoded must go with the refusal, also when
     * the miss that computed it took no near tag (a snapshot read: REPEATABLE READ on PostgreSQL/MariaDB keeps to
     * the store) while the read that found it pending, in auto-commit, copied it. Before, the writer thread dropped
     * the copy only under the miss's own tag: the reader's copy stayed, over the limit, served as near hits. With
     * the near cache serving first, so that a copy kept would be seen.
     */
    @Test
    void aCopyOfAPendingResultRefusedAsTooLargeGoesEvenWhenTheMissTookNoNearTag() throws Exception {
        String sql = oversizedOnceEncoded();
        CacheSession reader = servingReader(Map.of("sqlcache.maxBytes", "12000"), POSTGRES_URL);
        CacheSession snapshot = snapshotSession();
        CacheStatistics before = engine.statistics();

        assertEquals("before", read(snapshot, sql));
        assertEquals(1, writer.tasks.size(), "the snapshot read's miss waits for the writer thread " + since(before));
        assertEquals("before", read(reader, sql)); // served while pending, and copied by the auto-commit reader
        assertEquals(1, since(before).hits(), since(before).toString());
        writer.runAll();
        assertEquals(1, since(before).rejected(BypassReason.TOO_LARGE), since(before).toString());

        for (int i = 0; i < 3; i++) {
            assertEquals("before", read(reader, sql));
            writer.runAll();
        }
        CacheStatistics again = since(before);
        assertEquals(0, again.nearHits(), "a result refused as too large is never kept in the near cache: " + again);
    }

    @Test
    void aStoreTheFullQueueRefusesIsCountedAndForgotten() throws Exception {
        engine(Map.of());
        String sql = ITEM;
        CacheSession reader = session();
        CacheStatistics before = engine.statistics();
        writer.full = true;
        assertEquals("before", read(reader, sql));
        CacheStatistics dropped = since(before);
        assertEquals(1, dropped.rejected(BypassReason.STORE_QUEUE_FULL), dropped.toString());
        assertEquals(0, writer.tasks.size());

        writer.full = false;
        assertEquals("before", read(reader, sql));
        CacheStatistics next = since(before);
        assertEquals(0, next.hits(), "not served from the pending results either: it was never stored " + next);
        assertEquals(2, next.misses(), next.toString());
        writer.runAll();
        assertEquals(1, since(before).stores());
        assertEquals("before", read(reader, sql));
        assertEquals(1, since(before).hits());
    }

    /**
     * Review rB of hB: with the near cache serving, the copy the miss made on its own thread before the full queue
     * refused its store goes with it: the next read misses, as it would have before hB (no copy without a store).
     */
    @Test
    void aStoreTheFullQueueRefusesLeavesNoNearCopy() throws Exception {
        String sql = ITEM;
        CacheSession reader = servingReader();
        CacheStatistics before = engine.statistics();
        writer.full = true;
        assertEquals("before", read(reader, sql));
        assertEquals(1, since(before).rejected(BypassReason.STORE_QUEUE_FULL), since(before).toString());
        writer.full = false;
        assertEquals("before", read(reader, sql));
        CacheStatistics next = since(before);
        assertEquals(0, next.nearHits(), "the copy went with the refused store: " + next);
        assertEquals(2, next.misses(), next.toString());
        writer.runAll();
    }

    /**
     * Review rB of hB: a write (in this JVM, or in another, whose commit waits for this JVM's acknowledgement) whose
     * commit returns while a miss's result set is still being read. The capture ends after the write, and the miss
     * copies its result then, on its own thread: a result the database answered before the write. The copy keeps
     * the tag taken before the lookup, so it is refused; re-tagged when it is put, it would be served after the
     * commit returned (the variant tried: a tag taken again in {@code SessionCache.store}).
     */
    @Test
    void aWriteThatCommitsWhileAMissIsBeingReadKillsTheCopyTheMissMakesAfterIt() throws Exception {
        CacheSession reader = servingReader();
        missReadAcrossAWrite(reader, () -> write(session(), UPDATE));
    }

    /** {@link #aWriteThatCommitsWhileAMissIsBeingReadKillsTheCopyTheMissMakesAfterIt}, the write in another JVM. */
    @Test
    void aWriteInAnotherJvmThatCommitsWhileAMissIsBeingReadKillsTheCopyTheMissMakesAfterIt() throws Exception {
        CacheSession reader = servingReader();
        Map<String, String> all = new HashMap<>(redis.tcpProperties());
        SqlCacheConfig config = SqlCacheConfig.load(Map.of(), all);
        CacheRuntime other = new CacheRuntime(RuntimeKey.of(config), CacheStores.open(config), Clock.SYSTEM, null,
                Runnable::run);
        try {
            other.start();
            CacheEngine otherEngine = other.engine(config, "jdbc:h2:mem:late_store");
            try (Connection otherDb = DriverManager.getConnection(db.getMetaData().getURL())) {
                CacheSession writerSession = FixedSession.open(otherEngine, true, Connection.TRANSACTION_READ_COMMITTED,
                        false);
                missReadAcrossAWrite(reader,
                        () -> write(writerSession, otherDb, UPDATE));
            }
        } finally {
            other.close();
        }
    }

    private interface SqlStep {
        void run() throws SQLException;
    }

    /**
     * A miss whose result set is open (its rows answered by the database, not yet read by the capture) while
     * {@code write} runs and returns.
     */
    private void missReadAcrossAWrite(CacheSession reader, SqlStep write) throws Exception {
        String sql = ITEM;
        CacheStatistics before = engine.statistics();
        Execution execution = Execution.query(reader.plan(sql), null, 0, 0, true);
        try (Statement st = db.createStatement()) {
            QueryOutcome.Ran ran = (QueryOutcome.Ran) reader.query(execution, () -> st.executeQuery(sql));
            assertTrue(ran.capture() != null, "a miss that captures its result");
            try (ResultSet rs = ran.resultSet()) {
                assertTrue(rs.next());
                assertEquals("before", rs.getString(1));
                ran.capture().row(rs);
                write.run(); // its commit returns here
                assertTrue(!rs.next());
                ran.capture().end(); // the miss's copy, and its store queued, after the write
            }
        }
        assertEquals(1, since(before).misses(), since(before).toString());
        for (int i = 0; i < 3; i++) {
            assertEquals("after", read(reader, sql), "never the answer from before the write's commit");
            writer.runAll();
        }
        assertEquals(0, since(before).rejected(BypassReason.STORE_QUEUE_FULL));
    }

    /**
     * Review r3: a miss read inside a READ COMMITTED transaction, whose store and near copy are still waiting for the
     * writer when the same transaction writes the table. The caller checked {@code mayStore} before the write; what
     * keeps the result out afterwards is the write's lease (Redis) and this JVM's own invalidation (near copy). The
     * writer runs between the write and the commit, and again after it: nothing computed before the write is kept
     * or served, neither to the transaction's connection nor to another.
     */
    @Test
    void aMissInATransactionThatThenWritesBeforeTheWriterRunsIsNeitherStoredNorCopied() throws Exception {
        String sql = ITEM;
        CacheSession reader = servingReader();
        try (Connection tx = DriverManager.getConnection(db.getMetaData().getURL())) {
            CacheSession inTransaction = session();
            inTransaction.setAutoCommit(false, () -> tx.setAutoCommit(false));
            CacheStatistics before = engine.statistics();
            assertEquals("before", read(inTransaction, tx, sql));
            assertEquals(1, writer.tasks.size(), "the store waits for the writer thread");

            write(inTransaction, tx, UPDATE);
            writer.runAll(); // lands between the transaction's write and its commit
            assertEquals(0, since(before).stores(), "refused: the transaction's lease replaced the tokens");
            assertEquals("before", read(reader, sql), "another connection sees the committed value");
            writer.runAll();

            inTransaction.commit(tx::commit);
            for (int i = 0; i < 3; i++) {
                assertEquals("after", read(reader, sql), "never the result computed before the commit");
                writer.runAll();
            }
            inTransaction.close();
        }
    }

    /**
     * Review r3: the runtime closes while a missed result waits for the writer (an executor it does not own keeps
     * the task). Run afterwards, the store fails quietly: nothing reaches Redis, nothing escapes to the thread.
     */
    @Test
    void aStoreHeldPastTheRuntimesCloseLandsNowhere() throws Exception {
        engine(Map.of());
        String sql = ITEM;
        CacheSession reader = session();
        assertEquals("before", read(reader, sql));
        assertEquals(1, writer.tasks.size());
        runtime.close();
        writer.runAll();
        assertEquals(0, engine.statistics().stores(), engine.statistics().toString());
    }
}
