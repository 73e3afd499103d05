package dev.sqlcache.internal.codec;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.smile.SmileFactory;
import com.fasterxml.jackson.dataformat.smile.SmileGenerator;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code EntryParser.text()} reads ASCII strings from the entry's bytes, bypassing Jackson: over forged string
 * values (every ASCII length class, bytes over 0x7F, a missing or early end marker, lengths past the end, then more
 * values after), it must answer what Jackson's own {@code getText()} answers and leave the parser where Jackson
 * would, so that every later token is the same.
 */
class EntryParserTextTest {

    private static final SmileFactory JACKSON = SmileFactory.builder()
            .disable(SmileGenerator.Feature.ENCODE_BINARY_AS_7BIT).build();
    private static final EntryParser.Factory OURS = new EntryParser.Factory(SmileFactory.builder()
            .disable(SmileGenerator.Feature.ENCODE_BINARY_AS_7BIT));

    @Test
    void readsStringsAsJacksonDoes() throws IOException {
        long seed = Long.getLong("sqlcache.fuzz.seed", System.nanoTime());
        SplittableRandom random = new SplittableRandom(seed);
        byte[] header = header();
        int inPlace = 0;
        for (int run = 0; run < 20_000; run++) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(header);
            out.write(0xF8);
            int values = 1 + random.nextInt(3);
            for (int v = 0; v < values; v++) {
                out.write(forged(random));
            }
            if (random.nextBoolean()) {
                out.write(0xC4); // the small int 2
            }
            if (random.nextInt(8) != 0) {
                out.write(0xF9);
            }
            byte[] document = out.toByteArray();
            List<String> jackson = read(JACKSON.createParser(document), null);
            EntryParser ours = OURS.parser(document, 0, document.length);
            List<String> mine = read(ours, ours);
            assertEquals(jackson, mine, "seed " + seed + ": " + java.util.HexFormat.of().formatHex(document));
            if (!jackson.isEmpty() && jackson.get(jackson.size() - 1).equals("END")) {
                inPlace++;
            }
        }
        assertTrue(inPlace > 1000, "seed " + seed + ": too few documents read through: " + inPlace);
    }

    /** Every token and string value, then END at the end of input or ERR at the first refusal. */
    private static List<String> read(JsonParser p, EntryParser ours) {
        List<String> seen = new ArrayList<>();
        try (p) {
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                seen.add(t.name());
                if (t == JsonToken.VALUE_STRING) {
                    seen.add(ours != null ? ours.text() : p.getText());
                } else if (t == JsonToken.VALUE_NUMBER_INT) {
                    seen.add(String.valueOf(p.getLongValue()));
                }
            }
            seen.add("END");
        } catch (IOException | RuntimeException e) {
            seen.add("ERR");
        }
        return seen;
    }

    private static byte[] forged(SplittableRandom random) {
        int kind = random.nextInt(4);
        int length = switch (kind) {
            case 0 -> 1 + random.nextInt(32);
            case 1 -> 33 + random.nextInt(32);
            default -> random.nextInt(200);
        };
        byte[] text = new byte[length];
        for (int i = 0; i < length; i++) {
            text[i] = (byte) (random.nextInt(10) == 0 ? random.nextInt(256) : 'a' + random.nextInt(26));
        }
        if (random.nextInt(5) == 0 && length > 0) {
            text = Arrays.copyOf(text, random.nextInt(length)); // shorter than its type byte says
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        switch (kind) {
            case 0 -> out.write(0x40 + length - 1);
            case 1 -> out.write(0x60 + length - 33);
            default -> out.write(0xE0);
        }
        out.writeBytes(text);
        if (kind >= 2 && random.nextInt(6) != 0) {
            out.write(0xFC);
        }
        return out.toByteArray();
    }

    private static byte[] header() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = JACKSON.createGenerator(out)) {
            g.writeNull();
        }
        return Arrays.copyOf(out.toByteArray(), 4);
    }
}
