package dev.sqlcache.internal.codec;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A differential fuzz of the memo's shortcut: when an entry's column section is byte for byte the memo's, the parser
 * steps over it instead of tokenizing it ({@code EntryParser.skipTo}), and reads ASCII strings in place
 * ({@code EntryParser.text}). Over forged entries that keep a valid frame and the very column bytes of the memo but
 * lie everywhere else (bytes flipped, inserted, removed, before and after the columns), decoding with a primed memo
 * must answer exactly what decoding without any memo answers: the same refusal, the same miss, or the same rows.
 */
class MemoSkipDifferentialTest {

    private static final byte[] BINDING = EntryBinding.of("sql:t:data:memo", "sql:_database:version:d");
    private static final String[] TOKENS = {"t1", "t2"};
    private static final int[] INTERESTING = {0x00, 0x01, 0x20, 0x21, 0x24, 0x25, 0x26, 0x28, 0x29, 0x3A, 0x0A,
            0x40, 0x41, 0x5F, 0x60, 0x7F, 0x80, 0x9F, 0xA0, 0xC0, 0xDF, 0xE0, 0xE4, 0xE8, 0xEC, 0xF8, 0xF9, 0xFA,
            0xFB, 0xFC, 0xFD, 0xFF};

    private enum Outcome { HIT, MISS, CORRUPT }

    private static ColumnMetadata column(String label, int type, String typeName) {
        return new ColumnMetadata("cat", "public", "t", label, label, type, typeName, "java.lang.Object",
                40, 0, 40, 1, false, true, true, false, false, true, false, false);
    }

    private static final ColumnMetadata[] COLUMNS = {column("id", 4, "int4"), column("name", 12, "varchar"),
            column("bio", 12, "text"), column("data", -2, "bytea"), column("amount", 2, "numeric")};
    private static final ValueKind[] KINDS = {ValueKind.INTEGER, ValueKind.STRING, ValueKind.STRING, ValueKind.BYTES,
            ValueKind.BIG_DECIMAL};

    private static CachedResult result(SplittableRandom random) {
        int rows = random.nextInt(4);
        Object[][] values = new Object[rows][];
        String[][] overrides = new String[rows][];
        for (int r = 0; r < rows; r++) {
            values[r] = new Object[] {random.nextInt(), text(random), text(random),
                    random.nextInt(4) == 0 ? null : new byte[] {1, (byte) 0xFC, 3},
                    BigDecimal.valueOf(random.nextLong(), random.nextInt(5))};
            if (random.nextInt(3) == 0) {
                overrides[r] = new String[KINDS.length];
                overrides[r][1] = text(random);
            }
        }
        return new CachedResult(COLUMNS, KINDS, new int[KINDS.length], new int[KINDS.length], values, overrides);
    }

    /** Empty, tiny, short and long ASCII, and Unicode strings, or null. */
    private static String text(SplittableRandom random) {
        return switch (random.nextInt(6)) {
            case 0 -> null;
            case 1 -> "";
            case 2 -> "x".repeat(1 + random.nextInt(32));
            case 3 -> "y".repeat(33 + random.nextInt(32));
            case 4 -> "z".repeat(65 + random.nextInt(100));
            default -> "é".repeat(1 + random.nextInt(70));
        };
    }

    @Test
    void theMemoNeverChangesTheAnswer() {
        long seed = Long.getLong("sqlcache.fuzz.seed", System.nanoTime());
        long seconds = Math.min(30, Long.getLong("sqlcache.fuzz.seconds", 3));
        SplittableRandom random = new SplittableRandom(seed);
        byte[] primer = ResultCodec.encode(BINDING, TOKENS, result(random), null);
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        int runs = 0;
        int[] seen = new int[Outcome.values().length];
        while (System.nanoTime() < deadline || runs < 3000) {
            byte[] document = ResultCodec.document(ResultCodec.encode(BINDING, TOKENS, result(random), null));
            int mutations = random.nextInt(4);
            for (int i = 0; i < mutations; i++) {
                document = mutate(document, random);
            }
            byte[] entry = ResultCodec.frame(BINDING, document, null);
            ColumnsMemo memo = new ColumnsMemo();
            decode(primer, memo);
            CachedResult withMemo = null;
            CachedResult without = null;
            Outcome a;
            Outcome b;
            try {
                withMemo = decode(entry, memo);
                a = withMemo == null ? Outcome.MISS : Outcome.HIT;
            } catch (CorruptEntryException e) {
                a = Outcome.CORRUPT;
            } catch (RuntimeException e) {
                throw new AssertionError("seed " + seed + ": not the codec's refusal", e);
            }
            try {
                without = decode(entry, null);
                b = without == null ? Outcome.MISS : Outcome.HIT;
            } catch (CorruptEntryException e) {
                b = Outcome.CORRUPT;
            }
            if (a != b) {
                fail("seed " + seed + ": with the memo " + a + ", without " + b + ", document "
                        + java.util.HexFormat.of().formatHex(document));
            }
            if (a == Outcome.HIT) {
                assertSame(withMemo, without, seed);
            }
            seen[a.ordinal()]++;
            runs++;
        }
        // A fuzz whose mutations never got past the frame, or never left an entry intact, tests nothing.
        assertTrue(seen[Outcome.HIT.ordinal()] > 100 && seen[Outcome.CORRUPT.ordinal()] > 100,
                "seed " + seed + ": " + Arrays.toString(seen));
    }

    private static CachedResult decode(byte[] entry, ColumnsMemo memo) {
        return ResultCodec.decodeIfCurrent(entry, BINDING, TOKENS, null, -1, null, memo);
    }

    private static void assertSame(CachedResult a, CachedResult b, long seed) {
        assertEquals(b.columns(), a.columns(), "seed " + seed);
        assertEquals(b.rowCount(), a.rowCount(), "seed " + seed);
        for (int r = 0; r < a.rowCount(); r++) {
            assertTrue(Arrays.deepEquals(b.row(r), a.row(r)), "seed " + seed + " row " + r);
            assertTrue(Arrays.equals(b.overrides(r), a.overrides(r)), "seed " + seed + " overrides " + r);
        }
    }

    /** One byte set, inserted or removed; mostly after the head, where the memo's shortcut reads. */
    private static byte[] mutate(byte[] document, SplittableRandom random) {
        int at = random.nextInt(4) == 0 ? random.nextInt(document.length)
                : document.length / 2 + random.nextInt(document.length - document.length / 2);
        byte value = (byte) (random.nextBoolean() ? INTERESTING[random.nextInt(INTERESTING.length)]
                : random.nextInt(256));
        return ByteMutation.apply(document, at, value, random.nextInt(3));
    }
}
