package dev.sqlcache.internal.engine;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The write sequence's two formats, read strictly: only values of one epoch are ordered. */
class SnapshotPointTest {

    private static final String T = "1765065600000"; // a history's first server ms, 13 digits

    @Test
    void numbersOfOneEpochAreOrderedByTheirSteps() {
        assertTrue(SnapshotPoint.notAfter(T + "000041", T + "000042"));
        assertTrue(SnapshotPoint.notAfter(T + "000042", T + "000042"));
        assertFalse(SnapshotPoint.notAfter(T + "000043", T + "000042"));
        assertTrue(SnapshotPoint.notAfter(T + "000000", T + "999999"));
    }

    @Test
    void numbersOfTwoEpochsAreNeverOrdered() {
        // Another history (a later start), or the same one past 999999 steps, which carried into T.
        assertFalse(SnapshotPoint.notAfter("1765065600001000000", T + "000001"));
        assertFalse(SnapshotPoint.notAfter(T + "000001", "1765065600001000000"));
    }

    @Test
    void anythingOddIsNeverOrdered() {
        assertFalse(SnapshotPoint.notAfter("176506560000000001", "176506560000000002"), "18 digits");
        assertFalse(SnapshotPoint.notAfter("0765065600000000001", "0765065600000000002"), "a leading 0");
        assertFalse(SnapshotPoint.notAfter(T + "00004x", T + "000042"));
        assertFalse(SnapshotPoint.notAfter(T + "000041", "abc:" + T + "000042"));
        assertFalse(SnapshotPoint.notAfter("abc:1", T + "000042"), "two formats: two epochs");
        assertFalse(SnapshotPoint.notAfter(null, T + "000042"));
    }

    @Test
    void theOlderFormatStillOrdersWithinItsEpoch() {
        assertTrue(SnapshotPoint.notAfter("abc:9", "abc:10"));
        assertFalse(SnapshotPoint.notAfter("abc:11", "abc:10"));
        assertFalse(SnapshotPoint.notAfter("abd:9", "abc:10"));
    }
}
