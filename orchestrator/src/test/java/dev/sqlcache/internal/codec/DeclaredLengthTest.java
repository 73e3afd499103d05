package dev.sqlcache.internal.codec;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A forged entry that declares a binary value far longer than the entry itself, or more rows or columns than its
 * bytes can hold, must be refused without allocating what it declares: a cache entry read from Redis is untrusted
 * input.
 */
class DeclaredLengthTest {

    private static final byte[] BINDING = EntryBinding.of("sql:t:data:declared", "sql:_database:version:d");
    private static final String[] TOKENS = {"t1"};

    @Test
    void aBinaryDeclaringMoreThanTheEntryHoldsIsRefusedCheaply() {
        ColumnMetadata column = new ColumnMetadata("c", "s", "t", "data", "data", -2, "bytea", "[B", 0, 0, 0, 1,
                false, false, false, false, false, true, false, false);
        byte[] genuine = ResultCodec.encode(BINDING, TOKENS, new CachedResult(new ColumnMetadata[] {column},
                new ValueKind[] {ValueKind.BYTES}, new int[1], new int[1],
                new Object[][] {{new byte[] {1, 2, 3}}}, new String[1][]), null);
        byte[] document = ResultCodec.document(genuine);
        int at = indexOf(document, new byte[] {(byte) 0xFD, (byte) 0x83, 1, 2, 3});
        assertTrue(at > 0, "the raw binary value was not found");
        int declared = 0x7FF_FFFF; // 128 MiB, the largest four-byte VInt
        byte[] forged = new byte[document.length + 3];
        System.arraycopy(document, 0, forged, 0, at + 1);
        forged[at + 1] = (byte) ((declared >> 20) & 0x7F);
        forged[at + 2] = (byte) ((declared >> 13) & 0x7F);
        forged[at + 3] = (byte) ((declared >> 6) & 0x7F);
        forged[at + 4] = (byte) ((declared & 0x3F) | 0x80);
        System.arraycopy(document, at + 2, forged, at + 5, document.length - at - 2);
        byte[] entry = ResultCodec.frame(BINDING, forged, null);

        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(thread);
        assertThrows(CorruptEntryException.class, () -> ResultCodec.decode(entry, BINDING, null));
        long allocated = threads.getThreadAllocatedBytes(thread) - before;
        assertTrue(allocated < declared / 8, "allocated " + allocated + " bytes for a " + entry.length + "-byte entry");
    }

    /**
     * An entry of a megabyte that declares a row per byte: the decoder sized two arrays by the count before reading
     * a row (about 8 MB, 8 times the entry). Six columns make a row at least 8 bytes, so the count is refused.
     */
    @Test
    void aRowCountTheEntryCannotHoldIsRefusedBeforeAnythingIsAllocatedForIt() {
        int columns = 6;
        ColumnMetadata[] metadata = new ColumnMetadata[columns];
        for (int c = 0; c < columns; c++) {
            metadata[c] = new ColumnMetadata("c", "s", "t", "n" + c, "n" + c, 4, "integer", "java.lang.Integer", 10, 0,
                    11, 1, false, false, true, false, true, false, false, false);
        }
        ValueKind[] kinds = new ValueKind[columns];
        java.util.Arrays.fill(kinds, ValueKind.INTEGER);
        byte[] document = ResultCodec.document(ResultCodec.encode(BINDING, TOKENS, new CachedResult(metadata, kinds,
                new int[columns], new int[columns], new Object[0][], new String[0][]), null));
        // No rows: the document ends with the row count (a small int, 0) and the outer array's end.
        assertEquals((byte) 0xC0, document[document.length - 2]);
        assertEquals((byte) 0xF9, document[document.length - 1]);
        byte[] entry = withCount(document, document.length - 2);
        assertRefusedCheaply(entry);
    }

    /** The same for the column count: four arrays sized by it (about 16 times the entry) before a column is read. */
    @Test
    void aColumnCountTheEntryCannotHoldIsRefusedBeforeAnythingIsAllocatedForIt() {
        byte[] document = ResultCodec.document(ResultCodec.encode(BINDING, TOKENS, new CachedResult(
                new ColumnMetadata[0], new ValueKind[0], new int[0], new int[0], new Object[0][], new String[0][]),
                null));
        // The version tokens' list ends at the first end-of-array marker (no string here holds that byte); the
        // column count follows it.
        int at = indexOf(document, new byte[] {(byte) 0xF9}) + 1;
        assertEquals((byte) 0xC0, document[at]);
        assertRefusedCheaply(withCount(document, at));
    }

    /**
     * The document up to {@code at}, then a count of {@link #PADDING} items as a 32-bit Smile int, then that many
     * start-of-array bytes and an end-of-array: as many items declared as the entry has bytes, at most.
     */
    private static byte[] withCount(byte[] document, int at) {
        int zigzag = PADDING << 1;
        byte[] forged = new byte[at + 5 + PADDING + 1];
        System.arraycopy(document, 0, forged, 0, at);
        forged[at] = 0x24; // a 32-bit int; its zigzag VInt follows, 7 bits a byte, the last 6 bits and the end bit
        forged[at + 1] = (byte) ((zigzag >> 20) & 0x7F);
        forged[at + 2] = (byte) ((zigzag >> 13) & 0x7F);
        forged[at + 3] = (byte) ((zigzag >> 6) & 0x7F);
        forged[at + 4] = (byte) ((zigzag & 0x3F) | 0x80);
        java.util.Arrays.fill(forged, at + 5, at + 5 + PADDING, (byte) 0xF8);
        forged[forged.length - 1] = (byte) 0xF9;
        return ResultCodec.frame(BINDING, forged, null);
    }

    private static final int PADDING = 1 << 20;

    private static void assertRefusedCheaply(byte[] entry) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(thread);
        assertThrows(CorruptEntryException.class, () -> ResultCodec.decode(entry, BINDING, null));
        long allocated = threads.getThreadAllocatedBytes(thread) - before;
        assertTrue(allocated < entry.length, "allocated " + allocated + " bytes for a " + entry.length
                + "-byte entry");
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
