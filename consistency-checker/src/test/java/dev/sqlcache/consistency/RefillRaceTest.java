package dev.sqlcache.consistency;

import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The refill race, driven deterministically: a read misses (its version tokens are taken), the writer updates and
 * commits while the reader is still consuming its result, then the reader finishes, which is when sqlcache tries
 * to store the result. A result computed before the write must never be served after the write's invalidation.
 */
class RefillRaceTest extends Fixtures {

    private static final String RANGE = "SELECT id, val FROM cc_counter WHERE id < ? ORDER BY id";

    @Test
    void h2SameJvm() throws Exception {
        sameJvm(h2Target(), true);
        sameJvm(h2Target(), false);
    }

    @Test
    void postgresqlSameJvm() throws Exception {
        sameJvm(Target.postgres(), true);
        sameJvm(Target.postgres(), false);
    }

    @Test
    void mariadbSameJvm() throws Exception {
        sameJvm(Target.mariadb(), true);
        sameJvm(Target.mariadb(), false);
    }

    @Test
    void h2WriterInOtherJvm() throws Exception {
        otherJvm(h2Target());
    }

    @Test
    void postgresqlWriterInOtherJvm() throws Exception {
        otherJvm(Target.postgres());
    }

    /** Reader in auto-commit or in a READ COMMITTED transaction; writer on another connection of this JVM. */
    private static void sameJvm(Target target, boolean readerAutoCommit) throws Exception {
        reset(target);
        try (Connection reader = cached(target); Connection writer = cached(target); Connection other = cached(target)) {
            reader.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            reader.setAutoCommit(readerAutoCommit);
            long[] before = readSlowly(reader, () -> {
                assertEquals(1, Fixtures.execute(writer, "UPDATE cc_counter SET val = 100 WHERE id = 1"));
            });
            assertEquals(0, before[1], "the slow read started before the write");
            if (!readerAutoCommit) {
                reader.commit();
            }
            assertEquals(100, counterInRange(reader), "reader after the write's commit returned");
            assertEquals(100, counterInRange(other), "another connection after the write's commit returned");
            assertEquals(100, counterInRange(reader), "reader again (now maybe a hit)");
            long hits = reader.unwrap(dev.sqlcache.driver.SqlCacheConnection.class).statistics().hits();
            assertTrue(hits > 0, "the test must exercise the cache");
        }
    }

    private static void otherJvm(Target target) throws Exception {
        reset(target);
        try (AgentProcess writer = new AgentProcess(target, redis.tcpProperties());
             Connection reader = cached(target)) {
            assertEquals("0", writer.query("SELECT val FROM cc_counter WHERE id = 1"));
            long[] before = readSlowly(reader, () -> {
                assertEquals(1, writer.update("UPDATE cc_counter SET val = 100 WHERE id = 1"));
            });
            assertEquals(0, before[1]);
            assertEquals(100, counterInRange(reader), "this JVM after the other JVM's commit returned");
            assertEquals("100", writer.query("SELECT val FROM cc_counter WHERE id = 1"));
            assertEquals(100, counterInRange(reader), "this JVM again");
        }
    }

    interface Step {
        void run() throws Exception;
    }

    /** Executes the range query (a miss), reads one row, runs {@code between}, then reads the rest. */
    private static long[] readSlowly(Connection reader, Step between) throws Exception {
        long[] values = new long[3];
        try (PreparedStatement p = reader.prepareStatement(RANGE)) {
            p.setInt(1, 3);
            try (ResultSet rs = p.executeQuery()) {
                assertTrue(rs.next());
                values[0] = rs.getLong(2);
                between.run();
                int i = 1;
                while (rs.next() && i < values.length) {
                    values[i++] = rs.getLong(2);
                }
            }
        }
        return values;
    }

    private static long counterInRange(Connection c) throws Exception {
        try (PreparedStatement p = c.prepareStatement(RANGE)) {
            p.setInt(1, 3);
            try (ResultSet rs = p.executeQuery()) {
                long value = -1;
                while (rs.next()) { // to the end, so that a miss is stored
                    if (rs.getInt(1) == 1) {
                        value = rs.getLong(2);
                    }
                }
                return value;
            }
        }
    }
}
