package dev.sqlcache.internal.codec;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A differential fuzz of the in-place token comparison ({@code ResultCodec.headIsCurrent}) against decoding every
 * token to a string ({@link ResultCodec#readTokens}, {@link ResultCodec#sameTokens}, then {@link ResultCodec#decode}),
 * over hostile documents that keep the codec's own header: tokens re-encoded in every Smile string kind (tiny, short
 * and long ASCII and Unicode, empty, shared-string references, non-strings, a second header at the root or in the
 * token list, length prefixes running past the end) and byte mutations of the head. Asked tokens are, most of the time, the very strings the
 * forged document decodes to, so that "current" is reached on forged bytes. The in-place answer may never be
 * "current" where decoding says stale or corrupt (a wrong answer), never throw anything but the codec's refusal, and
 * may refuse (corrupt) where decoding would serve.
 */
class TokensInPlaceDifferentialTest {

    private static final byte[] BINDING = EntryBinding.of("sql:t:data:diff", "sql:_database:version:d");
    private static final CachedResult EMPTY =
            new CachedResult(new ResultColumns(new ColumnMetadata[0], new ValueKind[0], new int[0], new int[0]),
                    new Object[0][], new String[0][]);
    private static final int[] INTERESTING = {0x00, 0x01, 0x1F, 0x20, 0x21, 0x22, 0x23, 0x24, 0x3A, 0x29, 0x0A,
            0x3F, 0x40, 0x41, 0x5F, 0x60, 0x7F, 0x80, 0x81, 0x9F, 0xA0, 0xBF, 0xC0, 0xDF, 0xE0, 0xE4, 0xE8, 0xEC,
            0xEF, 0xF8, 0xF9, 0xFA, 0xFB, 0xFC, 0xFD, 0xFF};

    private enum Outcome { HIT, MISS, CORRUPT }

    @Test
    void inPlaceIsNeverCurrentWhereDecodingIsNot() {
        long seed = Long.getLong("sqlcache.fuzz.seed", System.nanoTime());
        long seconds = Math.min(30, Long.getLong("sqlcache.fuzz.seconds", 5));
        SplittableRandom random = new SplittableRandom(seed);
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        int runs = 0;
        int hits = 0;
        int refusedWhereServed = 0;
        int staleWhereServed = 0;
        int bytesCompared = 0;
        while (System.nanoTime() < deadline || runs < 2000) {
            String[] recorded = tokens(random);
            byte[] genuine = ResultCodec.encode(BINDING, recorded, EMPTY, null);
            byte[] document = ResultCodec.document(genuine);
            byte[] forgedDocument = random.nextInt(3) == 0 ? mutateHead(document, random)
                    : reencode(document, recorded, random);
            if (random.nextInt(3) == 0) {
                forgedDocument = mutateHead(forgedDocument, random);
            }
            byte[] entry = ResultCodec.frame(BINDING, forgedDocument, null);
            String[] asked;
            String[] decoded = tokensOrNull(entry);
            if (decoded != null && random.nextInt(4) != 0) {
                asked = random.nextInt(5) == 0 && decoded.length > 0 ? variant(decoded, random) : decoded;
            } else {
                asked = random.nextBoolean() ? recorded : variant(recorded, random);
            }
            int ignored = random.nextInt(3) == 0 ? random.nextInt(asked.length + 1) : -1;
            Predicate<String> check = ignored >= 0 && random.nextBoolean() ? t -> t.length() % 2 == 0 : null;

            Outcome old;
            CachedResult oldResult = null;
            try {
                String[] r = ResultCodec.readTokens(entry, BINDING, null);
                if (!ResultCodec.sameTokens(r, asked, ignored) || (check != null && !check.test(r[ignored]))) {
                    old = Outcome.MISS;
                } else {
                    oldResult = ResultCodec.decode(entry, BINDING, null);
                    old = Outcome.HIT;
                }
            } catch (CorruptEntryException | ArrayIndexOutOfBoundsException e) {
                old = Outcome.CORRUPT;
            }
            Outcome now;
            CachedResult result = null;
            try {
                result = ResultCodec.decodeIfCurrent(entry, BINDING, asked, null, ignored, check);
                now = result == null ? Outcome.MISS : Outcome.HIT;
            } catch (CorruptEntryException e) {
                now = Outcome.CORRUPT;
            } catch (Throwable t) {
                throw new AssertionError(describe(seed, runs, entry, asked, ignored, check) + ": " + t, t);
            }
            if (check == null) {
                // The same read with the tokens as a store hands them over (UTF-8, compared byte for byte): never
                // current where decoding is not, and where the asked texts survive UTF-8, the in-place text answer.
                byte[][] encoded = encoded(asked);
                Outcome bytes;
                CachedResult bytesResult = null;
                try {
                    bytesResult = ResultCodec.decodeIfCurrent(entry, BINDING, encoded, null, ignored, null);
                    bytes = bytesResult == null ? Outcome.MISS : Outcome.HIT;
                } catch (CorruptEntryException e) {
                    bytes = Outcome.CORRUPT;
                } catch (Throwable t) {
                    throw new AssertionError("as bytes: " + describe(seed, runs, entry, asked, ignored, null) + ": "
                            + t, t);
                }
                if (bytes == Outcome.HIT && (old != Outcome.HIT
                        || !Arrays.equals(ResultCodec.encode(recorded, oldResult),
                                ResultCodec.encode(recorded, bytesResult)))) {
                    fail("current as bytes, " + old + " decoded: " + describe(seed, runs, entry, asked, ignored, null));
                }
                if (survivesUtf8(asked) && bytes != now) {
                    fail(bytes + " as bytes, " + now + " as text: " + describe(seed, runs, entry, asked, ignored, null));
                }
                bytesCompared++;
            }
            if (now == Outcome.HIT) {
                if (old != Outcome.HIT) {
                    fail("current in place, " + old + " decoded: " + describe(seed, runs, entry, asked, ignored, check));
                }
                if (!Arrays.equals(ResultCodec.encode(recorded, oldResult), ResultCodec.encode(recorded, result))) {
                    fail("another result: " + describe(seed, runs, entry, asked, ignored, check));
                }
                hits++;
            } else if (old == Outcome.HIT) {
                if (now == Outcome.CORRUPT) {
                    refusedWhereServed++;
                } else {
                    // Expected only of an ASCII-typed string holding a byte over 0x7F (TokensInPlaceTest): shown
                    // a few times, counted always.
                    if (++staleWhereServed <= 3) {
                        System.out.println("stale in place, current decoded: "
                                + describe(seed, runs, entry, asked, ignored, check));
                    }
                }
            }
            runs++;
        }
        System.out.println("TokensInPlaceDifferentialTest: seed " + seed + ", " + runs + " runs, " + hits
                + " hits, " + refusedWhereServed + " refused and " + staleWhereServed + " stale where decoding served, "
                + bytesCompared + " also compared as bytes");
        assertTrue(hits > runs / 20, hits + " hits of " + runs);
    }

    private static String describe(long seed, int run, byte[] entry, String[] asked, int ignored, Object check) {
        return "seed " + seed + " run " + run + " asked " + Arrays.toString(asked) + " ignoring " + ignored
                + (check == null ? "" : " with a check") + " document "
                + HexFormat.of().formatHex(ResultCodec.document(entry));
    }

    private static byte[][] encoded(String[] tokens) {
        byte[][] encoded = new byte[tokens.length][];
        for (int i = 0; i < tokens.length; i++) {
            encoded[i] = tokens[i] == null ? null : tokens[i].getBytes(StandardCharsets.UTF_8);
        }
        return encoded;
    }

    /** Whether every token decodes from its UTF-8 to itself (an unpaired surrogate does not). */
    private static boolean survivesUtf8(String[] tokens) {
        for (String token : tokens) {
            if (token != null && !token.equals(new String(token.getBytes(StandardCharsets.UTF_8),
                    StandardCharsets.UTF_8))) {
                return false;
            }
        }
        return true;
    }

    private static String[] tokensOrNull(byte[] entry) {
        try {
            return ResultCodec.readTokens(entry, BINDING, null);
        } catch (CorruptEntryException e) {
            return null;
        }
    }

    private static String[] tokens(SplittableRandom random) {
        String[] t = new String[random.nextInt(6)];
        for (int i = 0; i < t.length; i++) {
            t[i] = token(random);
        }
        return t;
    }

    private static String token(SplittableRandom random) {
        return switch (random.nextInt(8)) {
            case 0 -> Long.toHexString(random.nextLong()) + Long.toHexString(random.nextLong());
            case 1 -> "";
            case 2 -> "x".repeat(1 + random.nextInt(70));
            case 3 -> "é" + random.nextInt(100);
            case 4 -> String.valueOf((char) ('a' + random.nextInt(3)));
            case 5 -> "ab".repeat(1 + random.nextInt(3));
            case 6 -> "\u0000" + (char) random.nextInt(0x80);
            default -> String.valueOf(random.nextInt(100));
        };
    }

    private static String[] variant(String[] t, SplittableRandom random) {
        if (t.length == 0) {
            return new String[] {token(random)};
        }
        String[] v = Arrays.copyOf(t, t.length + (random.nextInt(4) == 0 ? 1 : 0));
        int i = random.nextInt(v.length);
        v[i] = switch (random.nextInt(4)) {
            case 0 -> v[i] == null ? "a" : v[i] + "a";
            case 1 -> v[i] == null || v[i].isEmpty() ? "" : v[i].substring(1);
            case 2 -> token(random);
            default -> v[i] == null ? null : v[i].toUpperCase();
        };
        if (random.nextInt(6) == 0 && v.length > 1) {
            return Arrays.copyOf(v, v.length - 1);
        }
        return v;
    }

    /**
     * The document with its head written again by hand: the header, the magic and each token in a Smile encoding
     * picked at random (not always the one the generator would pick, sometimes not a valid one), then the rest.
     */
    private static byte[] reencode(byte[] document, String[] tokens, SplittableRandom random) {
        int rest = headEnd(document, tokens);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(document, 0, 4);
        if (random.nextInt(6) == 0) {
            secondHeader(out, random); // at the root, before the first value
        }
        out.write(0xF8);
        string(out, "sqlcache-result", random.nextInt(8) == 0 ? random.nextInt(9) : 0);
        out.write(0xF8);
        for (String t : tokens) {
            if (random.nextInt(12) == 0) {
                out.write(INTERESTING[random.nextInt(INTERESTING.length)]);
            }
            if (random.nextInt(20) == 0) {
                secondHeader(out, random);
            }
            string(out, t, random.nextInt(9));
        }
        if (random.nextInt(10) == 0) {
            string(out, token(random), random.nextInt(9));
        }
        out.write(0xF9);
        out.write(document, rest, document.length - rest);
        return out.toByteArray();
    }

    /** Another Smile header, its flags (shared names, shared string values, raw binary) at random. */
    private static void secondHeader(ByteArrayOutputStream out, SplittableRandom random) {
        out.writeBytes(new byte[] {':', ')', '\n', (byte) random.nextInt(8)});
    }

    /** Where the document continues after the token list's end marker. */
    private static int headEnd(byte[] document, String[] tokens) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(document, 0, 4);
        out.write(0xF8);
        string(out, "sqlcache-result", 0);
        out.write(0xF8);
        for (String t : tokens) {
            string(out, t, 0);
        }
        out.write(0xF9);
        byte[] head = out.toByteArray();
        if (!Arrays.equals(document, 0, head.length, head, 0, head.length)) {
            throw new AssertionError("head not as expected: " + HexFormat.of().formatHex(document));
        }
        return head.length;
    }

    /**
     * Writes a string in the Smile kind {@code kind}: 0 as the generator does, 1 long ASCII, 2 Unicode (tiny or
     * short, even for ASCII content), 3 long Unicode, 4 a length one longer than the bytes, 5 a length one shorter,
     * 6 a shared-string reference, 7 binary, 8 a number.
     */
    private static void string(ByteArrayOutputStream out, String s, int kind) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        boolean ascii = b.length == s.length();
        switch (kind) {
            case 1 -> {
                out.write(0xE0);
                out.write(b, 0, b.length);
                out.write(0xFC);
            }
            case 2 -> {
                if (b.length >= 2 && b.length <= 33) {
                    out.write(0x80 + b.length - 2);
                    out.write(b, 0, b.length);
                } else if (b.length >= 34 && b.length <= 65) {
                    out.write(0xA0 + b.length - 34);
                    out.write(b, 0, b.length);
                } else {
                    string(out, s, 0);
                }
            }
            case 3 -> {
                out.write(0xE4);
                out.write(b, 0, b.length);
                out.write(0xFC);
            }
            case 4, 5 -> {
                int length = Math.max(1, Math.min(64, b.length + (kind == 4 ? 1 : -1)));
                out.write(length <= 32 ? 0x40 + length - 1 : 0x60 + length - 33);
                out.write(b, 0, b.length);
            }
            case 6 -> out.write(1 + (b.length & 0x1F));
            case 7 -> {
                out.write(0xFD);
                out.write(0x80 | b.length);
                out.write(b, 0, b.length);
            }
            case 8 -> out.write(0xC0 + (b.length & 0x1F));
            default -> {
                if (b.length == 0) {
                    out.write(0x20);
                } else if (ascii && b.length <= 32) {
                    out.write(0x40 + b.length - 1);
                    out.write(b, 0, b.length);
                } else if (ascii && b.length <= 64) {
                    out.write(0x60 + b.length - 33);
                    out.write(b, 0, b.length);
                } else if (ascii) {
                    string(out, s, 1);
                } else if (b.length <= 33) {
                    out.write(0x80 + b.length - 2);
                    out.write(b, 0, b.length);
                } else if (b.length <= 65) {
                    out.write(0xA0 + b.length - 34);
                    out.write(b, 0, b.length);
                } else {
                    string(out, s, 3);
                }
            }
        }
    }

    /** One to three mutations of the document's head (the first 120 bytes), the header left alone. */
    private static byte[] mutateHead(byte[] in, SplittableRandom random) {
        byte[] out = in;
        for (int m = 1 + random.nextInt(3); m > 0 && out.length > 5; m--) {
            int at = 4 + random.nextInt(Math.min(out.length, 120) - 4);
            switch (random.nextInt(5)) {
                case 0 -> {
                    out = out.clone();
                    out[at] ^= (byte) (1 << random.nextInt(8));
                }
                case 1 -> {
                    out = out.clone();
                    out[at] = (byte) INTERESTING[random.nextInt(INTERESTING.length)];
                }
                case 2 -> {
                    byte[] o = new byte[out.length - 1];
                    System.arraycopy(out, 0, o, 0, at);
                    System.arraycopy(out, at + 1, o, at, out.length - at - 1);
                    out = o;
                }
                case 3 -> {
                    byte[] o = new byte[out.length + 1];
                    System.arraycopy(out, 0, o, 0, at);
                    o[at] = (byte) INTERESTING[random.nextInt(INTERESTING.length)];
                    System.arraycopy(out, at, o, at + 1, out.length - at);
                    out = o;
                }
                default -> out = Arrays.copyOf(out, at);
            }
        }
        return out;
    }
}
