package dev.sqlcache.internal.codec;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each thread's {@code Mac} is a clone of one keyed per key at construction: the MAC it makes must be the plain
 * HMAC-SHA256 of that key, on every thread and for every key of a rotation, also while threads clone at once.
 */
class EntrySignerTest {

    private static final byte[] OLD = "entry-signer-test-old-key-0123456789".getBytes(StandardCharsets.UTF_8);
    private static final byte[] NEW = "entry-signer-test-new-key-9876543210".getBytes(StandardCharsets.UTF_8);

    @Test
    void everyThreadSignsWithTheFirstKeyAndAcceptsEachKeyOfARotation() throws Exception {
        EntrySigner rotating = new EntrySigner(List.of(NEW, OLD));
        EntrySigner old = new EntrySigner(List.of(OLD));
        EntrySigner stranger = new EntrySigner(List.of("entry-signer-test-other-key-000000".getBytes(
                StandardCharsets.UTF_8)));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                done.add(pool.submit((Callable<Void>) () -> {
                    for (int i = 0; i < 200; i++) {
                        byte[] entry = entry(thread * 1000 + i);
                        rotating.sign(entry);
                        assertArrayEquals(hmac(NEW, entry), mac(entry), "signed with the first key");
                        assertTrue(rotating.verify(entry));
                        assertFalse(old.verify(entry));
                        assertFalse(stranger.verify(entry));

                        byte[] older = entry(thread * 1000 + i);
                        old.sign(older);
                        assertArrayEquals(hmac(OLD, older), mac(older));
                        assertTrue(rotating.verify(older), "a rotation accepts its second key");
                        assertFalse(stranger.verify(older));
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** An entry-shaped array: version and flag, the MAC's slot, then bytes of its own. */
    private static byte[] entry(int seed) {
        byte[] entry = new byte[2 + EntrySigner.MAC_LENGTH + 1 + seed % 300];
        new java.util.Random(seed).nextBytes(entry);
        return entry;
    }

    private static byte[] mac(byte[] entry) {
        return java.util.Arrays.copyOfRange(entry, 2, 2 + EntrySigner.MAC_LENGTH);
    }

    /** HMAC-SHA256 of the bytes the MAC covers, by a Mac made for the purpose. */
    private static byte[] hmac(byte[] key, byte[] entry) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        mac.update(entry, 0, 2);
        mac.update(entry, 2 + EntrySigner.MAC_LENGTH, entry.length - 2 - EntrySigner.MAC_LENGTH);
        return mac.doFinal();
    }
}
