package dev.sqlcache.internal.codec;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A hit compares the tokens an entry records with the current ones in the entry's own bytes, without making them
 * strings ({@code ResultCodec.headIsCurrent}). Its answer must be, for every pair of token lists, the one that
 * decoding the tokens to strings and comparing them gives ({@link ResultCodec#readTokens} then
 * {@link ResultCodec#sameTokens}): a token that differs in one character, in length, in a byte that is not
 * ASCII, or that is absent, makes the entry stale, whatever kind of Smile string carries it.
 */
class TokensInPlaceTest {

    private static final byte[] BINDING = EntryBinding.of("sql:t:data:x", "sql:_database:version:d");
    private static final EntrySigner SIGNER =
            new EntrySigner(List.of("tokens-in-place-key-0123456789".getBytes(StandardCharsets.UTF_8)));
    private static final CachedResult EMPTY = emptyResult();

    private static CachedResult emptyResult() {
        // No column, no row: the tokens are what this test is about.
        return new CachedResult(new ResultColumns(new ColumnMetadata[0], new ValueKind[0], new int[0], new int[0]),
                new Object[0][], new String[0][]);
    }

    @Test
    void inPlaceComparisonAgreesWithStringComparisonForEveryKindOfToken() {
        Random random = new Random(20261207);
        int current = 0;
        int stale = 0;
        for (int round = 0; round < 4000; round++) {
            String[] recorded = tokens(random, 1 + random.nextInt(9));
            String[] asked = random.nextInt(3) == 0 ? recorded.clone() : variant(random, recorded);
            int ignored = random.nextInt(4) == 0 ? -1 : random.nextInt(recorded.length + 1);
            EntrySigner signer = random.nextBoolean() ? SIGNER : null;
            byte[] entry = ResultCodec.encode(BINDING, recorded, EMPTY, signer);
            Predicate<String> check = random.nextInt(3) == 0 ? t -> t.length() % 2 == 0 : null;

            boolean same = ResultCodec.sameTokens(ResultCodec.readTokens(entry, BINDING, signer), asked, ignored);
            CachedResult read;
            if (same && check != null && (ignored < 0 || ignored >= recorded.length)) {
                // Comparing strings refused a check of a token the entry does not hold as corrupt: so must this.
                assertThrows(CorruptEntryException.class,
                        () -> ResultCodec.decodeIfCurrent(entry, BINDING, asked, signer, ignored, check));
                continue;
            }
            boolean expected = same && (check == null || check.test(recorded[ignored]));
            read = ResultCodec.decodeIfCurrent(entry, BINDING, asked, signer, ignored, check);
            assertEquals(expected, read != null, () -> "recorded " + List.of(recorded) + ", asked "
                    + java.util.Arrays.toString(asked) + ", ignoring " + ignored);
            if (expected) {
                current++;
            } else {
                stale++;
            }
        }
        // Both answers were exercised many times, not one of them only.
        assertTrue(current > 500 && stale > 500, current + " current, " + stale + " stale");
    }

    @Test
    void aTokenDifferingOnlyInItsLastCharacterOrLengthIsStale() {
        String token = "0123456789abcdef0123456789abcdef";
        byte[] entry = ResultCodec.encode(BINDING, new String[] {"fence", token}, EMPTY, SIGNER);
        assertNotNull(ResultCodec.decodeIfCurrent(entry, BINDING, new String[] {"fence", token}, SIGNER));
        assertNull(ResultCodec.decodeIfCurrent(entry, BINDING,
                new String[] {"fence", token.substring(0, 31) + "0"}, SIGNER));
        assertNull(ResultCodec.decodeIfCurrent(entry, BINDING, new String[] {"fence", token + "0"}, SIGNER));
        assertNull(ResultCodec.decodeIfCurrent(entry, BINDING, new String[] {"fence", token.substring(1)}, SIGNER));
        assertNull(ResultCodec.decodeIfCurrent(entry, BINDING, new String[] {"fence", null}, SIGNER));
        assertNull(ResultCodec.decodeIfCurrent(entry, BINDING, new String[] {"fence"}, SIGNER));
        assertNull(ResultCodec.decodeIfCurrent(entry, BINDING, new String[] {"fence", token, token}, SIGNER));
    }

    @Test
    void aByteOverSevenBitsInAnAsciiStringNeverEqualsACharacter() {
        // Forged: a tiny-ASCII string (type 0x40, one byte) holding 0xE9. Jackson reads it as a char of its own;
        // in place it must equal neither 'é' nor anything else, so the entry is stale, never current by accident.
        byte[] genuine = ResultCodec.encode(BINDING, new String[] {"x"}, EMPTY, null);
        byte[] document = ResultCodec.document(genuine);
        int at = indexOf(document, new byte[] {0x40, 'x'});
        document[at + 1] = (byte) 0xE9;
        byte[] forged = ResultCodec.frame(BINDING, document, null);
        assertNull(ResultCodec.decodeIfCurrent(forged, BINDING, new String[] {"é"}, null));
        assertNull(ResultCodec.decodeIfCurrent(forged, BINDING, new String[] {"x"}, null));
    }

    @Test
    void aMalformedTokenAfterAStaleOneIsStillRefused() {
        // The second token is a two-byte Unicode string (type 0x80) whose bytes are no UTF-8: refused as corrupt,
        // as decoding every token to a string refuses it, even though the first token already differs (skipping
        // it unread would make the entry merely stale).
        byte[] genuine = ResultCodec.encode(BINDING, new String[] {"a", "b"}, EMPTY, null);
        byte[] document = ResultCodec.document(genuine);
        int at = indexOf(document, new byte[] {0x40, 'b'});
        java.io.ByteArrayOutputStream bad = new java.io.ByteArrayOutputStream();
        bad.write(document, 0, at);
        bad.write(new byte[] {(byte) 0x80, (byte) 0xFF, (byte) 0xFF}, 0, 3);
        bad.write(document, at + 2, document.length - at - 2);
        byte[] forged = ResultCodec.frame(BINDING, bad.toByteArray(), null);
        assertThrows(CorruptEntryException.class, () -> ResultCodec.readTokens(forged, BINDING, null));
        assertThrows(CorruptEntryException.class,
                () -> ResultCodec.decodeIfCurrent(forged, BINDING, new String[] {"z", "b"}, null));
        assertFalse(ResultCodec.sameTokens(new String[] {"a"}, new String[] {"z"}, -1));
    }

    /** Tokens of every Smile string kind: hex and lease tokens as the engine makes them, empty, long, Unicode. */
    private static String[] tokens(Random random, int count) {
        String[] tokens = new String[count];
        for (int i = 0; i < count; i++) {
            tokens[i] = token(random);
        }
        return tokens;
    }

    private static String token(Random random) {
        StringBuilder b = new StringBuilder();
        switch (random.nextInt(7)) {
            case 0 -> b.append(Long.toHexString(random.nextLong())).append(Long.toHexString(random.nextLong()));
            case 1 -> b.append("L").append(Long.toHexString(random.nextLong())).append("@").append(random.nextInt());
            case 2 -> { } // empty
            case 3 -> b.append("x".repeat(1 + random.nextInt(100))); // tiny, short and long ASCII
            case 4 -> b.append("é").append(random.nextInt(1000)); // Unicode
            case 5 -> b.append((char) ('a' + random.nextInt(3)));
            default -> b.append(random.nextInt(100));
        }
        return b.toString();
    }

    /** The same tokens changed in one way: one character, one token's length, one token fewer or more, a null. */
    private static String[] variant(Random random, String[] tokens) {
        List<String> changed = new ArrayList<>(List.of(tokens));
        int i = random.nextInt(tokens.length);
        switch (random.nextInt(6)) {
            case 0 -> changed.set(i, tokens[i].isEmpty() ? "a" : tokens[i].substring(0, tokens[i].length() - 1)
                    + (char) (tokens[i].charAt(tokens[i].length() - 1) ^ 1));
            case 1 -> changed.set(i, tokens[i] + "0");
            case 2 -> changed.remove(i);
            case 3 -> changed.add(token(random));
            case 4 -> changed.set(i, null);
            default -> changed.set(i, token(random));
        }
        return changed.toArray(new String[0]);
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (java.util.Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        throw new AssertionError("not found");
    }
}
