package dev.sqlcache.internal.codec;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.io.ContentReference;
import com.fasterxml.jackson.core.io.IOContext;
import com.fasterxml.jackson.dataformat.smile.SmileConstants;
import com.fasterxml.jackson.dataformat.smile.SmileFactory;
import com.fasterxml.jackson.dataformat.smile.SmileFactoryBuilder;
import com.fasterxml.jackson.dataformat.smile.SmileParser;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Jackson's Smile parser over an entry's bytes, with two shortcuts a hit needs and Jackson does not offer: stepping
 * over bytes the caller already knows decode to complete values (a column section equal to the statement's memo),
 * and reading an ASCII string value straight from the entry into a Latin-1 {@code String} instead of through
 * Jackson's char buffer. Both leave the parser exactly where Jackson's own tokenizing would; anything they are not
 * sure of is left to Jackson.
 */
final class EntryParser extends SmileParser {

    private EntryParser(IOContext context, int parserFeatures, int smileFeatures, Factory factory, byte[] data,
                        int start, int end) {
        super(context, parserFeatures, smileFeatures, null,
                factory.symbols().makeChildOrPlaceholder(factory.factoryFeatures()), null, data, start, end, false);
    }

    /**
     * Moves to {@code to}, past bytes that the caller compared, byte for byte, with bytes this codec parsed before
     * as a run of complete values at the same depth and under the same header flags. Smile carries no state across
     * values but shared names and strings (never in such a run: no objects, and no shared strings under this
     * codec's header) and headers (a run that held one was refused), so the parser ends where tokenizing would.
     */
    void skipTo(int to) {
        if (_tokenIncomplete || to < _inputPtr || to > _inputEnd) {
            throw new CorruptEntryException("cannot skip to " + to);
        }
        _inputPtr = to;
    }

    /**
     * The current string value, as {@link #getText()} answers it. A tiny, short or long ASCII string that Jackson has
     * not read yet (none is read before asked unless shared string values are on) and whose bytes are all below
     * 0x80 is made from the entry's bytes directly, and the parser moved past it as its next token would.
     */
    String text() throws IOException {
        int end = asciiEnd();
        if (end < 0) {
            return getText();
        }
        String s = new String(_inputBuffer, _inputPtr, end - _inputPtr, StandardCharsets.ISO_8859_1);
        stepOver(end);
        return s;
    }

    /**
     * Whether the current string value is {@code expected}, as {@code expected.equals(getText())} answers, but
     * compared in the entry's bytes when {@link #text()} would read them there. When equal, the parser is moved past
     * the string as {@link #text()} does (a long one would otherwise be scanned again for its end marker); when not,
     * it is left as it was and Jackson steps over the string on the next token.
     */
    boolean textIs(String expected) throws IOException {
        int end = asciiEnd();
        if (end < 0) {
            return expected.equals(getText());
        }
        int start = _inputPtr;
        if (end - start != expected.length()) {
            return false;
        }
        byte[] b = _inputBuffer;
        for (int i = 0; i < end - start; i++) {
            if (b[start + i] != expected.charAt(i)) {
                return false;
            }
        }
        stepOver(end);
        return true;
    }

    /**
     * {@link #textIs} for an expected text given as its UTF-8 bytes: whether the current string value's UTF-8 is
     * {@code expected}, compared in the entry's bytes where {@link #textIs} compares there (an ASCII string: its bytes
     * are its UTF-8), else by Jackson's decoding. Moves the parser as {@link #textIs} does.
     */
    boolean bytesAre(byte[] expected) throws IOException {
        int end = asciiEnd();
        if (end < 0) {
            return new String(expected, StandardCharsets.UTF_8).equals(getText());
        }
        int start = _inputPtr;
        if (!java.util.Arrays.equals(_inputBuffer, start, end, expected, 0, expected.length)) {
            return false;
        }
        stepOver(end);
        return true;
    }

    /** Past the string value whose bytes end at {@code end}, and its end marker if it is a long one. */
    private void stepOver(int end) {
        _inputPtr = _typeAsInt == (SmileConstants.TOKEN_MISC_LONG_TEXT_ASCII & 0xFF) ? end + 1 : end;
        _tokenIncomplete = false;
    }

    /**
     * Where the current string value's bytes end, when it is a tiny, short or long ASCII string that Jackson has not
     * read yet (none is read before asked unless shared string values are on), wholly in the input, every byte below
     * 0x80 (where Latin-1 and Jackson's decoding agree); -1 otherwise.
     */
    private int asciiEnd() {
        if (!_tokenIncomplete) {
            return -1;
        }
        int type = _typeAsInt;
        int start = _inputPtr;
        if (type >= 0x40 && type <= 0x7F) {
            int end = start + (type & 0x1F) + (type < 0x60 ? 1 : 33);
            return end <= _inputEnd && ascii(start, end) ? end : -1;
        }
        return type == (SmileConstants.TOKEN_MISC_LONG_TEXT_ASCII & 0xFF) ? asciiUpToMarker(start) : -1;
    }

    /**
     * Where the end-of-string marker after {@code start} is, provided every byte before it is below 0x80; -1 if
     * another byte comes first or there is no marker. One pass: the marker (0xFC) is itself a byte over 0x7F.
     */
    private int asciiUpToMarker(int start) {
        byte[] b = _inputBuffer;
        for (int i = start; i < _inputEnd; i++) {
            if (b[i] < 0) {
                return b[i] == SmileConstants.BYTE_MARKER_END_OF_STRING ? i : -1;
            }
        }
        return -1;
    }

    private boolean ascii(int start, int end) {
        byte[] b = _inputBuffer;
        for (int i = start; i < end; i++) {
            if (b[i] < 0) {
                return false;
            }
        }
        return true;
    }

    /** Jackson's Smile factory, but its parsers over a byte array are {@link EntryParser}s. */
    static final class Factory extends SmileFactory {

        Factory(SmileFactoryBuilder builder) {
            super(builder);
        }

        EntryParser parser(byte[] data, int offset, int length) throws IOException {
            return (EntryParser) createParser(data, offset, length);
        }

        @Override
        protected SmileParser _createParser(byte[] data, int offset, int length, IOContext context)
                throws IOException {
            // What Jackson's SmileParserBootstrapper does for an array: read the header if there is one, require it.
            _streamReadConstraints.validateDocumentLength(length);
            EntryParser p = new EntryParser(context, _parserFeatures, _smileParserFeatures, this, data, offset,
                    offset + length);
            if (length > 0 && data[offset] == SmileConstants.HEADER_BYTE_1 && p.handleSignature(true, true)) {
                return p;
            }
            if (length > 0 && SmileParser.Feature.REQUIRE_HEADER.enabledIn(_smileParserFeatures)) {
                throw new JsonParseException(p, "no Smile header");
            }
            return p;
        }

        /**
         * The one "unknown source" instead of a reference made per parser (a tenth of a point hit's allocation):
         * parse errors' locations never show the entry's bytes anyway, which may hold cached values.
         */
        @Override
        protected ContentReference _createContentReference(Object contentAccessor, int offset, int length) {
            return ContentReference.unknown();
        }

        private com.fasterxml.jackson.core.sym.ByteQuadsCanonicalizer symbols() {
            return _byteSymbolCanonicalizer;
        }

        private int factoryFeatures() {
            return _factoryFeatures;
        }
    }
}
