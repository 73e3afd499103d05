package dev.sqlcache.internal.codec;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.dataformat.smile.SmileConstants;
import com.fasterxml.jackson.dataformat.smile.SmileFactory;
import com.fasterxml.jackson.dataformat.smile.SmileGenerator;
import com.fasterxml.jackson.dataformat.smile.SmileParser;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import dev.sqlcache.stats.EntryRejection;

import java.util.zip.CRC32C;

/**
 * The cache entry format.
 *
 * <pre>
 * byte 0       format version ({@value #FORMAT_VERSION}); 1 and 2 are older formats (a miss), anything else corrupt
 * byte 1       flags: bit 0 set when the entry is signed
 * [32 bytes    HMAC-SHA256 over bytes 0..1 and everything after the MAC, when signed (see {@link EntrySigner})]
 * 4 bytes      CRC32C (big-endian) of everything after it
 * 16 bytes     the binding: what the entry answers, a digest of its full key and of the database identity
 *              ({@link EntryBinding})
 * the rest     one Smile document:
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
 * of a different valid value; a reader with a signing key checks the MAC instead, which covers the same bytes. The conversions are {@link Conversions}' bits: what the real driver was seen to
 * answer for the column.
 *
 * <p>Anything read back from Redis is hostile input: whoever can write there can put any bytes under any key.
 * The binding makes a genuine entry copied under another key (another query, table, database, environment or key
 * prefix) a miss; the MAC, when a signing key is configured, makes a forged one a miss; and the decoder never
 * allocates more than the entry's own length justifies (counts are checked against the bytes left). Every
 * rejection says its {@link EntryRejection cause}.
 *
 * <p>Version 2 added the text getter bits ({@link Conversions#N_STRING} and the like); version 3 the flags, the
 * MAC and the binding. Older entries are misses (not counted as rejections: an upgrade leaves them behind) and are
 * captured again.
 */
public final class ResultCodec {
    public static final int FORMAT_VERSION = 3;
    /** Flag bit: the entry carries a MAC. */
    static final int SIGNED = 1;
    private static final String MAGIC = "sqlcache-result";
    /** Version and flags. */
    private static final int HEAD = 2;
    private static final int CRC = 4;
    /**
     * The binding that unit tests and tools use when an entry's key does not matter; no real key's digest is all
     * zeros (short of a SHA-256 preimage).
     */
    public static final byte[] UNBOUND = new byte[EntryBinding.LENGTH];
    /**
     * Buffers are recycled through a shared pool, not Jackson's default per-thread one: a thread-local on an
     * application server's request threads would hold an undeployed application's class loader forever.
     */
    private static final EntryParser.Factory SMILE = new EntryParser.Factory(SmileFactory.builder()
            // An entry holds no objects: no field name is ever read, so no symbol table is needed per parser.
            .disable(com.fasterxml.jackson.core.JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
            // Bounded: an array queue takes and gives back a recycler without allocating, where a deque makes a node
            // per parser. Past its capacity a recycler is dropped, not kept.
            .recyclerPool(com.fasterxml.jackson.core.util.JsonRecyclerPools.newBoundedPool(64))
            .disable(SmileGenerator.Feature.ENCODE_BINARY_AS_7BIT)
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxStringLength(Integer.MAX_VALUE)
                    .maxNumberLength(Integer.MAX_VALUE)
                    .build()));

    /** The Smile header this codec's generator writes (its flags: no shared string values). */
    private static final byte[] HEADER = header();

    private ResultCodec() {
    }

    private static byte[] header() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = SMILE.createGenerator(out)) {
            g.writeNull();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return java.util.Arrays.copyOf(out.toByteArray(), 4);
    }

    /** An unsigned entry under {@link #UNBOUND}: for tests and tools, never for what the engine stores. */
    public static byte[] encode(String[] versionTokens, CachedResult result) {
        return encode(UNBOUND, versionTokens, result, null);
    }

    /**
     * Encodes a result for the key whose {@link EntryBinding binding} is given, signed with the first key of
     * {@code signer} when there is one.
     */
    public static byte[] encode(byte[] binding, String[] versionTokens, CachedResult result, EntrySigner signer) {
        if (binding.length != EntryBinding.LENGTH) {
            throw new IllegalArgumentException("a binding is " + EntryBinding.LENGTH + " bytes");
        }
        int head = signer == null ? HEAD : HEAD + EntrySigner.MAC_LENGTH;
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        out.write(FORMAT_VERSION);
        out.write(signer == null ? 0 : SIGNED);
        out.write(new byte[head - HEAD + CRC], 0, head - HEAD + CRC);
        out.write(binding, 0, binding.length);
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
        int crc = crc(bytes, head);
        bytes[head] = (byte) (crc >>> 24);
        bytes[head + 1] = (byte) (crc >>> 16);
        bytes[head + 2] = (byte) (crc >>> 8);
        bytes[head + 3] = (byte) crc;
        if (signer != null) {
            signer.sign(bytes);
        }
        return bytes;
    }

    /**
     * Frames any document as an entry of the current format, with a valid checksum, binding and MAC: for tests
     * that forge entries whose frame is right and whose content lies, as an attacker with Redis write access can.
     */
    public static byte[] frame(byte[] binding, byte[] document, EntrySigner signer) {
        int head = signer == null ? HEAD : HEAD + EntrySigner.MAC_LENGTH;
        byte[] bytes = new byte[head + CRC + EntryBinding.LENGTH + document.length];
        bytes[0] = FORMAT_VERSION;
        bytes[1] = (byte) (signer == null ? 0 : SIGNED);
        System.arraycopy(binding, 0, bytes, head + CRC, EntryBinding.LENGTH);
        System.arraycopy(document, 0, bytes, head + CRC + EntryBinding.LENGTH, document.length);
        int crc = crc(bytes, head);
        bytes[head] = (byte) (crc >>> 24);
        bytes[head + 1] = (byte) (crc >>> 16);
        bytes[head + 2] = (byte) (crc >>> 8);
        bytes[head + 3] = (byte) crc;
        if (signer != null) {
            signer.sign(bytes);
        }
        return bytes;
    }

    /** The Smile document of an entry (no check at all): for tests that forge entries from genuine ones. */
    public static byte[] document(byte[] entry) {
        int head = (entry[1] & SIGNED) != 0 ? HEAD + EntrySigner.MAC_LENGTH : HEAD;
        return java.util.Arrays.copyOfRange(entry, head + CRC + EntryBinding.LENGTH, entry.length);
    }

    /** The version tokens at the head of an {@link #UNBOUND} entry, without decoding the rows. */
    public static String[] readTokens(byte[] entry) {
        return readTokens(entry, UNBOUND, null);
    }

    /** The version tokens at the head of an entry, checked like {@link #decode}, without decoding the rows. */
    public static String[] readTokens(byte[] entry, byte[] binding, EntrySigner signer) {
        int body = checkFrame(entry, binding, signer);
        try (EntryParser p = parser(entry, body)) {
            return readHead(p);
        } catch (IOException | RuntimeException e) {
            throw corrupt(e);
        }
    }

    /** Decodes an {@link #UNBOUND} entry: for tests and tools. */
    public static CachedResult decode(byte[] entry) {
        return decode(entry, UNBOUND, null);
    }

    /**
     * Decodes an entry read under the key whose binding is given.
     *
     * @param signer when not null, an entry without a MAC made by one of its keys is rejected before anything
     *               else is read
     * @throws CorruptEntryException when the entry is not a genuine one for that key, naming the cause
     */
    public static CachedResult decode(byte[] entry, byte[] binding, EntrySigner signer) {
        int body = checkFrame(entry, binding, signer);
        try (EntryParser p = parser(entry, body)) {
            readHead(p);
            return decodeBody(p, entry, body, null);
        } catch (IOException | RuntimeException e) {
            throw corrupt(e);
        }
    }

    /**
     * The entry's result if it was computed under exactly these version tokens, else {@code null}; checks the
     * frame like {@link #decode(byte[], byte[], EntrySigner)} and reads the entry once.
     */
    public static CachedResult decodeIfCurrent(byte[] entry, byte[] binding, String[] tokens, EntrySigner signer) {
        return decodeIfCurrent(entry, binding, tokens, signer, -1, null);
    }

    /**
     * {@link #decodeIfCurrent(byte[], byte[], String[], EntrySigner)}, but the token at {@code ignoredIndex} (none if
     * negative) need not be current: it has to pass {@code recordedCheck} instead (anything passes when that is
     * null).
     */
    public static CachedResult decodeIfCurrent(byte[] entry, byte[] binding, String[] tokens, EntrySigner signer,
                                               int ignoredIndex, java.util.function.Predicate<String> recordedCheck) {
        return decodeIfCurrent(entry, binding, tokens, signer, ignoredIndex, recordedCheck, null);
    }

    /**
     * {@link #decodeIfCurrent(byte[], byte[], String[], EntrySigner, int, java.util.function.Predicate)}, taking the
     * columns from {@code memo} when the entry's column section is byte for byte the one the memo was decoded from
     * (and remembering them there otherwise).
     *
     * @param memo the columns last decoded for the statement read, or null
     */
    public static CachedResult decodeIfCurrent(byte[] entry, byte[] binding, String[] tokens, EntrySigner signer,
                                               int ignoredIndex, java.util.function.Predicate<String> recordedCheck,
                                               ColumnsMemo memo) {
        int body = checkFrame(entry, binding, signer);
        try (EntryParser p = parser(entry, body)) {
            if (!ownHeader(entry, body)) {
                // Another header may let strings refer back to earlier ones: only Jackson can read those.
                String[] recorded = readHead(p);
                if (!sameTokens(recorded, tokens, ignoredIndex)
                        || (recordedCheck != null && !recordedCheck.test(recorded[ignoredIndex]))) {
                    return null;
                }
            } else if (!headIsCurrent(p, entry, tokens, null, ignoredIndex, recordedCheck)) {
                return null;
            }
            return decodeBody(p, entry, body, memo);
        } catch (IOException | RuntimeException e) {
            throw corrupt(e);
        }
    }

    /**
     * {@link #decodeIfCurrent(byte[], byte[], String[], EntrySigner, int, java.util.function.Predicate, ColumnsMemo)}
     * with no check of the token at {@code ignoredIndex} (an ordinary read's), for tokens as a store read them: UTF-8
     * bytes, {@code null} where missing. They are compared with the entry's recorded tokens byte for byte, none
     * decoded: two equal byte strings are equal texts, so no entry passes here that the text comparison refuses.
     */
    public static CachedResult decodeIfCurrent(byte[] entry, byte[] binding, byte[][] encodedTokens,
                                               EntrySigner signer, int ignoredIndex, ColumnsMemo memo) {
        int body = checkFrame(entry, binding, signer);
        try (EntryParser p = parser(entry, body)) {
            if (!ownHeader(entry, body)) {
                // Another header may let strings refer back to earlier ones: only Jackson can read those.
                if (!sameTokens(readHead(p), decoded(encodedTokens), ignoredIndex)) {
                    return null;
                }
            } else if (!headIsCurrent(p, entry, null, encodedTokens, ignoredIndex, null)) {
                return null;
            }
            return decodeBody(p, entry, body, memo);
        } catch (IOException | RuntimeException e) {
            throw corrupt(e);
        }
    }

    private static String[] decoded(byte[][] encoded) {
        String[] text = new String[encoded.length];
        for (int i = 0; i < text.length; i++) {
            text[i] = encoded[i] == null ? null : new String(encoded[i], StandardCharsets.UTF_8);
        }
        return text;
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

    private static CachedResult decodeBody(EntryParser p, byte[] entry, int body, ColumnsMemo memo)
            throws IOException {
        int n = count(p, entry.length, COLUMN_BYTES);
        // Only a document with this codec's own header: one whose header allows shared string values could make
        // the same column bytes mean other strings, by referring back to strings before them.
        boolean memoised = memo != null && ownHeader(entry, body);
        int at = memoised ? offset(p) : 0;
        ResultColumns shape = null;
        if (memoised) {
            ColumnsMemo.Known known = memo.get();
            if (known != null && known.count() == n && known.matches(entry, at)) {
                // The bytes are the memo's, which parsed as these columns from the same state: stepped over, not
                // tokenized again.
                p.skipTo(at + known.bytes().length);
                shape = known.columns();
            }
        }
        if (shape == null) {
            shape = readColumns(p, n);
            if (memoised) {
                memo.set(new ColumnsMemo.Known(n, java.util.Arrays.copyOfRange(entry, at, offset(p)), shape));
            }
        }
        ValueKind[] kinds = shape.kinds;
        // A row takes its array's two markers and a value (a token or more) per column.
        int rowCount = count(p, entry.length, n + 2);
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
        return new CachedResult(shape, rows, overrides);
    }

    /**
     * The fewest bytes a column takes in an entry: its array's two markers and the 15 values of
     * {@link #writeColumn}, a byte each at the least (every Smile token is one byte or more).
     */
    private static final int COLUMN_BYTES = 17;

    private static ResultColumns readColumns(EntryParser p, int n) throws IOException {
        ColumnMetadata[] columns = new ColumnMetadata[n];
        ValueKind[] kinds = new ValueKind[n];
        int[] styles = new int[n];
        int[] conversions = new int[n];
        for (int c = 0; c < n; c++) {
            expect(p, JsonToken.START_ARRAY);
            // In the order written (see writeColumn): Java evaluates arguments left to right.
            String catalog = str(p);
            String schema = str(p);
            String table = str(p);
            String name = str(p);
            String label = str(p);
            int type = integer(p);
            String typeName = str(p);
            String className = str(p);
            int precision = integer(p);
            int scale = integer(p);
            int displaySize = integer(p);
            int nullable = integer(p);
            int flags = integer(p);
            columns[c] = new ColumnMetadata(catalog, schema, table, name, label, type, typeName, className,
                    precision, scale, displaySize, nullable, bit(flags, 0), bit(flags, 1), bit(flags, 2),
                    bit(flags, 3), bit(flags, 4), bit(flags, 5), bit(flags, 6), bit(flags, 7));
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
        return new ResultColumns(columns, kinds, styles, conversions);
    }

    /** Where the parser stands in the entry: the index of the byte after its last token. */
    private static int offset(JsonParser p) {
        return (int) p.currentLocation().getByteOffset();
    }

    /**
     * Whether the entry's Smile document starts with the header this codec writes, its outer array right after it.
     * The array's marker is checked too: Jackson reads another header at the root (before the first value) and takes
     * its flags, so a document could turn shared string values on after the first four bytes, under which Jackson
     * decodes short strings as it meets them and lets strings refer back to earlier ones.
     */
    private static boolean ownHeader(byte[] entry, int body) {
        return entry.length - body > HEADER.length
                && java.util.Arrays.equals(entry, body, body + HEADER.length, HEADER, 0, HEADER.length)
                && entry[body + HEADER.length] == (byte) SmileConstants.TOKEN_LITERAL_START_ARRAY;
    }

    private static CorruptEntryException corrupt(Exception e) {
        return e instanceof CorruptEntryException c ? c
                : new CorruptEntryException(EntryRejection.CORRUPT, "corrupt cache entry", e);
    }

    /**
     * Checks everything about an entry that does not need parsing, cheapest refusal first but the MAC before
     * anything is interpreted, and returns where its Smile document starts.
     */
    private static int checkFrame(byte[] entry, byte[] binding, EntrySigner signer) {
        if (entry == null || entry.length < HEAD) {
            throw new CorruptEntryException(EntryRejection.CORRUPT, "entry too short");
        }
        int version = entry[0] & 0xff;
        if (version == 1 || version == 2) {
            throw new CorruptEntryException(null, "entry of the former format " + version);
        }
        if (version != FORMAT_VERSION || (entry[1] & ~SIGNED) != 0) {
            throw new CorruptEntryException(EntryRejection.CORRUPT, "unknown format " + version + "/" + entry[1]);
        }
        boolean signed = (entry[1] & SIGNED) != 0;
        int head = signed ? HEAD + EntrySigner.MAC_LENGTH : HEAD;
        if (signer != null) {
            if (!signed) {
                throw new CorruptEntryException(EntryRejection.BAD_MAC, "entry not signed");
            }
            if (entry.length < head || !signer.verify(entry)) {
                throw new CorruptEntryException(EntryRejection.BAD_MAC, "entry not signed by a configured key");
            }
        }
        int body = head + CRC + EntryBinding.LENGTH;
        if (entry.length < body + 4) {
            throw new CorruptEntryException(EntryRejection.CORRUPT, "entry too short");
        }
        int stored = ((entry[head] & 0xff) << 24) | ((entry[head + 1] & 0xff) << 16)
                | ((entry[head + 2] & 0xff) << 8) | (entry[head + 3] & 0xff);
        // A MAC checked above covers every byte the checksum does: the checksum is for unsigned entries.
        if (signer == null && stored != crc(entry, head)) {
            throw new CorruptEntryException(EntryRejection.CORRUPT, "checksum mismatch");
        }
        // Constant time is not needed here (the binding is no secret), but it is what compares byte ranges.
        if (!java.util.Arrays.equals(entry, head + CRC, body, binding, 0, binding.length)) {
            throw new CorruptEntryException(EntryRejection.FOREIGN_KEY, "entry of another key");
        }
        return body;
    }

    private static int crc(byte[] bytes, int head) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, head + CRC, bytes.length - head - CRC);
        return (int) crc.getValue();
    }

    private static EntryParser parser(byte[] entry, int body) throws IOException {
        return SMILE.parser(entry, body, entry.length - body);
    }

    private static String[] readHead(EntryParser p) throws IOException {
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

    /**
     * {@link #readHead} then {@link #sameTokens} and {@code recordedCheck}, with the same answer and the same
     * refusals, but comparing each recorded token with the current one in the entry's own bytes: a hit makes no
     * {@code String} per token (seven for a primary-key lookup) nor a list of them. Only for a document with this
     * codec's own header ({@link #ownHeader}), where a string value is never a reference to an earlier one and Jackson
     * leaves it unread until asked ({@link #asciiAt}). Every token is still parsed through to the end of the list,
     * so that a malformed one is refused whether or not an earlier one differed.
     *
     * @param current the current tokens as text, or null when given as {@code encoded} (UTF-8) instead
     */
    private static boolean headIsCurrent(EntryParser p, byte[] entry, String[] current, byte[][] encoded,
                                         int ignoredIndex, java.util.function.Predicate<String> recordedCheck)
            throws IOException {
        expect(p, JsonToken.START_ARRAY);
        if (p.nextToken() != JsonToken.VALUE_STRING || !p.textIs(MAGIC)) {
            throw new CorruptEntryException("not a sqlcache entry");
        }
        expect(p, JsonToken.START_ARRAY);
        int length = current != null ? current.length : encoded.length;
        boolean same = true;
        String ignored = null;
        int count = 0;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t != JsonToken.VALUE_STRING) {
                throw new CorruptEntryException("bad version token");
            }
            if (count == ignoredIndex) {
                if (recordedCheck != null) {
                    ignored = p.getText(); // a snapshot read's check parses it: one string, on those reads only
                } else if (asciiAt(entry, offset(p)) < 0) {
                    p.getText();
                }
            } else if (same && (count >= length || !(current != null
                    ? current[count] != null && p.textIs(current[count])
                    : encoded[count] != null && p.bytesAre(encoded[count])))) {
                same = false;
            } else if (!same && asciiAt(entry, offset(p)) < 0) {
                p.getText(); // decoded as readHead would, so that a malformed one is refused all the same
            }
            count++;
        }
        if (!same || count != length) {
            return false;
        }
        if (recordedCheck != null) {
            if (ignoredIndex < 0 || ignoredIndex >= count) {
                throw new CorruptEntryException("no token at " + ignoredIndex);
            }
            return recordedCheck.test(ignored);
        }
        return true;
    }

    /**
     * The length of the ASCII string whose bytes start at {@code at}, the parser having just read its Smile type
     * byte (at {@code at - 1}) and nothing else; -1 for any other kind of string (Unicode, long), which is read
     * by Jackson instead. Smile: {@code 0x20} the empty string, {@code 0x40..0x5F} ASCII of 1 to 32 bytes,
     * {@code 0x60..0x7F} ASCII of 33 to 64 bytes, the bytes following. Without shared string values Jackson reads
     * no further than the type byte when the token is found, and skips its bytes itself on the next token; a
     * length past the end is left to Jackson to refuse.
     */
    private static int asciiAt(byte[] entry, int at) {
        if (at < 1 || at > entry.length) {
            return -1;
        }
        int type = entry[at - 1] & 0xff;
        int length = type == 0x20 ? 0 : type >= 0x40 && type <= 0x5f ? (type & 0x1f) + 1
                : type >= 0x60 && type <= 0x7f ? (type & 0x1f) + 33 : -1;
        return length >= 0 && length <= entry.length - at ? length : -1;
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

    private static Object readValue(EntryParser p, ValueKind kind) throws IOException {
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
                return p.text();
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

    private static String str(EntryParser p) throws IOException {
        JsonToken t = p.nextToken();
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        if (t != JsonToken.VALUE_STRING) {
            throw new CorruptEntryException("expected a string");
        }
        return p.text();
    }

    private static int integer(JsonParser p) throws IOException {
        return currentInt(p, p.nextToken());
    }

    /**
     * The count of the items that follow, each at least {@code minBytes} bytes long. The arrays sized by a count
     * are allocated before a single item is read, so a count the entry cannot hold is refused first: otherwise a
     * forged entry declaring as many rows as it has bytes made the decoder allocate two references per declared
     * row, about 8 times the entry, and one declaring as many columns four arrays of them, about 16 times.
     * Bounded by the whole entry's length, not what is left of it: the bound stays within a few times the entry
     * and costs no reading of the parser's position.
     */
    private static int count(JsonParser p, int entryLength, int minBytes) throws IOException {
        int n = integer(p);
        if (n < 0 || (long) n * minBytes > entryLength) {
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
