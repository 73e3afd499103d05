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
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code EntryParser.text()} under a header that turns shared string values on (an entry need not carry this
 * codec's header: readHead and decode read any): short strings are then decoded by Jackson as they are met and
 * later ones may refer back to them, long ones are not shared. Strings repeated, at several depths, of every length
 * class, must read as Jackson reads them.
 */
class EntryParserSharedValuesTest {

    private static final SmileFactory JACKSON = SmileFactory.builder()
            .enable(SmileGenerator.Feature.CHECK_SHARED_STRING_VALUES).build();
    private static final EntryParser.Factory OURS = new EntryParser.Factory(SmileFactory.builder());

    @Test
    void sharedAndLongStringsReadAsJacksonReadsThem() throws IOException {
        long seed = Long.getLong("sqlcache.fuzz.seed", System.nanoTime());
        SplittableRandom random = new SplittableRandom(seed);
        String[] pool = new String[8];
        int backReferences = 0;
        for (int run = 0; run < 5_000; run++) {
            for (int i = 0; i < pool.length; i++) {
                int length = switch (random.nextInt(4)) {
                    case 0 -> 1 + random.nextInt(32);
                    case 1 -> 33 + random.nextInt(32);
                    case 2 -> 65 + random.nextInt(100);
                    default -> random.nextInt(4);
                };
                pool[i] = (random.nextInt(5) == 0 ? "é" : "") + "s".repeat(length) + i;
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (JsonGenerator g = JACKSON.createGenerator(out)) {
                g.writeStartArray();
                int values = 1 + random.nextInt(20);
                for (int v = 0; v < values; v++) {
                    if (random.nextInt(6) == 0) {
                        g.writeStartArray();
                        g.writeString(pool[random.nextInt(pool.length)]);
                        g.writeEndArray();
                    } else {
                        g.writeString(pool[random.nextInt(pool.length)]);
                    }
                }
                g.writeEndArray();
            }
            byte[] document = out.toByteArray();
            for (byte b : document) {
                if ((b & 0xFF) >= 0x01 && (b & 0xFF) <= 0x1F) {
                    backReferences++;
                    break;
                }
            }
            List<String> jackson = read(JACKSON.createParser(document), null);
            EntryParser ours = OURS.parser(document, 0, document.length);
            assertEquals(jackson, read(ours, ours), "seed " + seed + ": " + java.util.HexFormat.of().formatHex(document));
        }
        assertTrue(backReferences > 1000, "seed " + seed + ": too few documents with shared values: " + backReferences);
    }

    private static List<String> read(JsonParser p, EntryParser ours) {
        List<String> seen = new ArrayList<>();
        try (p) {
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                seen.add(t.name());
                if (t == JsonToken.VALUE_STRING) {
                    seen.add(ours != null ? ours.text() : p.getText());
                }
            }
            seen.add("END");
        } catch (IOException | RuntimeException e) {
            seen.add("ERR " + e);
        }
        return seen;
    }
}
