package dev.sqlcache.internal.codec;

/** Why {@link ResultCapture#captureRow} gave up on a result. */
public enum CaptureFailure {
    /** The result exceeded the row or byte limit. */
    TOO_LARGE,
    /** A value's runtime class did not match what the codec can round-trip exactly. */
    UNSUPPORTED_TYPE
}
