package dev.sqlcache.sample;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProgressTest {

    @Test
    void printsPlainLinesWhileTheRunLastsAndNothingAfter() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        try (Progress progress = new Progress(out, "sqlcache", 1_000, 20)) {
            for (int i = 0; i < 300; i++) {
                progress.step();
            }
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!bytes.toString(StandardCharsets.UTF_8).contains("\n") && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
        }
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("  sqlcache: 300 of 1,000 statements (30%)"), text);
        assertFalse(text.contains("\u001b") || text.contains("\r"), "no escape codes or carriage returns: " + text);
        int length = bytes.size();
        Thread.sleep(100);
        assertTrue(bytes.size() == length, "nothing printed after close");
    }
}
