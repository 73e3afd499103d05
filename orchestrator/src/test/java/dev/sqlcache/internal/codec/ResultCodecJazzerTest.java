package dev.sqlcache.internal.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.sqlcache.stats.EntryRejection;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * Coverage-guided fuzzing of the entry decoder with Jazzer: whatever bytes sit under a key, decoding returns a
 * result or throws {@link CorruptEntryException}, nothing else, and allocates no more than the entry's length
 * justifies; with a signing key, nothing whose MAC another key made is ever decoded.
 *
 * <p>The first byte of an input picks how the rest reaches the decoder, so that mutations get past the checksum, the
 * binding and the MAC to the Smile parser: 0 as a whole entry; 1 as a document framed with a valid checksum and
 * binding; 2 the same, signed, decoded with the signing key; 3 signed with another key (must be refused as
 * {@link EntryRejection#BAD_MAC}). The seeds ({@code ResultCodecJazzerTestInputs/}) are genuine entries of every
 * value kind in those four forms.
 *
 * <p>In the default build ({@code JAZZER_FUZZ} unset) Jazzer runs in regression mode: the seeds and any saved
 * findings, a fraction of a second. To fuzz (coverage-guided, {@code maxDuration} each run, new inputs kept in
 * {@code .cifuzz-corpus/}):
 * <pre>JAZZER_FUZZ=1 ./m -o test -pl orchestrator -Dtest='ResultCodecJazzerTest#decodingAnyEntryEitherWorksOrIsRefused'</pre>
 * for 10 s, or {@code #fuzzForAnHour} for an hour (Jazzer fuzzes one method per run; its duration is the
 * annotation's). A finding is written next to the seeds ({@code crash-*}): move it into the method's inputs folder
 * and every later build replays it.
 */
class ResultCodecJazzerTest {

    private static final byte[] BINDING = EntryBinding.of("sql:fuzz:data:" + "0".repeat(32), "fuzz");
    private static final String[] TOKENS = {"fence", "db", "t"};
    private static final EntrySigner SIGNER =
            new EntrySigner(List.of("fuzz-signing-key-0123456789".getBytes(StandardCharsets.UTF_8)));
    private static final EntrySigner OTHER =
            new EntrySigner(List.of("another-environment-key-0123".getBytes(StandardCharsets.UTF_8)));
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @FuzzTest(maxDuration = "10s")
    void decodingAnyEntryEitherWorksOrIsRefused(byte[] input) {
        decode(input);
    }

    /** The same, for a long run by hand; in the default build it replays its inputs like the other. */
    @FuzzTest(maxDuration = "1h")
    void fuzzForAnHour(byte[] input) {
        decode(input);
    }

    private static void decode(byte[] input) {
        int form = input.length == 0 ? 0 : input[0] & 3;
        byte[] rest = input.length == 0 ? input : Arrays.copyOfRange(input, 1, input.length);
        byte[] entry = switch (form) {
            case 0 -> rest;
            case 1 -> ResultCodec.frame(BINDING, rest, null);
            case 2 -> ResultCodec.frame(BINDING, rest, SIGNER);
            default -> ResultCodec.frame(BINDING, rest, OTHER);
        };
        EntrySigner reader = form >= 2 ? SIGNER : null;
        decodeOnce(entry, reader, form);
        // Measured the second time: the first may load and initialise classes (Smile's, the MAC's) on this thread.
        long before = THREADS.getCurrentThreadAllocatedBytes();
        decodeOnce(entry, reader, form);
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated <= 64L * entry.length + (1 << 20),
                allocated + " bytes allocated decoding " + entry.length + " bytes");
    }

    private static void decodeOnce(byte[] entry, EntrySigner reader, int form) {
        try {
            CachedResult result = ResultCodec.decodeIfCurrent(entry, BINDING, TOKENS, reader);
            if (form == 3) {
                fail("decoded an entry signed with a key it does not hold: " + HexFormat.of().formatHex(entry));
            }
            if (result != null) {
                walk(result);
            }
        } catch (CorruptEntryException refused) {
            if (form == 3) {
                assertEquals(EntryRejection.BAD_MAC, refused.rejection(), "refused before anything is read");
            }
        }
    }

    /** Every column and cell, as a hit reads them. */
    private static void walk(CachedResult result) {
        for (int c = 0; c < result.columnCount(); c++) {
            result.column(c);
            result.kind(c);
        }
        for (int r = 0; r < result.rowCount(); r++) {
            for (int c = 0; c < result.columnCount(); c++) {
                result.value(r, c);
            }
        }
    }
}
