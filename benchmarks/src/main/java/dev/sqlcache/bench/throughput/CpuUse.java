package dev.sqlcache.bench.throughput;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;

/**
 * CPU time of the processes an operation runs through: this JVM (client threads, sqlcache and its background
 * threads, GC and JIT), the target's Redis server and the database's backends. A reading at one moment, or the
 * difference of two. On a shared machine throughput moves with what else runs; the CPU an operation takes moves far
 * less, so it is the figure that compares two targets' cost.
 *
 * @param jvmNanos      this process's CPU time
 * @param redisMicros   the Redis server's, or {@link #UNKNOWN} for a target without Redis
 * @param postgresNanos the benchmark database's backends', or {@link #UNKNOWN} off Linux or off PostgreSQL
 * @param jitMillis     how long this JVM's JIT compilers spent compiling (elapsed, as the JVM tells), or
 *                      {@link #UNKNOWN}: a round in which it compiled for seconds ran code that was still being
 *                      compiled, not the steady state (under load, pgjdbc's receive path reached C2 only after
 *                      a minute, which a 5 s warm-up does not cover)
 */
record CpuUse(long jvmNanos, long redisMicros, long postgresNanos, long jitMillis) {
    static final long UNKNOWN = -1;

    /** This process's CPU time so far, or {@link #UNKNOWN} where the JVM does not tell. */
    static long processNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            long nanos = os.getProcessCpuTime();
            return nanos < 0 ? UNKNOWN : nanos;
        }
        return UNKNOWN;
    }

    CpuUse(long jvmNanos, long redisMicros, long postgresNanos) {
        this(jvmNanos, redisMicros, postgresNanos, UNKNOWN);
    }

    /** The JIT compilers' compilation time so far, in ms, or {@link #UNKNOWN} where the JVM does not tell. */
    static long jitMillisNow() {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        return jit == null || !jit.isCompilationTimeMonitoringSupported() ? UNKNOWN : jit.getTotalCompilationTime();
    }

    /** What was used from {@code before} to this reading; unknown where either reading is. */
    CpuUse since(CpuUse before) {
        return new CpuUse(minus(jvmNanos, before.jvmNanos), minus(redisMicros, before.redisMicros),
                minus(postgresNanos, before.postgresNanos), minus(jitMillis, before.jitMillis));
    }

    /** The sum of two rounds' use; unknown where either is, so that a sum never covers fewer rounds than its ops. */
    CpuUse plus(CpuUse other) {
        return new CpuUse(plus(jvmNanos, other.jvmNanos), plus(redisMicros, other.redisMicros),
                plus(postgresNanos, other.postgresNanos), plus(jitMillis, other.jitMillis));
    }

    private static long minus(long after, long before) {
        return after == UNKNOWN || before == UNKNOWN ? UNKNOWN : after - before;
    }

    private static long plus(long a, long b) {
        return a == UNKNOWN || b == UNKNOWN ? UNKNOWN : a + b;
    }

    /** Microseconds per operation of a use in nanoseconds; NaN when unknown or without operations. */
    static double microsPerOp(long nanos, long operations) {
        return nanos == UNKNOWN || operations == 0 ? Double.NaN : nanos / 1e3 / operations;
    }
}
