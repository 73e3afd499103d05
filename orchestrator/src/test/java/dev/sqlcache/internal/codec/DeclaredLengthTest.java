package dev.sqlcache.internal.codec;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A forged entry that declares a binary value far longer than the entry itself must be refused without allocating
 * what it declares: a cache entry read from Redis is untrusted input.
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
