package dev.sqlcache.internal.engine;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** A statement's lookups are sent expecting an entry only after a streak of them found one; one that found none ends it. */
class EntryPresenceTest {

    @Test
    void aStreakOfFoundEntriesMakesOneLikelyAndAMissingOneEndsIt() {
        EntryPresence presence = new EntryPresence();
        assertFalse(presence.likely(), "a new statement asks whether its entry is there");
        for (int i = 1; i < EntryPresence.STREAK; i++) {
            presence.seen(true);
            assertFalse(presence.likely(), "after " + i);
        }
        presence.seen(true);
        assertTrue(presence.likely());
        for (int i = 0; i < 1000; i++) {
            presence.seen(true);
        }
        assertTrue(presence.likely());
        presence.seen(false);
        assertFalse(presence.likely(), "a missing entry: the next lookups ask again");
        for (int i = 1; i < EntryPresence.STREAK; i++) {
            presence.seen(true);
        }
        assertFalse(presence.likely(), "a whole streak again, not one found entry");
        presence.seen(true);
        assertTrue(presence.likely());
    }

    @Test
    void twoLookupsThatCreatedATokenMakeTheNextExpectOneMissingAndOneThatDidNotEndsIt() {
        EntryPresence presence = new EntryPresence();
        assertFalse(presence.creating(), "a new statement reads first");
        presence.seen(false, true);
        assertFalse(presence.creating(), "one first read among others: the next reads first");
        presence.seen(false, true);
        assertTrue(presence.creating());
        presence.seen(false, true);
        assertTrue(presence.creating());
        presence.seen(true, false);
        assertFalse(presence.creating(), "a lookup that created nothing: the next reads first again");
        assertFalse(presence.likely(), "the entry streak counts as before");
    }
}
