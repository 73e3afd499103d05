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
            return new Watermarks(channel, channel.map(FileChannel.MapMode.READ_WRITE, 0, 8L * slots), slots);
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
