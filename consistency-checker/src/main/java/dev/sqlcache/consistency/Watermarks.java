package dev.sqlcache.consistency;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * "Highest version whose commit had already returned", per key, shared by every JVM of a run through one
 * memory-mapped file. Writers raise a slot with an atomic max <em>after</em> their commit returned; readers read the
 * slot <em>before</em> their query starts. Versions only grow (row locks order the writes of one key), so a
 * correct read must see at least the version it read here.
 *
 * <p>Next to each watermark the file holds the number of writes of that key in flight: a writer enters before its
 * first statement on the key and leaves only after it raised the watermark (or after its transaction rolled back).
 * A reader that finds no write in flight <em>after</em> its statement and the watermark unchanged since its copy
 * knows that no write of the key committed in between, so the answer must show exactly that version: a missing row
 * whose insert had returned, or a version newer than any commit, is then a violation too (see {@link Floor}).
 */
public final class Watermarks implements AutoCloseable {

    private static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());

    private final FileChannel channel;
    private final MappedByteBuffer buffer;
    private final int slots;

    private Watermarks(FileChannel channel, MappedByteBuffer buffer, int slots) {
        this.channel = channel;
        this.buffer = buffer;
        this.slots = slots;
    }

    public static Watermarks open(Path file, int slots) {
        try {
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            return new Watermarks(channel, channel.map(FileChannel.MapMode.READ_WRITE, 0, 16L * slots), slots);
        } catch (IOException e) {
            throw new IllegalStateException("cannot map " + file + ": " + e.getMessage(), e);
        }
    }

    public long get(int slot) {
        return (long) LONGS.getVolatile(buffer, offset(slot));
    }

    /** Raises the slot to at least {@code version}. */
    public void raise(int slot, long version) {
        int offset = offset(slot);
        for (int attempt = 0; attempt < 1_000_000; attempt++) {
            long current = (long) LONGS.getVolatile(buffer, offset);
            if (current >= version || LONGS.compareAndSet(buffer, offset, current, version)) {
                return;
            }
        }
        throw new IllegalStateException("watermark " + slot + " kept changing");
    }

    public void set(int slot, long version) {
        LONGS.setVolatile(buffer, offset(slot), version);
        LONGS.setVolatile(buffer, offset(slot) + 8 * slots, 0L);
    }

    /** A write of this key is about to send its first statement. */
    public void enter(int slot) {
        LONGS.getAndAdd(buffer, offset(slot) + 8 * slots, 1L);
    }

    /** The write of this key that {@link #enter entered} has raised the watermark, or certainly committed nothing. */
    public void leave(int slot) {
        LONGS.getAndAdd(buffer, offset(slot) + 8 * slots, -1L);
    }

    /** Writes of this key between {@link #enter} and {@link #leave}. */
    public long inFlight(int slot) {
        return (long) LONGS.getVolatile(buffer, offset(slot) + 8 * slots);
    }

    private int offset(int slot) {
        if (slot < 0 || slot >= slots) {
            throw new IndexOutOfBoundsException(slot);
        }
        return slot * 8;
    }

    @Override
    public void close() {
        try {
            buffer.force();
            channel.close();
        } catch (IOException e) {
            // best effort: the file is scratch space
        }
    }
}
