package dev.sqlcache.internal.codec;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The codec's parsers share a bounded pool of Jackson buffer recyclers: Unicode strings are decoded in those buffers
 * (ASCII ones are read in place), so a recycler handed to two parsers at once, or given back twice (a parser closed
 * after a refusal included), would let one thread's strings show up in another's result. Threads decode distinct
 * entries, and corrupt ones between them, and every answer must be its own entry's.
 */
class RecyclerRaceTest {

    private static final byte[] BINDING = EntryBinding.of("sql:t:data:race", "sql:_database:version:d");
    private static final String[] TOKENS = {"t1"};

    @Test
    void concurrentDecodesNeverSeeEachOthersStrings() throws Exception {
        ColumnMetadata column = new ColumnMetadata("c", "s", "t", "v", "v", 12, "text", "java.lang.String", 0, 0, 0,
                1, false, false, false, false, false, true, false, false);
        byte[][] entries = new byte[16][];
        String[][] expected = new String[entries.length][];
        for (int i = 0; i < entries.length; i++) {
            String[] values = new String[4];
            Object[][] rows = new Object[values.length][];
            for (int r = 0; r < values.length; r++) {
                values[r] = ("é" + (char) ('a' + i) + r).repeat(1 + (i * 37 + r * 11) % 120);
                rows[r] = new Object[] {values[r]};
            }
            expected[i] = values;
            entries[i] = ResultCodec.encode(BINDING, TOKENS, new CachedResult(new ColumnMetadata[] {column},
                    new ValueKind[] {ValueKind.STRING}, new int[1], new int[1], rows, new String[rows.length][]),
                    null);
        }
        byte[] corrupt = ResultCodec.document(entries[3]);
        corrupt = ResultCodec.frame(BINDING, Arrays.copyOf(corrupt, corrupt.length - 9), null);
        byte[] truncated = corrupt;
        AtomicReference<String> failure = new AtomicReference<>();
        Thread[] threads = new Thread[8];
        for (int t = 0; t < threads.length; t++) {
            int offset = t;
            threads[t] = new Thread(() -> {
                try {
                    race(entries, expected, truncated, offset, failure);
                } catch (Throwable e) {
                    failure.compareAndSet(null, e.toString());
                }
            });
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        assertNull(failure.get());
    }

    private static void race(byte[][] entries, String[][] expected, byte[] truncated, int offset,
                             AtomicReference<String> failure) {
        for (int k = 0; k < 20_000 && failure.get() == null; k++) {
            int i = (k + offset * 5) % entries.length;
            try {
                ResultCodec.decode(truncated, BINDING, null);
                failure.compareAndSet(null, "a truncated entry decoded");
            } catch (CorruptEntryException expectedRefusal) {
                // a parser closed after a refusal gives its recycler back once
            }
            CachedResult r = ResultCodec.decodeIfCurrent(entries[i], BINDING, TOKENS, null, -1, null,
                    null);
            for (int row = 0; row < expected[i].length; row++) {
                if (!expected[i][row].equals(r.value(row, 0))) {
                    failure.compareAndSet(null, "entry " + i + " row " + row + ": " + r.value(row, 0));
                }
            }
        }
    }
}
