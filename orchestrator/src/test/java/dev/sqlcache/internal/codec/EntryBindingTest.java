package dev.sqlcache.internal.codec;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * A thread remembers the last binding it made: whatever order keys and identities come in, each call answers the
 * digest of its own key and identity, never the one remembered for another.
 */
class EntryBindingTest {

    private static final String KEY = "sql:customers:data:" + "a".repeat(32);
    private static final String OTHER_KEY = "sql:customers:data:" + "a".repeat(31) + "b";
    private static final String DATABASE = "sql:_database:version:0123456789abcdef0123456789abcdef";
    private static final String OTHER_DATABASE = "sql:_database:version:0123456789abcdef0123456789abcdee";

    /** The definition, computed here from scratch. */
    private static byte[] reference(String key, String database) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        md.update("sqlcache-entry-binding\0".getBytes(StandardCharsets.US_ASCII));
        md.update(key.getBytes(StandardCharsets.UTF_8));
        md.update((byte) 0);
        md.update(database.getBytes(StandardCharsets.UTF_8));
        return Arrays.copyOf(md.digest(), EntryBinding.LENGTH);
    }

    @Test
    void eachCallAnswersItsOwnKeyAndIdentityWhateverWasRemembered() throws Exception {
        String[][] calls = {
                {KEY, DATABASE}, {KEY, DATABASE}, {OTHER_KEY, DATABASE}, {KEY, DATABASE}, {KEY, OTHER_DATABASE},
                {KEY, DATABASE}, {new String(KEY.toCharArray()), DATABASE}, {OTHER_KEY, OTHER_DATABASE},
        };
        for (String[] call : calls) {
            assertArrayEquals(reference(call[0], call[1]), EntryBinding.of(call[0], call[1]),
                    call[0] + " under " + call[1]);
        }
        assertFalse(Arrays.equals(EntryBinding.of(KEY, DATABASE), EntryBinding.of(OTHER_KEY, DATABASE)));
    }

    @Test
    void anotherThreadRemembersItsOwn() throws Exception {
        byte[] here = EntryBinding.of(KEY, DATABASE);
        byte[][] there = new byte[1][];
        Thread other = new Thread(() -> there[0] = EntryBinding.of(OTHER_KEY, DATABASE));
        other.start();
        other.join();
        assertArrayEquals(reference(OTHER_KEY, DATABASE), there[0]);
        assertArrayEquals(reference(KEY, DATABASE), EntryBinding.of(KEY, DATABASE));
        assertEquals(EntryBinding.LENGTH, here.length);
    }
}
