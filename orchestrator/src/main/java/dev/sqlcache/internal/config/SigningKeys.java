package dev.sqlcache.internal.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code sqlcache.signingKey}: comma-separated keys, the first signs and any verifies (rotation: add the new key
 * first, remove the old one once every JVM has the new one). An item {@code file:/run/secrets/sqlcache} is
 * replaced by that file's keys (one per line or comma-separated), so the key need not sit in a URL or the
 * environment. Keys are used as their UTF-8 bytes and must be at least {@value #MIN_BYTES} bytes long; problems
 * never show a key.
 */
final class SigningKeys {

    static final int MIN_BYTES = 16;
    private static final String FILE = "file:";

    private SigningKeys() {
    }

    static List<byte[]> parse(String text, String origin, List<String> problems) {
        List<byte[]> keys = new ArrayList<>();
        for (String raw : text.split(",")) {
            String item = raw.trim();
            if (item.isEmpty()) {
                continue;
            }
            if (item.startsWith(FILE)) {
                String path = item.substring(FILE.length()).trim();
                String contents;
                try {
                    contents = Files.readString(Path.of(path), StandardCharsets.UTF_8);
                } catch (IOException | RuntimeException e) {
                    problems.add(origin + ": cannot read the signing key file " + path + " ("
                            + e.getClass().getSimpleName() + ")");
                    continue;
                }
                int before = keys.size();
                for (String line : contents.split("[,\\r\\n]+")) {
                    add(line.trim(), origin + " (file " + path + ")", keys, problems);
                }
                if (keys.size() == before) {
                    problems.add(origin + ": the signing key file " + path + " holds no key");
                }
            } else {
                add(item, origin, keys, problems);
            }
        }
        return keys;
    }

    private static void add(String key, String origin, List<byte[]> keys, List<String> problems) {
        if (key.isEmpty()) {
            return;
        }
        byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
        if (bytes.length < MIN_BYTES) {
            problems.add(origin + ": signing key number " + (keys.size() + 1) + " is shorter than " + MIN_BYTES
                    + " bytes (use at least 32 random characters)");
            return;
        }
        keys.add(bytes);
    }
}
