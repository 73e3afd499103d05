package dev.sqlcache.internal.codec;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The memo's shortcut against entries that lie about their columns: the memo is primed from a forged entry (any
 * entry that passes the frame is untrusted, and it is what primes the memo), the entries then read are forged in
 * their column section too (count, lengths, string classes), and two statements' shapes race through one memo.
 * Whatever the memo holds, an answer must be exactly the answer without any memo.
 */
class ForgedMemoDifferentialTest {

    private static final byte[] BINDING = EntryBinding.of("sql:t:data:forged", "sql:_database:version:d");
    private static final String[] TOKENS = {"t1", "t2"};

    private static ColumnMetadata column(String label, int type, String typeName) {
        return new ColumnMetadata("cat", "public", "t", label, label, type, typeName, "java.lang.Object",
                40, 0, 40, 1, false, true, true, false, false, true, false, false);
    }

    private static final ColumnMetadata[] WIDE = {column("id", 4, "int4"),
            column("n".repeat(40), 12, "varchar"), column("b".repeat(70), 12, "text"),
            column("data", -2, "bytea"), column("amount", 2, "numeric")};
    private static final ValueKind[] WIDE_KINDS = {ValueKind.INTEGER, ValueKind.STRING, ValueKind.STRING,
            ValueKind.BYTES, ValueKind.BIG_DECIMAL};
    private static final ColumnMetadata[] NARROW = {column("id", 4, "int4"), column("name", 12, "varchar")};
    private static final ValueKind[] NARROW_KINDS = {ValueKind.INTEGER, ValueKind.STRING};

    private static byte[] entry(SplittableRandom random, boolean wide) {
        ColumnMetadata[] columns = wide ? WIDE : NARROW;
        ValueKind[] kinds = wide ? WIDE_KINDS : NARROW_KINDS;
        int rows = random.nextInt(3);
        Object[][] values = new Object[rows][];
        for (int r = 0; r < rows; r++) {
            values[r] = wide
                    ? new Object[] {random.nextInt(), "v".repeat(random.nextInt(80)), null, new byte[] {1, 2},
                            BigDecimal.valueOf(random.nextLong(), 2)}
                    : new Object[] {random.nextInt(), "w".repeat(random.nextInt(80))};
        }
        return ResultCodec.encode(BINDING, TOKENS, new CachedResult(columns, kinds, new int[kinds.length],
                new int[kinds.length], values, new String[rows][]), null);
    }

    /** One to three bytes set, inserted or removed, anywhere in the document (the column section is most of it). */
    private static byte[] forge(byte[] entry, SplittableRandom random) {
        byte[] document = ResultCodec.document(entry);
        int mutations = 1 + random.nextInt(3);
        for (int i = 0; i < mutations; i++) {
            int at = random.nextInt(document.length);
            byte value = (byte) random.nextInt(256);
            document = ByteMutation.apply(document, at, value, random.nextInt(3));
        }
        return ResultCodec.frame(BINDING, document, null);
    }

    private static String answer(byte[] entry, ColumnsMemo memo) {
        try {
            CachedResult r = ResultCodec.decodeIfCurrent(entry, BINDING, TOKENS, null, -1, null, memo);
            if (r == null) {
                return "MISS";
            }
            // Everything the columns decode to, not only their metadata: kinds, string styles, conversions.
            StringBuilder s = new StringBuilder("HIT ").append(r.columns());
            for (int c = 0; c < r.columnCount(); c++) {
                s.append(' ').append(r.kind(c)).append('/').append(r.style(c)).append('/').append(r.conversions(c));
            }
            s.append(' ').append(r.rowCount());
            for (int i = 0; i < r.rowCount(); i++) {
                s.append(Arrays.deepToString(r.row(i))).append(Arrays.toString(r.overrides(i)));
            }
            return s.toString();
        } catch (CorruptEntryException e) {
            return "CORRUPT";
        }
    }

    @Test
    void aForgedPrimerNeverChangesAnotherEntrysAnswer() {
        long seed = Long.getLong("sqlcache.fuzz.seed", System.nanoTime());
        SplittableRandom random = new SplittableRandom(seed);
        int primed = 0;
        int hits = 0;
        for (int run = 0; run < 20_000; run++) {
            boolean wide = random.nextBoolean();
            ColumnsMemo memo = new ColumnsMemo();
            byte[] primer = forge(entry(random, wide), random);
            answer(primer, memo);
            if (memo.get() != null) {
                primed++;
            }
            // The same forgery again (its own bytes: the memo's), another forgery, or a genuine entry.
            byte[] read = switch (random.nextInt(3)) {
                case 0 -> ResultCodec.frame(BINDING, ResultCodec.document(primer), null);
                case 1 -> forge(entry(random, random.nextBoolean()), random);
                default -> entry(random, random.nextBoolean());
            };
            String with = answer(read, memo);
            String without = answer(read, null);
            if (!with.equals(without)) {
                fail("seed " + seed + ": with the memo " + with + ", without " + without + ", primer "
                        + java.util.HexFormat.of().formatHex(primer) + ", entry "
                        + java.util.HexFormat.of().formatHex(read));
            }
            if (with.startsWith("HIT")) {
                hits++;
            }
        }
        assertTrue(primed > 1000 && hits > 1000, "seed " + seed + ": primed " + primed + ", hits " + hits);
    }

    @Test
    void twoShapesRacingThroughOneMemoEachGetTheirOwnColumns() throws Exception {
        ColumnsMemo memo = new ColumnsMemo();
        SplittableRandom seeds = new SplittableRandom(42);
        byte[][] entries = new byte[64][];
        String[] expected = new String[entries.length];
        for (int i = 0; i < entries.length; i++) {
            entries[i] = entry(seeds, i % 2 == 0);
            expected[i] = answer(entries[i], null);
        }
        AtomicReference<String> failure = new AtomicReference<>();
        Thread[] threads = new Thread[4];
        for (int t = 0; t < threads.length; t++) {
            int offset = t;
            threads[t] = new Thread(() -> {
                for (int k = 0; k < 20_000 && failure.get() == null; k++) {
                    int i = (k * 7 + offset) % entries.length;
                    String got = answer(entries[i], memo);
                    if (!got.equals(expected[i])) {
                        failure.compareAndSet(null, "entry " + i + ": " + got + " instead of " + expected[i]);
                    }
                }
            });
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        assertNull(failure.get());
        assertEquals(expected[0], answer(entries[0], memo));
    }
}
