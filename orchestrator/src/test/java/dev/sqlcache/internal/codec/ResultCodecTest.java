package dev.sqlcache.internal.codec;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Properties;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResultCodecTest {
    private static Connection connection;

    @BeforeAll
    static void open() throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", "sa");
        connection = new org.h2.Driver().connect("jdbc:h2:mem:codec;DB_CLOSE_DELAY=-1", p);
        try (Statement s = connection.createStatement()) {
            s.execute("create table t(id int primary key, v varchar(100), d decimal(30,10), f double precision,"
                    + " r real, ts timestamp(9), bin varbinary(10))");
            s.execute("insert into t values (1, 'Zürich ☃', 12345678901234567890.0123456789, cast('NaN' as double precision),"
                    + " cast('-Infinity' as real), timestamp '1960-01-02 03:04:05.123456789', X'000102')");
            s.execute("insert into t(id, v) values (2, '')");
            s.execute("insert into t(id) values (3)");
        }
    }

    @AfterAll
    static void close() throws SQLException {
        connection.close();
    }

    private static CachedResult capture(String sql) throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            ResultCapture c = ResultCapture.begin(rs.getMetaData(), 100, 1 << 20);
            assertNotNull(c);
            while (rs.next()) {
                assertTrue(c.captureRow(rs));
            }
            assertNull(c.failure());
            return c.finish();
        }
    }

    @Test
    void roundTripKeepsExactValuesAndClasses() throws SQLException {
        CachedResult r = capture("select * from t order by id");
        CachedResult d = ResultCodec.decode(ResultCodec.encode(new String[] {"a", "b"}, r));
        assertEquals(3, d.rowCount());
        assertEquals(r.columns(), d.columns());
        for (int row = 0; row < 3; row++) {
            for (int col = 0; col < r.columnCount(); col++) {
                Object a = r.value(row, col);
                Object b = d.value(row, col);
                if (a instanceof byte[] x) {
                    assertArrayEquals(x, (byte[]) b);
                } else {
                    assertEquals(a, b, "row " + row + " col " + col);
                }
                assertEquals(r.string(row, col), d.string(row, col));
            }
        }
        assertEquals(new BigDecimal("12345678901234567890.0123456789"), d.value(0, 2));
        assertTrue(Double.isNaN((Double) d.value(0, 3)));
        assertEquals(Float.NEGATIVE_INFINITY, d.value(0, 4));
        assertEquals(123456789, ((java.sql.Timestamp) d.value(0, 5)).getNanos());
        assertEquals("", d.value(1, 1));
        assertNull(d.value(2, 1));
        for (int col = 0; col < r.columnCount(); col++) {
            assertEquals(r.conversions(col), d.conversions(col), "conversions of col " + col);
        }
        int text = Conversions.N_STRING | Conversions.CHARACTER_STREAM | Conversions.N_CHARACTER_STREAM;
        assertEquals(text, d.conversions(1) & text, "H2 answers the text getters of a varchar as a hit does");
    }

    /**
     * Entries of formats 1 and 2 carry no binding: read as format 3 they could answer another key, so they are
     * misses (CorruptEntryException without a rejection cause: an upgrade leaves them behind, nothing hostile) and
     * are captured again.
     */
    @Test
    void anEntryOfAFormerFormatIsAMiss() throws SQLException {
        byte[] entry = ResultCodec.encode(new String[] {"tok"}, capture("select * from t order by id"));
        assertEquals(3, entry[0]);
        for (byte former : new byte[] {1, 2}) {
            entry[0] = former;
            assertNull(assertThrows(CorruptEntryException.class, () -> ResultCodec.readTokens(entry)).rejection());
            assertNull(assertThrows(CorruptEntryException.class, () -> ResultCodec.decode(entry)).rejection());
        }
    }

    /** The binding ties an entry to its key: the same bytes read under any other key are refused as foreign. */
    @Test
    void anEntryReadUnderAnotherKeyIsForeign() throws SQLException {
        String database = "sql:_database:version:0123456789abcdef0123456789abcdef";
        String key = "sql:t:data:" + "1".repeat(32);
        byte[] entry = ResultCodec.encode(EntryBinding.of(key, database), new String[] {"tok"},
                capture("select * from t order by id"), null);
        assertEquals(3, ResultCodec.decode(entry, EntryBinding.of(key, database), null).rowCount());
        for (byte[] other : new byte[][] {EntryBinding.of("sql:t:data:" + "2".repeat(32), database),
                EntryBinding.of("sql:u:data:" + "1".repeat(32), database),
                EntryBinding.of("staging:" + key, database),
                EntryBinding.of(key, "sql:_database:version:fedcba9876543210fedcba9876543210"),
                ResultCodec.UNBOUND}) {
            CorruptEntryException e = assertThrows(CorruptEntryException.class,
                    () -> ResultCodec.decodeIfCurrent(entry, other, new String[] {"tok"}, null));
            assertEquals(dev.sqlcache.stats.EntryRejection.FOREIGN_KEY, e.rejection());
        }
    }

    @Test
    void readTokensReadsOnlyTheHead() throws SQLException {
        byte[] e = ResultCodec.encode(new String[] {"users:17", "orders:3"}, capture("select id from t"));
        assertArrayEquals(new String[] {"users:17", "orders:3"}, ResultCodec.readTokens(e));
    }

    @Test
    void unsupportedTypesAreRefusedAtBegin() throws SQLException {
        for (String expr : new String[] {"cast('x' as clob)", "cast(X'01' as blob)", "array[1,2]", "json '{\"a\":1}'",
                "interval '1' day", "row(1, 2)", "cast(null as int array)"}) {
            try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("select 1 as a, " + expr)) {
                assertNull(ResultCapture.begin(rs.getMetaData(), 10, 1000), expr);
            }
        }
    }

    @Test
    void rowLimitDropsTheBuffer() throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("select * from t order by id")) {
            ResultCapture c = ResultCapture.begin(rs.getMetaData(), 2, 1 << 20);
            assertTrue(rs.next() && c.captureRow(rs));
            assertTrue(rs.next() && c.captureRow(rs));
            assertTrue(rs.next());
            assertFalse(c.captureRow(rs));
            assertEquals(CaptureFailure.TOO_LARGE, c.failure());
            assertEquals(0, c.rowCount());
            assertFalse(c.captureRow(rs), "stays failed");
            assertThrows(IllegalStateException.class, c::finish);
        }
    }

    @Test
    void byteLimitDropsTheBuffer() throws SQLException {
        try (Statement s = connection.createStatement();
             ResultSet rs = s.executeQuery("select repeat('x', 5000) from system_range(1, 10)")) {
            ResultCapture c = ResultCapture.begin(rs.getMetaData(), 1000, 12_000);
            boolean ok = true;
            int rows = 0;
            while (ok && rs.next()) {
                ok = c.captureRow(rs);
                rows++;
            }
            assertFalse(ok);
            assertEquals(3, rows, "fails as soon as the estimate passes the limit");
            assertEquals(CaptureFailure.TOO_LARGE, c.failure());
        }
    }

    @Test
    void corruptOrTruncatedEntriesNeverDecode() throws SQLException {
        byte[] good = ResultCodec.encode(new String[] {"tok"}, capture("select * from t order by id"));
        Random random = new Random(42);
        for (int i = 0; i < 2000; i++) {
            byte[] bad = good.clone();
            int flips = 1 + random.nextInt(3);
            for (int f = 0; f < flips; f++) {
                bad[random.nextInt(bad.length)] ^= (byte) (1 + random.nextInt(255));
            }
            assertThrows(CorruptEntryException.class, () -> ResultCodec.decode(bad));
        }
        for (int len = 0; len < good.length; len++) {
            byte[] cut = Arrays.copyOf(good, len);
            assertThrows(CorruptEntryException.class, () -> ResultCodec.decode(cut));
            assertThrows(CorruptEntryException.class, () -> ResultCodec.readTokens(cut));
        }
        byte[] longer = Arrays.copyOf(good, good.length + 1);
        assertThrows(CorruptEntryException.class, () -> ResultCodec.decode(longer));
        assertThrows(CorruptEntryException.class, () -> ResultCodec.decode(null));
        assertThrows(CorruptEntryException.class, () -> ResultCodec.decode("not a cache entry at all".getBytes()));
        byte[] future = good.clone();
        future[0] = (byte) (ResultCodec.FORMAT_VERSION + 1);
        assertThrows(CorruptEntryException.class, () -> ResultCodec.readTokens(future));
        assertThrows(CorruptEntryException.class, () -> ResultCodec.decode(future));
    }

    /** Bytes the current thread allocates while running {@code action}. */
    private static long allocatedBy(Runnable action) {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        action.run();
        return threads.getCurrentThreadAllocatedBytes() - before;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }

    private static byte[] replace(byte[] bytes, int at, int length, byte[] with) {
        byte[] out = new byte[bytes.length - length + with.length];
        System.arraycopy(bytes, 0, out, 0, at);
        System.arraycopy(with, 0, out, at, with.length);
        System.arraycopy(bytes, at + length, out, at + with.length, bytes.length - at - length);
        return out;
    }

    /**
     * Entries whose frame is right (checksum, binding) but whose content lies about its size, as anyone who can
     * write to Redis can make them: refused as corrupt, without allocating what they declare.
     */
    @Test
    void lyingCountsAndLengthsAreRefusedWithoutAllocatingThem() throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute("create table if not exists lies(id int, b varbinary(100), v varchar(1000))");
            s.execute("delete from lies");
            s.execute("insert into lies values (7, X'5555555555555555', '" + "w".repeat(100) + "')");
        }
        byte[] genuine = ResultCodec.document(ResultCodec.encode(new String[] {"tok"}, capture("select * from lies")));
        assertEquals(1, ResultCodec.decode(ResultCodec.frame(ResultCodec.UNBOUND, genuine, null)).rowCount());
        java.util.List<byte[]> lies = new java.util.ArrayList<>();
        // Raw binary: 0xFD, then the length as a Smile VInt (7 bits a byte, the last marked and holding 6): 8 bytes
        // declared as 2^30.
        int binary = indexOf(genuine, new byte[] {(byte) 0xFD, (byte) 0x88, 0x55, 0x55});
        lies.add(replace(genuine, binary + 1, 1, new byte[] {0x08, 0, 0, 0, (byte) 0x80}));
        // The row count (Smile small int 1 = 0xC2) made 200,000 (0x24 then a zigzag VInt) and 1,000,000,000.
        int rows = indexOf(genuine, new byte[] {(byte) 0xC2, (byte) 0xF8}); // 1 then the row's START_ARRAY
        lies.add(replace(genuine, rows, 1, new byte[] {0x24, 0x18, 0x35, (byte) 0x80}));
        lies.add(replace(genuine, rows, 1, new byte[] {0x24, 0x07, 0x34, 0x6B, 0x28, (byte) 0x80}));
        // A long string whose end marker is gone: the parser would read to the end.
        int text = indexOf(genuine, "w".repeat(100).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        lies.add(Arrays.copyOf(genuine, text + 100));
        for (byte[] lie : lies) {
            byte[] entry = ResultCodec.frame(ResultCodec.UNBOUND, lie, null);
            long allocated = allocatedBy(() -> {
                CorruptEntryException e = assertThrows(CorruptEntryException.class, () -> ResultCodec.decode(entry));
                assertEquals(dev.sqlcache.stats.EntryRejection.CORRUPT, e.rejection());
            });
            assertTrue(allocated < 1 << 20, "allocated " + allocated + " bytes for a " + entry.length
                    + "-byte entry");
        }
    }

    private static EntrySigner signer(String... keys) {
        return new EntrySigner(Arrays.stream(keys).map(k -> k.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .toList());
    }

    /** With a signing key, only entries signed by one of the keys decode; rotation accepts old and new. */
    @Test
    void signedEntriesAreCheckedBeforeAnythingIsRead() throws SQLException {
        CachedResult result = capture("select * from t order by id");
        byte[] binding = EntryBinding.of("sql:t:data:" + "3".repeat(32), "sql:_database:version:x");
        EntrySigner current = signer("current-key-0123456789");
        byte[] signed = ResultCodec.encode(binding, new String[] {"tok"}, result, current);
        assertEquals(3, ResultCodec.decodeIfCurrent(signed, binding, new String[] {"tok"}, current).rowCount());
        EntrySigner rotated = signer("next-key-0123456789ab", "current-key-0123456789");
        assertEquals(3, ResultCodec.decode(signed, binding, rotated).rowCount(), "an older key still verifies");
        byte[] resigned = ResultCodec.encode(binding, new String[] {"tok"}, result, rotated);
        assertEquals(dev.sqlcache.stats.EntryRejection.BAD_MAC, assertThrows(CorruptEntryException.class,
                () -> ResultCodec.decode(resigned, binding, current)).rejection(), "signed with a key not yet known");
        java.util.Map<String, byte[]> refused = new java.util.LinkedHashMap<>();
        refused.put("unsigned", ResultCodec.encode(binding, new String[] {"tok"}, result, null));
        refused.put("signed with another key", ResultCodec.encode(binding, new String[] {"tok"}, result,
                signer("attacker-key-0123456789")));
        byte[] tampered = signed.clone();
        tampered[tampered.length - 3] ^= 1;
        refused.put("tampered after signing", tampered);
        byte[] flagged = ResultCodec.encode(binding, new String[] {"tok"}, result, null);
        refused.put("claims a MAC it lacks", ResultCodec.frame(binding, ResultCodec.document(flagged),
                signer("attacker-key-0123456789")));
        for (var e : refused.entrySet()) {
            CorruptEntryException x = assertThrows(CorruptEntryException.class,
                    () -> ResultCodec.decodeIfCurrent(e.getValue(), binding, new String[] {"tok"}, current), e.getKey());
            assertEquals(dev.sqlcache.stats.EntryRejection.BAD_MAC, x.rejection(), e.getKey());
        }
        // Without a signing key the MAC is not checked (a JVM not yet configured still reads its peers' entries),
        // the checksum and binding are.
        assertEquals(3, ResultCodec.decode(signed, binding, null).rowCount());
        assertEquals(dev.sqlcache.stats.EntryRejection.FOREIGN_KEY, assertThrows(CorruptEntryException.class,
                () -> ResultCodec.decode(signed, ResultCodec.UNBOUND, current)).rejection(),
                "a genuine signed entry under another key is foreign");
    }
}
