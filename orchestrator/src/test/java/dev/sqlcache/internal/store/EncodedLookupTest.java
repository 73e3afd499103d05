package dev.sqlcache.internal.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * A lookup holding its tokens as the bytes Redis sent answers what a hit asks of them (missing? a lease?) without
 * decoding them, and exactly as the decoded texts would.
 */
class EncodedLookupTest {

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void answersAsTheDecodedTokensWould() {
        String lease = VersionTokens.freshLease(500);
        String plain = VersionTokens.fresh();
        String[] texts = {plain, null, lease, "lease", "léase:x", "lease:"};
        byte[][] encoded = new byte[texts.length][];
        for (int i = 0; i < texts.length; i++) {
            encoded[i] = texts[i] == null ? null : utf8(texts[i]);
        }
        CacheStore.Lookup lookup = CacheStore.Lookup.ofEncoded(null, encoded, 0, CacheStore.UNKNOWN_TTL,
                CacheStore.UNKNOWN_TTL);
        assertEquals(texts.length, lookup.tokenCount());
        for (int i = 0; i < texts.length; i++) {
            assertEquals(texts[i] == null, lookup.missing(i), "missing " + i);
            assertEquals(CacheStore.isLease(texts[i]), lookup.isLease(i), "lease " + i + ": " + texts[i]);
        }
        assertTrue(lookup.isLease(2));
        assertFalse(lookup.isLease(0));
        assertArrayEquals(texts, lookup.versions());
        assertSame(lookup.versions(), lookup.versions(), "decoded once");
        assertSame(encoded, lookup.encodedVersions());
    }

    @Test
    void aLookupGivenAsTextAnswersFromTheText() {
        String[] texts = {VersionTokens.fresh(), null, VersionTokens.freshLease()};
        CacheStore.Lookup lookup = new CacheStore.Lookup(null, texts);
        assertNull(lookup.encodedVersions());
        assertFalse(lookup.missing(0));
        assertTrue(lookup.missing(1));
        assertTrue(lookup.isLease(2));
        assertSame(texts, lookup.versions());
    }
}
