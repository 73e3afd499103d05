package dev.sqlcache.driver;

import dev.sqlcache.stats.CacheStatistics;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The near cache against a real Redis, with two runtimes standing for two JVMs (one reaches Redis directly, the
 * other through a relay the test can cut): copies are served without Redis, and never once another JVM's write has
 * returned, whether the reader hears of it, is cut off, or is fenced.
 */
class NearCacheTest extends TwoRuntimesOnOneRedis {

    NearCacheTest() {
        super("near");
    }

    @Test
    void aCopyIsServedWithoutRedisAndDroppedByTheOtherJvmsWrite() throws Exception {
        try (Connection reader = db.through(redis.port()); Connection writer = db.through(relay.port())) {
            untilNearHit(reader, 100);
            // No Redis at all for a near hit: even with Redis frozen the copy is served (within its lease).
            for (int v = 101; v <= 160; v++) {
                db.update(writer, v);
                // The write has returned: the reader's copy of the row must be gone, whatever it does next.
                assertEquals(v, db.value(reader), "a read right after another JVM's write returned");
            }
            untilNearHit(reader, 160);
        }
    }

    /**
     * A near hit hands out what its copy keeps made once (the engine's outcome), but the application still gets a
     * result set of its own each time: the next execution closes the last one, not the one it returns. Each near
     * hit counts once among the hits, once among the near hits and at most once in the hits' latency (sampled).
     */
    @Test
    void eachNearHitHandsOutAFreshResultSetAndCountsOnce() throws Exception {
        try (Connection c = db.through(redis.port())) {
            untilNearHit(c, 100);
            try (java.sql.PreparedStatement ps = c.prepareStatement("select v from near where id = ?")) {
                ps.setInt(1, 1);
                // Until this statement's own copy answers (its first execution stores it, off this thread).
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (true) {
                    long near = stats(c).nearHits();
                    try (java.sql.ResultSet rs = ps.executeQuery()) {
                        // Read to the end: a miss stores only what the application read whole.
                        while (rs.next()) {
                            assertEquals(100, rs.getInt(1));
                        }
                    }
                    if (stats(c).nearHits() > near) {
                        break;
                    }
                    assertTrue(System.nanoTime() < deadline, "no near hit within 10 s: " + stats(c));
                    Thread.sleep(20);
                }
                CacheStatistics before = stats(c);
                java.sql.ResultSet first = ps.executeQuery();
                assertTrue(first.next());
                java.sql.ResultSet second = ps.executeQuery();
                assertTrue(first.isClosed(), "the next execution closes the last result set");
                assertTrue(second != first && !second.isClosed(), "a result set of its own");
                assertTrue(second.next());
                assertEquals(100, second.getInt(1));
                assertTrue(!second.next());
                second.close();
                CacheStatistics delta = stats(c).since(before);
                if (delta.nearHits() == 2) {
                    assertEquals(2, delta.hits(), "a near hit is a hit, counted once: " + delta);
                    // Near hits are timed one in CachePolicy.TIMED_EVERY: at most once each.
                    assertTrue(delta.hitLatency().count() <= 2, "and timed at most once: " + delta);
                } else {
                    // The near lease lapsed in between on a busy machine: the reads were Redis hits, still counted.
                    assertEquals(2, delta.hits(), delta.toString());
                }
            }
        }
    }

    @Test
    void aWriteWaitsForTheOtherJvmsAcknowledgementNotForItsLease() throws Exception {
        try (Connection reader = db.through(redis.port()); Connection writer = db.through(relay.port())) {
            untilNearHit(reader, 100);
            long started = System.nanoTime();
            int writes = 20;
            for (int i = 0; i < writes; i++) {
                db.update(writer, 200 + i);
            }
            long perWriteMillis = (System.nanoTime() - started) / 1_000_000 / writes;
            // A lapse wait would be a whole near lease (1 s) per write; acknowledgements take round trips.
            assertTrue(perWriteMillis < 500, "writes waited " + perWriteMillis + " ms each: for lapses, not acks");
            assertEquals(219, db.value(reader));
        }
    }

    @Test
    void aReaderCutOffFromRedisStopsServingItsCopiesBeforeTheWriterGoesOn() throws Exception {
        try (Connection reader = db.through(relay.port()); Connection writer = db.through(redis.port())) {
            untilNearHit(reader, 100);
            relay.cut();
            long started = System.nanoTime();
            db.update(writer, 300);
            long waitedMillis = (System.nanoTime() - started) / 1_000_000;
            System.out.println("the write waited " + waitedMillis + " ms for the cut-off reader's near lease");
            CacheStatistics before = stats(reader);
            assertEquals(300, db.value(reader), "the cut-off reader must not serve its copy after the write");
            assertEquals(0, stats(reader).since(before).nearHits());
            relay.restore();
            untilNearHit(reader, 300);
        }
    }

    @Test
    void theWritersOwnCopiesGoBeforeItsCommitReturns() throws Exception {
        try (Connection c = db.through(redis.port())) {
            untilNearHit(c, 100);
            for (int v = 101; v <= 130; v++) {
                db.update(c, v);
                assertEquals(v, db.value(c));
            }
        }
    }

    @Test
    void aTableOptedIntoBoundedStalenessIsServedThatLongAfterAnotherJvmsWriteNeverAfterItsOwn() throws Exception {
        try (Connection reader = db.through(redis.port(), "sqlcache.tableNearCache", "near=3s");
             Connection writer = db.through(relay.port())) {
            // A near copy is also dropped, safely, when the reader's near lease lapses (its renewal late on a busy
            // machine): the read is then fresh and proves nothing either way, and the case is tried again.
            int value = 100;
            boolean servedTheOldCopy = false;
            for (int attempt = 0; attempt < 5 && !servedTheOldCopy; attempt++) {
                untilNearHit(reader, value);
                db.update(writer, value + 1);
                long written = System.nanoTime();
                CacheStatistics before = stats(reader);
                int seen = db.value(reader);
                boolean inTime = System.nanoTime() - written < 2_000_000_000L;
                assertTrue(seen == value || seen == value + 1, "the old or the new value: " + seen);
                servedTheOldCopy = inTime && seen == value && stats(reader).since(before).nearHits() == 1;
                Thread.sleep(Math.max(0, 3_200 - (System.nanoTime() - written) / 1_000_000));
                value++;
                assertEquals(value, db.value(reader), "never longer than the table's staleness");
            }
            assertTrue(servedTheOldCopy, "within the table's 3 s, the copy from before the other JVM's write");
            untilNearHit(reader, value);
            db.update(reader, value + 1);
            assertEquals(value + 1, db.value(reader), "never after this JVM's own write");
        }
    }

    @Test
    void withTheNearCacheOffEveryHitIsARedisHit() throws Exception {
        try (Connection c = db.through(redis.port(), "sqlcache.nearCache.maxBytes", "0")) {
            for (int i = 0; i < 20; i++) {
                assertEquals(100, db.value(c));
            }
            CacheStatistics stats = stats(c);
            assertTrue(stats.hits() > 0, stats::toString);
            assertEquals(0, stats.nearHits());
        }
    }
}
