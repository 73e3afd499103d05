package dev.sqlcache.bench.throughput;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * What this JVM's own machinery did: garbage collections (how many, how long the JVM says they took) and the CPU
 * time of its GC and JIT compiler threads, read from {@code /proc/self/task} (Linux only). A reading at one moment,
 * or the difference of two. Every target shares the JVM, so a round can pay for what the previous round left: the
 * near cache's rounds allocate hundreds of MB a second, and the collection (or the concurrent marking) they make
 * due can land in the next target's round. On a 2-core machine every millisecond of CPU these threads take during a
 * round is taken from its client threads and the database's backends; this is how a reader sees it.
 *
 * @param gcCount      collections so far (every collector the JVM reports: G1's young, mixed and full)
 * @param gcMillis     their accumulated time as the JVM reports it (G1: the pauses; concurrent marking is not in
 *                     it, but is in {@code gcCpuNanos})
 * @param gcCpuNanos   CPU time of the GC's threads ({@code GC Thread#n}, {@code G1 ...}), or {@link CpuUse#UNKNOWN}
 * @param jitCpuNanos  CPU time of the JIT compiler threads ({@code C1/C2 CompilerThread}), or {@link CpuUse#UNKNOWN}
 */
record JvmUse(long gcCount, long gcMillis, long gcCpuNanos, long jitCpuNanos) {
    /** USER_HZ, the unit of {@code utime} and {@code stime}: 100 on every Linux the harness runs on. */
    private static final long CLOCK_TICKS_PER_SECOND = 100;
    static final JvmUse NONE = new JvmUse(0, 0, 0, 0);

    static JvmUse now() {
        return now(Path.of("/proc/self/task"));
    }

    static JvmUse now(Path tasks) {
        long count = 0;
        long millis = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            count += Math.max(0, gc.getCollectionCount());
            millis += Math.max(0, gc.getCollectionTime());
        }
        long gcTicks = 0;
        long jitTicks = 0;
        boolean read = false;
        if (Files.isDirectory(tasks)) {
            try (DirectoryStream<Path> threads = Files.newDirectoryStream(tasks)) {
                for (Path thread : threads) {
                    try {
                        String stat = Files.readString(thread.resolve("stat"), StandardCharsets.ISO_8859_1);
                        String name = PostgresCpu.command(stat);
                        if (isGc(name)) {
                            gcTicks += PostgresCpu.ticks(stat);
                        } else if (isJit(name)) {
                            jitTicks += PostgresCpu.ticks(stat);
                        }
                        read = true;
                    } catch (IOException | RuntimeException e) {
                        // a thread that ended while being read: neither GC nor JIT threads end while the JVM runs
                    }
                }
            } catch (IOException e) {
                read = false;
            }
        }
        return new JvmUse(count, millis, read ? nanos(gcTicks) : CpuUse.UNKNOWN,
                read ? nanos(jitTicks) : CpuUse.UNKNOWN);
    }

    /** HotSpot's names for G1's and the parallel collectors' threads, as {@code comm} (15 characters) shows them. */
    static boolean isGc(String thread) {
        return thread != null && (thread.startsWith("GC Thread") || thread.startsWith("G1 "));
    }

    static boolean isJit(String thread) {
        return thread != null && (thread.startsWith("C1 CompilerThre") || thread.startsWith("C2 CompilerThre"));
    }

    private static long nanos(long ticks) {
        return TimeUnit.SECONDS.toNanos(ticks) / CLOCK_TICKS_PER_SECOND;
    }

    /** What was used from {@code before} to this reading; unknown where either reading is. */
    JvmUse since(JvmUse before) {
        return new JvmUse(gcCount - before.gcCount, gcMillis - before.gcMillis,
                minus(gcCpuNanos, before.gcCpuNanos), minus(jitCpuNanos, before.jitCpuNanos));
    }

    /** The sum of two rounds' use; unknown where either is. */
    JvmUse plus(JvmUse other) {
        return new JvmUse(gcCount + other.gcCount, gcMillis + other.gcMillis,
                plus(gcCpuNanos, other.gcCpuNanos), plus(jitCpuNanos, other.jitCpuNanos));
    }

    private static long minus(long after, long before) {
        return after == CpuUse.UNKNOWN || before == CpuUse.UNKNOWN ? CpuUse.UNKNOWN : after - before;
    }

    private static long plus(long a, long b) {
        return a == CpuUse.UNKNOWN || b == CpuUse.UNKNOWN ? CpuUse.UNKNOWN : a + b;
    }
}
