package dev.sqlcache.internal.codec;

import com.fasterxml.jackson.core.JsonParseException;
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
        if (_tokenIncomplete) {
            int type = _typeAsInt;
            int start = _inputPtr;
            int end;
            int next;
            if (type >= 0x40 && type <= 0x7F) {
                end = start + (type & 0x1F) + (type < 0x60 ? 1 : 33);
                next = end;
            } else if (type == (SmileConstants.TOKEN_MISC_LONG_TEXT_ASCII & 0xFF)) {
                end = endMarker(start);
                next = end + 1;
            } else {
                end = -1;
                next = -1;
            }
            if (end >= 0 && end <= _inputEnd && ascii(start, end)) {
                String s = new String(_inputBuffer, start, end - start, StandardCharsets.ISO_8859_1);
                _inputPtr = next;
                _tokenIncomplete = false;
                return s;
            }
        }
        return getText();
    }

    /** Where the end-of-string marker after {@code start} is, -1 if none before the end. */
    private int endMarker(int start) {
        byte[] b = _inputBuffer;
        for (int i = start; i < _inputEnd; i++) {
            if (b[i] == SmileConstants.BYTE_MARKER_END_OF_STRING) {
                return i;
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

        private com.fasterxml.jackson.core.sym.ByteQuadsCanonicalizer symbols() {
            return _byteSymbolCanonicalizer;
        }

        private int factoryFeatures() {
            return _factoryFeatures;
        }
    }
}
