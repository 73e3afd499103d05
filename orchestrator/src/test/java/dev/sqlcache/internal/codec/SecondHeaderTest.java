package dev.sqlcache.internal.codec;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * A forged document that starts with the codec's own Smile header but carries a second one before its first value:
 * Jackson reads the second header at the root and takes its flags, here shared string values, under which it decodes
 * a short string as soon as it meets it. The in-place token comparison must not trust the first four bytes alone:
 * it would find the parser past the string's bytes instead of after its type byte, and compare the current token
 * with whatever bytes follow.
 */
class SecondHeaderTest {

    private static final byte[] BINDING = EntryBinding.of("sql:t:data:second-header", "sql:_database:version:d");
    private static final CachedResult EMPTY =
            new CachedResult(new ResultColumns(new ColumnMetadata[0], new ValueKind[0], new int[0], new int[0]),
                    new Object[0][], new String[0][]);

    /**
     * Recorded (as Jackson reads them): {@code "xA", "A5"}. In place, the first string's last byte {@code 'A'} (0x41)
     * reads as a two-byte ASCII type, and the next two bytes ({@code 0x41 'A'}, the second token's type and first
     * byte) as "AA".
     */
    private static byte[] forged() {
        byte[] genuine = ResultCodec.encode(BINDING, new String[0], EMPTY, null);
        byte[] document = ResultCodec.document(genuine);
        // document: header (4), 0xF8, magic, 0xF8, 0xF9, rest
        int rest = 4 + 1 + 1 + "sqlcache-result".length() + 1 + 1;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(document, 0, 4);
        out.writeBytes(new byte[] {':', ')', '\n', 0x07}); // a second header: shared names, shared values, raw binary
        out.write(0xF8);
        out.write(0xE0); // the magic as a long ASCII string: never shared, read by Jackson on request
        out.writeBytes("sqlcache-result".getBytes(StandardCharsets.US_ASCII));
        out.write(0xFC);
        out.write(0xF8);
        out.writeBytes(new byte[] {0x41, 'x', 'A'});
        out.writeBytes(new byte[] {0x41, 'A', '5'});
        out.write(0xF9);
        out.write(document, rest, document.length - rest);
        return ResultCodec.frame(BINDING, out.toByteArray(), null);
    }

    @Test
    void aSecondHeaderMakesNoForeignTokenCurrent() {
        byte[] entry = forged();
        String[] recorded;
        try {
            recorded = ResultCodec.readTokens(entry, BINDING, null);
        } catch (CorruptEntryException refused) {
            // Decoding to strings refuses it: then so must the in-place comparison, or call it stale.
            assertNull(decodeOrNull(entry, new String[] {"AA", "A5"}));
            return;
        }
        assertEquals(List.of("xA", "A5"), List.of(recorded));
        assertNull(decodeOrNull(entry, new String[] {"AA", "A5"}),
                "the entry recorded [xA, A5] is served as current for [AA, A5]");
    }

    private static CachedResult decodeOrNull(byte[] entry, String[] current) {
        try {
            return ResultCodec.decodeIfCurrent(entry, BINDING, current, null);
        } catch (CorruptEntryException refused) {
            return null;
        }
    }
}
