package dev.sqlcache.internal.codec;

/** The edits the differential tests forge entries with: one byte set, inserted or removed. */
final class ByteMutation {

    private ByteMutation() {
    }

    /**
     * A copy of {@code document} with {@code value} set at {@code at} ({@code how} 0), inserted before it (1) or
     * the byte at {@code at} removed (2, {@code value} unused).
     */
    static byte[] apply(byte[] document, int at, byte value, int how) {
        return switch (how) {
            case 0 -> {
                byte[] copy = document.clone();
                copy[at] = value;
                yield copy;
            }
            case 1 -> {
                byte[] copy = new byte[document.length + 1];
                System.arraycopy(document, 0, copy, 0, at);
                copy[at] = value;
                System.arraycopy(document, at, copy, at + 1, document.length - at);
                yield copy;
            }
            default -> {
                byte[] copy = new byte[document.length - 1];
                System.arraycopy(document, 0, copy, 0, at);
                System.arraycopy(document, at + 1, copy, at, document.length - at - 1);
                yield copy;
            }
        };
    }
}
