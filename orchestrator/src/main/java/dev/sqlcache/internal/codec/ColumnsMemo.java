package dev.sqlcache.internal.codec;

import java.util.Arrays;

/**
 * The columns last decoded for one statement, with the bytes they were decoded from. Every hit of a statement
 * reads entries whose column section is, byte for byte, the same: such an entry's columns are this memo's, and
 * decoding them again (seven strings and a record per column) is skipped. Only the equality of bytes is trusted,
 * never the memo's age or origin: the bytes are compared after the entry passed every check, and they decode to
 * the same columns whatever came before them, since entries whose Smile header allows back-references to earlier
 * strings are never memoised nor matched ({@link ResultCodec}).
 *
 * <p>Thread-safe: one immutable snapshot, replaced whole.
 */
public final class ColumnsMemo {

    private volatile Known known;

    /** A column count, the bytes of the column section that follows it, and what they decode to. */
    record Known(int count, byte[] bytes, ResultColumns columns) {
        /** Whether {@code entry} holds exactly {@link #bytes} at {@code at}. */
        boolean matches(byte[] entry, int at) {
            return entry.length - at >= bytes.length
                    && Arrays.equals(entry, at, at + bytes.length, bytes, 0, bytes.length);
        }
    }

    Known get() {
        return known;
    }

    void set(Known known) {
        this.known = known;
    }
}
