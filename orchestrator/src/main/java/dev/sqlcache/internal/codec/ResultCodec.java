package dev.sqlcache.internal.codec;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.dataformat.smile.SmileFactory;
import com.fasterxml.jackson.dataformat.smile.SmileGenerator;
import com.fasterxml.jackson.dataformat.smile.SmileParser;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.zip.CRC32C;

/**
 * The cache entry format.
 *
 * <pre>
 * byte 0      format version ({@value #FORMAT_VERSION}); any other value is a miss
 * bytes 1..4  CRC32C (big-endian) of bytes 5..end
 * bytes 5..   one Smile document:
 *   [ "sqlcache-result", [token...], columnCount,
 *     [catalog, schema, table, name, label, type, typeName, className, precision, scale, displaySize,
 *      nullable, flagBits, kindTag, stringStyle | conversions &lt;&lt; 8] ...,
 *     rowCount,
 *     [cell x columnCount, (columnIndex, driverText)...] ... ]
 * </pre>
 *
 * A cell is null or its kind's tokens: numbers of their exact width, floats and doubles as their raw IEEE bits
 * (bit-exact NaN/±Infinity), BigDecimal as scale + unscaled two's-complement binary, temporal values as
 * epoch numbers, byte[] as raw binary, UUID as two longs. The checksum makes a flipped byte a miss instead
 * of a different valid value. The conversions are {@link Conversions}' bits: what the real driver was seen to
 * answer for the column.
 *
 * <p>Version 2 added the text getter bits ({@link Conversions#N_STRING} and the like). A version 1 entry lacks
 * them, and read as version 2 it would hand every such getter over to the database, so it is a miss instead and is
 * captured again.
 */
public final class ResultCodec {
    public static final int FORMAT_VERSION = 2;
    private static final String MAGIC = "sqlcache-result";
    private static final int FRAME = 5;
    /**
     * Buffers are recycled through a shared pool, not Jackson's default per-thread one: a thread-local on an
     * application server's request threads would hold an undeployed application's class loader forever.
     */
    private static final SmileFactory SMILE = SmileFactory.builder()
            .recyclerPool(com.fasterxml.jackson.core.util.JsonRecyclerPools.newConcurrentDequePool())
            .disable(SmileGenerator.Feature.ENCODE_BINARY_AS_7BIT)
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxStringLength(Integer.MAX_VALUE)
                    .maxNumberLength(Integer.MAX_VALUE)
                    .build())
            .build();

    private ResultCodec() {
    }

    public static byte[] encode(String[] versionTokens, CachedResult result) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        out.write(FORMAT_VERSION);
        out.write(0);
        out.write(0);
        out.write(0);
        out.write(0);
        try (JsonGenerator g = SMILE.createGenerator(out)) {
            g.writeStartArray();
            g.writeString(MAGIC);
            g.writeStartArray();
            for (String t : versionTokens) {
                g.writeString(t);
            }
            g.writeEndArray();
            int n = result.columnCount();
            g.writeNumber(n);
            for (int c = 0; c < n; c++) {
                // The style is small; the learned conversions ride in the bits above it.
                writeColumn(g, result.column(c), result.kind(c), result.style(c) | result.conversions(c) << 8);
            }
            g.writeNumber(result.rowCount());
            ValueKind[] kinds = result.kinds();
            for (int r = 0; r < result.rowCount(); r++) {
                g.writeStartArray();
                Object[] row = result.row(r);
                for (int c = 0; c < n; c++) {
                    writeValue(g, kinds[c], row[c]);
                }
                String[] over = result.overrides(r);
                if (over != null) {
                    for (int c = 0; c < n; c++) {
                        if (over[c] != null) {
                            g.writeNumber(c);
                            g.writeString(over[c]);
                        }
                    }
                }
                g.writeEndArray();
            }
            g.writeEndArray();
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode a cached result", e);
        }
        byte[] bytes = out.toByteArray();
        int crc = crc(bytes);
        bytes[1] = (byte) (crc >>> 24);
        bytes[2] = (byte) (crc >>> 16);
        bytes[3] = (byte) (crc >>> 8);
        bytes[4] = (byte) crc;
        return bytes;
    }

    /** The version tokens at the head of an entry, without decoding the rows. */
    public static String[] readTokens(byte[] entry) {
        checkFrame(entry);
        try (JsonParser p = parser(entry)) {
            return readHead(p);
        } catch (IOException | RuntimeException e) {
            throw corrupt(e);
        }
    }

    public static CachedResult decode(byte[] entry) {
        checkFrame(entry);
        try (JsonParser p = parser(entry)) {
            readHead(p);
            return decodeBody(p, entry);
        } catch (IOException | RuntimeException e) {
            throw corrupt(e);
        }
    }

    /**
     * The entry's result if it was computed under exactly these version tokens, else {@code null}; checks the
     * frame and reads the entry once.
     */
    public static CachedResult decodeIfCurrent(byte[] entry, String[] tokens) {
        return decodeIfCurrent(entry, tokens, -1, null);
    }

    /**
     * {@link #decodeIfCurrent(byte[], String[])}, but the token at {@code ignoredIndex} (none if negative) need not
     * be current: it has to pass {@code recordedCheck} instead (anything passes when that is null).
     */
    public static CachedResult decodeIfCurrent(byte[] entry, String[] tokens, int ignoredIndex,
                                               java.util.function.Predicate<String> recordedCheck) {
        checkFrame(entry);
        try (JsonParser p = parser(entry)) {
            String[] recorded = readHead(p);
            if (!sameTokens(recorded, tokens, ignoredIndex)
                    || (recordedCheck != null && !recordedCheck.test(recorded[ignoredIndex]))) {
                return null;
            }
            return decodeBody(p, entry);
        } catch (IOException | RuntimeException e) {
            throw corrupt(e);
        }
    }

    /** Whether two token lists are equal but at {@code ignoredIndex} (none if negative). */
    public static boolean sameTokens(String[] recorded, String[] current, int ignoredIndex) {
        if (recorded == null || recorded.length != current.length) {
            return false;
        }
        for (int i = 0; i < current.length; i++) {
            if (i != ignoredIndex && !java.util.Objects.equals(recorded[i], current[i])) {
                return false;
            }
        }
        return true;
    }

    private static CachedResult decodeBody(JsonParser p, byte[] entry) throws IOException {
        int n = count(p, entry.length);
        ColumnMetadata[] columns = new ColumnMetadata[n];
        ValueKind[] kinds = new ValueKind[n];
        int[] styles = new int[n];
        int[] conversions = new int[n];
        for (int c = 0; c < n; c++) {
            expect(p, JsonToken.START_ARRAY);
            columns[c] = new ColumnMetadata(str(p), str(p), str(p), str(p), str(p), integer(p), str(p),
                    str(p), integer(p), integer(p), integer(p), integer(p), false, false, false, false,
                    false, false, false, false);
            int flags = integer(p);
            ColumnMetadata m = columns[c];
            columns[c] = new ColumnMetadata(m.catalogName(), m.schemaName(), m.tableName(), m.columnName(),
                    m.columnLabel(), m.columnType(), m.columnTypeName(), m.columnClassName(), m.precision(),
                    m.scale(), m.columnDisplaySize(), m.nullable(), bit(flags, 0), bit(flags, 1),
                    bit(flags, 2), bit(flags, 3), bit(flags, 4), bit(flags, 5), bit(flags, 6), bit(flags, 7));
            kinds[c] = ValueKind.ofTag(integer(p));
            if (kinds[c] == null) {
                throw new CorruptEntryException("unknown value kind");
            }
            int packed = integer(p);
            styles[c] = packed & 0xFF;
            conversions[c] = packed >>> 8;
            if (packed < 0 || styles[c] >= StringFormats.styleCount(kinds[c])) {
                throw new CorruptEntryException("unknown string style");
            }
            expect(p, JsonToken.END_ARRAY);
        }
        int rowCount = count(p, entry.length);
        Object[][] rows = new Object[rowCount][];
        String[][] overrides = new String[rowCount][];
        for (int r = 0; r < rowCount; r++) {
            expect(p, JsonToken.START_ARRAY);
            Object[] row = new Object[n];
            for (int c = 0; c < n; c++) {
                row[c] = readValue(p, kinds[c]);
            }
            String[] over = null;
            JsonToken t;
            while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                if (t != JsonToken.VALUE_NUMBER_INT) {
                    throw new CorruptEntryException("bad row");
                }
                int c = p.getIntValue();
                if (c < 0 || c >= n) {
                    throw new CorruptEntryException("bad override column");
                }
                if (over == null) {
                    over = new String[n];
                }
                over[c] = str(p);
                if (over[c] == null) {
                    throw new CorruptEntryException("null override");
                }
            }
            rows[r] = row;
            overrides[r] = over;
        }
        expect(p, JsonToken.END_ARRAY);
        if (p.nextToken() != null) {
            throw new CorruptEntryException("trailing data");
        }
        return new CachedResult(columns, kinds, styles, conversions, rows, overrides);
    }

    private static CorruptEntryException corrupt(Exception e) {
        return e instanceof CorruptEntryException c ? c : new CorruptEntryException("corrupt cache entry", e);
    }

    private static void checkFrame(byte[] entry) {
        if (entry == null || entry.length < FRAME + 4) {
            throw new CorruptEntryException("entry too short");
        }
        if (entry[0] != FORMAT_VERSION) {
            throw new CorruptEntryException("unknown format version " + (entry[0] & 0xff));
        }
        int stored = ((entry[1] & 0xff) << 24) | ((entry[2] & 0xff) << 16) | ((entry[3] & 0xff) << 8)
                | (entry[4] & 0xff);
        if (stored != crc(entry)) {
            throw new CorruptEntryException("checksum mismatch");
        }
    }

    private static int crc(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, FRAME, bytes.length - FRAME);
        return (int) crc.getValue();
    }

    private static JsonParser parser(byte[] entry) throws IOException {
        SmileParser p = SMILE.createParser(entry, FRAME, entry.length - FRAME);
        return p;
    }

    private static String[] readHead(JsonParser p) throws IOException {
        expect(p, JsonToken.START_ARRAY);
        if (!MAGIC.equals(str(p))) {
            throw new CorruptEntryException("not a sqlcache entry");
        }
        expect(p, JsonToken.START_ARRAY);
        List<String> tokens = new ArrayList<>();
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t != JsonToken.VALUE_STRING) {
                throw new CorruptEntryException("bad version token");
            }
            tokens.add(p.getText());
        }
        return tokens.toArray(new String[0]);
    }

    private static void writeColumn(JsonGenerator g, ColumnMetadata m, ValueKind kind, int style) throws IOException {
        g.writeStartArray();
        g.writeString(m.catalogName());
        g.writeString(m.schemaName());
        g.writeString(m.tableName());
        g.writeString(m.columnName());
        g.writeString(m.columnLabel());
        g.writeNumber(m.columnType());
        g.writeString(m.columnTypeName());
        g.writeString(m.columnClassName());
        g.writeNumber(m.precision());
        g.writeNumber(m.scale());
        g.writeNumber(m.columnDisplaySize());
        g.writeNumber(m.nullable());
        int flags = (m.autoIncrement() ? 1 : 0) | (m.caseSensitive() ? 2 : 0) | (m.searchable() ? 4 : 0)
                | (m.currency() ? 8 : 0) | (m.signed() ? 16 : 0) | (m.readOnly() ? 32 : 0)
                | (m.writable() ? 64 : 0) | (m.definitelyWritable() ? 128 : 0);
        g.writeNumber(flags);
        g.writeNumber(kind.tag);
        g.writeNumber(style);
        g.writeEndArray();
    }

    private static void writeValue(JsonGenerator g, ValueKind kind, Object v) throws IOException {
        if (v == null) {
            g.writeNull();
            return;
        }
        switch (kind) {
            case BOOLEAN -> g.writeBoolean((Boolean) v);
            case BYTE -> g.writeNumber((Byte) v);
            case SHORT -> g.writeNumber((Short) v);
            case INTEGER -> g.writeNumber((Integer) v);
            case LONG -> g.writeNumber((Long) v);
            case BIG_INTEGER -> g.writeBinary(((BigInteger) v).toByteArray());
            case BIG_DECIMAL -> {
                BigDecimal d = (BigDecimal) v;
                g.writeNumber(d.scale());
                g.writeBinary(d.unscaledValue().toByteArray());
            }
            case FLOAT -> g.writeNumber(Float.floatToRawIntBits((Float) v));
            case DOUBLE -> g.writeNumber(Double.doubleToRawLongBits((Double) v));
            case STRING -> g.writeString((String) v);
            case DATE -> g.writeNumber(((java.sql.Date) v).getTime());
            case TIME -> {
                TimeValue t = (TimeValue) v;
                g.writeNumber(t.epochMillis());
                g.writeNumber(t.localTime() == null ? -1L : t.localTime().toNanoOfDay());
            }
            case TIMESTAMP -> {
                Timestamp t = (Timestamp) v;
                g.writeNumber(t.getTime());
                g.writeNumber(t.getNanos());
            }
            case OFFSET_DATE_TIME -> {
                OffsetDateTime o = (OffsetDateTime) v;
                g.writeNumber(o.toEpochSecond());
                g.writeNumber(o.getNano());
                g.writeNumber(o.getOffset().getTotalSeconds());
            }
            case OFFSET_TIME -> {
                OffsetTime o = (OffsetTime) v;
                g.writeNumber(o.toLocalTime().toNanoOfDay());
                g.writeNumber(o.getOffset().getTotalSeconds());
            }
            case BYTES -> g.writeBinary((byte[]) v);
            case UUID -> {
                UUID u = (UUID) v;
                g.writeNumber(u.getMostSignificantBits());
                g.writeNumber(u.getLeastSignificantBits());
            }
        }
    }

    private static Object readValue(JsonParser p, ValueKind kind) throws IOException {
        JsonToken t = p.nextToken();
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        switch (kind) {
            case BOOLEAN:
                if (t == JsonToken.VALUE_TRUE) {
                    return Boolean.TRUE;
                }
                if (t == JsonToken.VALUE_FALSE) {
                    return Boolean.FALSE;
                }
                throw new CorruptEntryException("bad boolean");
            case BYTE: {
                int v = currentInt(p, t);
                if (v != (byte) v) {
                    throw new CorruptEntryException("bad byte");
                }
                return (byte) v;
            }
            case SHORT: {
                int v = currentInt(p, t);
                if (v != (short) v) {
                    throw new CorruptEntryException("bad short");
                }
                return (short) v;
            }
            case INTEGER:
                return currentInt(p, t);
            case LONG:
                return currentLong(p, t);
            case BIG_INTEGER:
                return new BigInteger(currentBinary(p, t));
            case BIG_DECIMAL: {
                int scale = currentInt(p, t);
                return new BigDecimal(new BigInteger(currentBinary(p, p.nextToken())), scale);
            }
            case FLOAT:
                return Float.intBitsToFloat(currentInt(p, t));
            case DOUBLE:
                return Double.longBitsToDouble(currentLong(p, t));
            case STRING:
                if (t != JsonToken.VALUE_STRING) {
                    throw new CorruptEntryException("bad string");
                }
                return p.getText();
            case DATE:
                return new java.sql.Date(currentLong(p, t));
            case TIME: {
                long millis = currentLong(p, t);
                long nanoOfDay = currentLong(p, p.nextToken());
                return new TimeValue(millis, nanoOfDay == -1 ? null : LocalTime.ofNanoOfDay(nanoOfDay));
            }
            case TIMESTAMP: {
                Timestamp ts = new Timestamp(currentLong(p, t));
                ts.setNanos(currentInt(p, p.nextToken()));
                return ts;
            }
            case OFFSET_DATE_TIME: {
                long sec = currentLong(p, t);
                int nano = currentInt(p, p.nextToken());
                ZoneOffset off = ZoneOffset.ofTotalSeconds(currentInt(p, p.nextToken()));
                return OffsetDateTime.ofInstant(Instant.ofEpochSecond(sec, nano), off);
            }
            case OFFSET_TIME: {
                LocalTime lt = LocalTime.ofNanoOfDay(currentLong(p, t));
                return OffsetTime.of(lt, ZoneOffset.ofTotalSeconds(currentInt(p, p.nextToken())));
            }
            case BYTES:
                return currentBinary(p, t);
            case UUID:
                return new UUID(currentLong(p, t), currentLong(p, p.nextToken()));
            default:
                throw new CorruptEntryException("unknown kind");
        }
    }

    private static void expect(JsonParser p, JsonToken expected) throws IOException {
        if (p.nextToken() != expected) {
            throw new CorruptEntryException("expected " + expected);
        }
    }

    private static String str(JsonParser p) throws IOException {
        JsonToken t = p.nextToken();
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        if (t != JsonToken.VALUE_STRING) {
            throw new CorruptEntryException("expected a string");
        }
        return p.getText();
    }

    private static int integer(JsonParser p) throws IOException {
        return currentInt(p, p.nextToken());
    }

    private static int count(JsonParser p, int entryLength) throws IOException {
        int n = integer(p);
        if (n < 0 || n > entryLength) {
            throw new CorruptEntryException("bad count");
        }
        return n;
    }

    private static int currentInt(JsonParser p, JsonToken t) throws IOException {
        if (t != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT) {
            throw new CorruptEntryException("expected an int");
        }
        return p.getIntValue();
    }

    private static long currentLong(JsonParser p, JsonToken t) throws IOException {
        if (t != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            throw new CorruptEntryException("expected a long");
        }
        return p.getLongValue();
    }

    private static byte[] currentBinary(JsonParser p, JsonToken t) throws IOException {
        if (t != JsonToken.VALUE_EMBEDDED_OBJECT) {
            throw new CorruptEntryException("expected binary");
        }
        return p.getBinaryValue();
    }

    private static boolean bit(int flags, int bit) {
        return (flags & (1 << bit)) != 0;
    }
}
