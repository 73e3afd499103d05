package dev.sqlcache.internal.codec;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A bounded-time fuzzer for the decoder: whatever bytes sit under a key, decoding either returns a result or
 * throws {@link CorruptEntryException}; never anything else (no NPE, no IndexOutOfBounds, no NumberFormat, no
 * OutOfMemoryError), and never allocates far more than the entry's length justifies.
 *
 * <p>A seeded random mutator, beside the coverage-guided {@link ResultCodecJazzerTest}, which replays only its
 * seeds and findings unless {@code JAZZER_FUZZ} is set: this one mutates afresh in every build. Genuine entries of every value kind are mutated (bit flips, interesting bytes, Smile
 * tokens, inserted, deleted, duplicated and spliced ranges, truncation) and, most of the time, framed again with a
 * valid checksum and binding so that the mutation reaches the Smile parser instead of stopping at the checksum.
 * Runs {@code -Dsqlcache.fuzz.seconds} (default 10, at most 30 in the default build) from
 * {@code -Dsqlcache.fuzz.seed} (default: random, printed); a failure names the seed and the input.
 */
class ResultCodecFuzzTest {

    private static final byte[] BINDING = EntryBinding.of("sql:fuzz:data:" + "0".repeat(32), "fuzz");
    private static final String[] TOKENS = {"fence", "db", "t"};
    /** Smile tokens and boundary bytes that steer the parser into its less common states. */
    private static final int[] INTERESTING = {0x00, 0xFF, 0x80, 0x7F, 0x3A, 0x29, 0x0A, 0xF8, 0xF9, 0xFA, 0xFB,
            0xFC, 0xFD, 0xE0, 0xE4, 0xE8, 0xEC, 0x24, 0x25, 0x26, 0x28, 0x2A, 0x21, 0x22, 0x23, 0x40, 0x5F, 0x60,
            0x7F, 0x80, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xDF};

    private static Connection connection;

    @BeforeAll
    static void open() throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", "sa");
        connection = new org.h2.Driver().connect("jdbc:h2:mem:fuzz;DB_CLOSE_DELAY=-1", p);
        try (Statement s = connection.createStatement()) {
            s.execute("create table f(id int primary key, b boolean, ti tinyint, si smallint, bi bigint,"
                    + " d decimal(30,10), r real, f double precision, v varchar(300), c char(3), dt date,"
                    + " tm time, ts timestamp(9), tz timestamp with time zone, bin varbinary(50), u uuid)");
            s.execute("insert into f values (1, true, 7, -300, 9223372036854775807, -12345.0000000001, 1.5,"
                    + " cast('NaN' as double precision), 'Zürich ☃ " + "long text ".repeat(12) + "', 'ab',"
                    + " date '2024-02-29', time '23:59:59', timestamp '1960-01-02 03:04:05.123456789',"
                    + " timestamp with time zone '2020-01-01 00:00:00+05:30', X'00ff7f80', random_uuid())");
            s.execute("insert into f(id, v) values (2, '')");
            s.execute("insert into f(id) values (3)");
        }
    }

    @AfterAll
    static void close() throws SQLException {
        connection.close();
    }

    private static CachedResult capture(String sql) throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            ResultCapture c = ResultCapture.begin(rs.getMetaData(), 100, 1 << 20);
            while (rs.next()) {
                assertTrue(c.captureRow(rs));
            }
            return c.finish();
        }
    }

    @Test
    void decodingAnythingEitherWorksOrIsRefused() throws SQLException {
        long seconds = Math.min(30, Long.getLong("sqlcache.fuzz.seconds", 10));
        long seed = Long.getLong("sqlcache.fuzz.seed", System.nanoTime());
        System.out.println("ResultCodecFuzzTest: seed " + seed + ", " + seconds + " s");
        List<byte[]> corpus = new ArrayList<>();
        for (String sql : new String[] {"select * from f order by id", "select id, v from f where id = 1",
                "select * from f where id = 3", "select bin, u, tz from f", "select id from f where id < 0"}) {
            corpus.add(ResultCodec.document(ResultCodec.encode(BINDING, TOKENS, capture(sql), null)));
        }
        SplittableRandom random = new SplittableRandom(seed);
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        long runs = 0;
        long decoded = 0;
        while (System.nanoTime() < deadline) {
            byte[] document = corpus.get(random.nextInt(corpus.size()));
            int mutations = 1 + random.nextInt(4);
            for (int m = 0; m < mutations; m++) {
                document = mutate(document, corpus, random);
            }
            byte[] entry = random.nextInt(10) == 0 ? document : ResultCodec.frame(BINDING, document, null);
            long before = threads.getCurrentThreadAllocatedBytes();
            try {
                ResultCodec.decodeIfCurrent(entry, BINDING, TOKENS, null);
                decoded++;
            } catch (CorruptEntryException expected) {
                // The codec's own refusal.
            } catch (Throwable t) {
                fail("seed " + seed + " run " + runs + ": " + t + " decoding " + HexFormat.of().formatHex(entry), t);
            }
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            if (allocated > 64L * entry.length + (1 << 20)) {
                fail("seed " + seed + " run " + runs + ": " + allocated + " bytes allocated decoding "
                        + entry.length + " bytes: " + HexFormat.of().formatHex(entry));
            }
            runs++;
        }
        System.out.println("ResultCodecFuzzTest: " + runs + " inputs, " + decoded + " decoded");
        assertTrue(runs > 1000, "the fuzzer ran " + runs + " inputs");
    }

    private static byte[] mutate(byte[] in, List<byte[]> corpus, SplittableRandom random) {
        if (in.length == 0) {
            return new byte[] {(byte) INTERESTING[random.nextInt(INTERESTING.length)]};
        }
        byte[] out;
        int at = random.nextInt(in.length);
        switch (random.nextInt(8)) {
            case 0 -> {
                out = in.clone();
                out[at] ^= (byte) (1 << random.nextInt(8));
            }
            case 1 -> {
                out = in.clone();
                out[at] = (byte) INTERESTING[random.nextInt(INTERESTING.length)];
            }
            case 2 -> {
                out = in.clone();
                out[at] = (byte) random.nextInt(256);
            }
            case 3 -> out = Arrays.copyOf(in, at); // truncate
            case 4 -> { // delete a range
                int length = 1 + random.nextInt(Math.min(16, in.length - at));
                out = new byte[in.length - length];
                System.arraycopy(in, 0, out, 0, at);
                System.arraycopy(in, at + length, out, at, in.length - at - length);
            }
            case 5 -> { // insert interesting bytes
                int length = 1 + random.nextInt(8);
                out = new byte[in.length + length];
                System.arraycopy(in, 0, out, 0, at);
                for (int i = 0; i < length; i++) {
                    out[at + i] = (byte) INTERESTING[random.nextInt(INTERESTING.length)];
                }
                System.arraycopy(in, at, out, at + length, in.length - at);
            }
            case 6 -> { // duplicate a range
                int length = 1 + random.nextInt(Math.min(32, in.length - at));
                out = new byte[in.length + length];
                System.arraycopy(in, 0, out, 0, at + length);
                System.arraycopy(in, at, out, at + length, in.length - at);
            }
            default -> { // splice with another document
                byte[] other = corpus.get(random.nextInt(corpus.size()));
                int from = random.nextInt(other.length);
                out = new byte[at + other.length - from];
                System.arraycopy(in, 0, out, 0, at);
                System.arraycopy(other, from, out, at, other.length - from);
            }
        }
        return out;
    }

    @Test
    void theCorpusDecodes() throws SQLException {
        CachedResult all = capture("select * from f order by id");
        byte[] entry = ResultCodec.encode(BINDING, TOKENS, all, null);
        assertTrue(ResultCodec.decodeIfCurrent(entry, BINDING, TOKENS, null).rowCount() == 3);
        assertTrue(new String(entry, StandardCharsets.UTF_8).contains("Zürich"));
    }
}
