package dev.sqlcache.internal.codec;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.dataformat.smile.SmileFactory;
import com.fasterxml.jackson.dataformat.smile.SmileGenerator;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * A statement's hits share the columns decoded once, but only for entries whose column bytes are exactly the ones
 * they were decoded from: any other entry gets its own columns, whatever the memo holds.
 */
class ColumnsMemoTest {

    private static final String[] TOKENS = {"t1", "t2"};

    private static ColumnMetadata column(String label, int type, String typeName) {
        return new ColumnMetadata("cat", "public", "customers", label, label, type, typeName, "java.lang.String",
                40, 0, 40, 1, false, true, true, false, false, true, false, false);
    }

    private static CachedResult result(ColumnMetadata[] columns, Object... values) {
        ValueKind[] kinds = new ValueKind[columns.length];
        java.util.Arrays.fill(kinds, ValueKind.STRING);
        Object[][] rows = {values};
        return new CachedResult(columns, kinds, new int[columns.length], new int[columns.length], rows,
                new String[1][]);
    }

    private static CachedResult read(byte[] entry, ColumnsMemo memo) {
        return ResultCodec.decodeIfCurrent(entry, ResultCodec.UNBOUND, TOKENS, null, -1, null, memo);
    }

    @Test
    void hitsOfOneShapeShareTheirColumns() {
        ColumnMetadata[] columns = {column("name", 12, "varchar"), column("city", 12, "varchar")};
        ColumnsMemo memo = new ColumnsMemo();
        CachedResult first = read(ResultCodec.encode(TOKENS, result(columns, "a", "b")), memo);
        CachedResult second = read(ResultCodec.encode(TOKENS, result(columns, "c", "d")), memo);
        assertSame(first.column(0), second.column(0), "the second hit decodes no column");
        assertEquals(columns[1], second.column(1));
        assertEquals("c", second.value(0, 0));
        assertEquals("d", second.value(0, 1));
    }

    /** Same column count, same length, one byte apart: the memo must not answer for it. */
    @Test
    void anotherShapeGetsItsOwnColumns() {
        ColumnsMemo memo = new ColumnsMemo();
        read(ResultCodec.encode(TOKENS, result(new ColumnMetadata[] {column("name", 12, "varchar")}, "a")), memo);
        CachedResult other = read(ResultCodec.encode(TOKENS,
                result(new ColumnMetadata[] {column("nume", 12, "varchar")}, "b")), memo);
        assertEquals("nume", other.column(0).columnLabel());
        CachedResult otherType = read(ResultCodec.encode(TOKENS,
                result(new ColumnMetadata[] {column("nume", -9, "varchar")}, "c")), memo);
        assertEquals(-9, otherType.column(0).columnType());
        assertNotSame(other.column(0), otherType.column(0));
        // and back: the memo now holds the last shape, the first one is decoded again, right
        CachedResult again = read(ResultCodec.encode(TOKENS,
                result(new ColumnMetadata[] {column("name", 12, "varchar")}, "d")), memo);
        assertEquals("name", again.column(0).columnLabel());
        assertEquals(12, again.column(0).columnType());
    }

    /**
     * A document whose Smile header allows shared string values may refer back to strings before its columns (here
     * its label is "the first token"), so the same column bytes can mean other strings: such documents are neither
     * memoised nor served from a memo.
     */
    @Test
    void documentsWithSharedStringValuesAreNeverMemoised() throws IOException {
        ColumnsMemo memo = new ColumnsMemo();
        String[] first = {"t1", "t2"};
        String[] other = {"zz", "t2"};
        CachedResult decoded = ResultCodec.decodeIfCurrent(ResultCodec.frame(ResultCodec.UNBOUND,
                document(true, first), null), ResultCodec.UNBOUND, first, null, -1, null, memo);
        assertEquals("t1", decoded.column(0).columnLabel(), "the label refers back to the first token");
        assertNull(memo.get());
        CachedResult same = ResultCodec.decodeIfCurrent(ResultCodec.frame(ResultCodec.UNBOUND,
                document(true, other), null), ResultCodec.UNBOUND, other, null, -1, null, memo);
        assertEquals("zz", same.column(0).columnLabel(), "the same column bytes, another first token");
        read(ResultCodec.frame(ResultCodec.UNBOUND, document(false, TOKENS), null), memo);
        assertNotNull(memo.get(), "the codec's own header is memoised");
    }

    /**
     * One STRING column labelled like the first token, written by a generator with or without shared values (with
     * them, the label is a reference back to the token).
     */
    private static byte[] document(boolean sharedValues, String[] tokens) throws IOException {
        SmileFactory factory = SmileFactory.builder()
                .configure(SmileGenerator.Feature.CHECK_SHARED_STRING_VALUES, sharedValues)
                .disable(SmileGenerator.Feature.ENCODE_BINARY_AS_7BIT)
                .build();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = factory.createGenerator(out)) {
            g.writeStartArray();
            g.writeString("sqlcache-result");
            g.writeStartArray();
            for (String token : tokens) {
                g.writeString(token);
            }
            g.writeEndArray();
            g.writeNumber(1);
            g.writeStartArray();
            for (String s : new String[] {"cat", "public", "customers", tokens[0], tokens[0]}) {
                g.writeString(s);
            }
            g.writeNumber(12);
            g.writeString("varchar");
            g.writeString("java.lang.String");
            for (int n : new int[] {40, 0, 40, 1, 0, ValueKind.STRING.tag, 0}) {
                g.writeNumber(n);
            }
            g.writeEndArray();
            g.writeNumber(1);
            g.writeStartArray();
            g.writeString("x");
            g.writeEndArray();
            g.writeEndArray();
        }
        return out.toByteArray();
    }
}
