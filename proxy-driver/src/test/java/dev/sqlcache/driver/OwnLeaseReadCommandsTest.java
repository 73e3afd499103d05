package dev.sqlcache.driver;

import dev.sqlcache.stats.BypassReason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.sqlcache.driver.H2YcsbTable.stats;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A read of a row that a write of the same JVM is changing right now (issue #13): on YCSB 90/10 about 0.3 reads per
 * write went to Redis only to find that JVM's own lease, a lookup of four commands each, and then passed through to
 * the database anyway. Such a read now passes through without asking. The write is held inside the database (a row
 * lock another connection holds, taken outside the driver) after its lease has landed, while the other connection
 * of the same JVM reads the row; the server's command counters tell whether the read sent a lookup.
 */
class OwnLeaseReadCommandsTest {

    private static final String TABLE = H2YcsbTable.TABLE;
    private static final long PATIENCE_MILLIS = 30_000;

    @RegisterExtension
    final H2YcsbTable table = H2YcsbTable.of("ownlease", ";DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=60000", "integer",
            "(1, 'a'), (2, 'b')");

    private static String read(PreparedStatement select, int key) throws SQLException {
        select.setInt(1, key);
        try (ResultSet rs = select.executeQuery()) {
            assertTrue(rs.next());
            return rs.getString(2);
        }
    }

    /** The server's count of one command so far (scripts' own commands included). */
    private static long calls(Jedis jedis, String command) {
        String info = jedis.info("commandstats");
        String prefix = "cmdstat_" + command + ":calls=";
        for (String line : info.split("\r?\n")) {
            if (line.startsWith(prefix)) {
                return Long.parseLong(line.substring(prefix.length(), line.indexOf(',', prefix.length())));
            }
        }
        return 0;
    }

    /** Whether some version key of the table holds a lease (the write's lease script has run). */
    private static boolean leased(Jedis jedis) {
        String cursor = ScanParams.SCAN_POINTER_START;
        do {
            ScanResult<String> page = jedis.scan(cursor, new ScanParams().match("*" + TABLE + ":version:*").count(100));
            for (String key : page.getResult()) {
                if (!key.endsWith(":leases") && "string".equals(jedis.type(key))) {
                    String value = jedis.get(key);
                    if (value != null && value.startsWith("lease:")) {
                        return true;
                    }
                }
            }
            cursor = page.getCursor();
        } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
        return false;
    }

    @Test
    void aReadOfARowThisJvmIsWritingSendsNoLookup() throws Exception {
        try (Connection writer = table.through(); Connection reader = table.through();
             PreparedStatement select = reader.prepareStatement("select * from " + TABLE + " where ycsb_key = ?");
             PreparedStatement update = writer.prepareStatement(
                     "update " + TABLE + " set field0 = ? where ycsb_key = ?");
             Connection blocker = table.plain();
             Jedis jedis = new Jedis(table.redis().host(), table.redis().port())) {
            // The tokens exist and the rows were stored: the reads below never take the script's path.
            assertEquals("a", read(select, 1));
            assertEquals("b", read(select, 2));
            assertEquals("a", read(select, 1));

            // Row 1 locked outside the driver: the driver's UPDATE leases, then waits inside the database.
            blocker.setAutoCommit(false);
            try (Statement s = blocker.createStatement()) {
                assertEquals(1, s.executeUpdate("update " + TABLE + " set field0 = 'held' where ycsb_key = 1"));
            }
            CompletableFuture<Integer> write = CompletableFuture.supplyAsync(() -> {
                try {
                    update.setString(1, "x");
                    update.setInt(2, 1);
                    return update.executeUpdate();
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PATIENCE_MILLIS);
            while (!leased(jedis)) {
                assertTrue(System.nanoTime() < deadline, "the write's lease never landed");
                assertFalse(write.isDone(), "the write ended before its row lock was released: " + write);
                Thread.sleep(10);
            }
            assertFalse(write.isDone(), "the write must still be in flight");

            long lookups = calls(jedis, "getrange") + calls(jedis, "strlen");
            long bypassed = stats(reader).bypasses(BypassReason.WRITE_IN_PROGRESS);
            // Under MVCC the read sees the committed row: the write and the blocker's change are both uncommitted.
            assertEquals("a", read(select, 1));
            assertEquals(bypassed + 1, stats(reader).bypasses(BypassReason.WRITE_IN_PROGRESS),
                    "the read passes through as a write in progress: " + stats(reader));
            assertEquals(lookups, calls(jedis, "getrange") + calls(jedis, "strlen"),
                    "a read of a row this JVM leases right now must not look it up in Redis");
            // Another row is not held back: its read is still served (a near hit, or a lookup).
            assertEquals("b", read(select, 2));
            assertEquals(bypassed + 1, stats(reader).bypasses(BypassReason.WRITE_IN_PROGRESS));

            blocker.rollback();
            blocker.setAutoCommit(true);
            assertEquals(1, write.get(PATIENCE_MILLIS, TimeUnit.MILLISECONDS));

            // The write has ended: the row is looked up again (a miss, then stored), not passed through for ever.
            long before = calls(jedis, "getrange") + calls(jedis, "strlen");
            assertEquals("x", read(select, 1));
            assertEquals(bypassed + 1, stats(reader).bypasses(BypassReason.WRITE_IN_PROGRESS));
            assertEquals(before + 1, calls(jedis, "getrange") + calls(jedis, "strlen"),
                    "the read after the write's end looks the row up once");
        }
    }
}
