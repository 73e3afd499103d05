package dev.sqlcache.bench;

import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * CPU time and allocation of the benchmark thread over the measurement iterations, per call: what a call costs the
 * caller's thread alone. {@code -prof gc} counts every thread's allocation (the store's writer and the background
 * too), and on a loaded two-core machine a call's wall time is mostly waiting. Used from the benchmark thread only
 * (an iteration-level setup and teardown of a benchmark-scoped state run on it when there is one thread).
 */
final class ThreadCost {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private long cpuNanos;
    private long allocatedBytes;
    private long calls;
    private long cpuStart;
    private long allocatedStart;
    private long callsStart;

    void iterationStarts(long callsSoFar) {
        cpuStart = THREADS.getCurrentThreadCpuTime();
        allocatedStart = THREADS.getCurrentThreadAllocatedBytes();
        callsStart = callsSoFar;
    }

    void iterationEnds(long callsSoFar, boolean measured) {
        if (measured) {
            cpuNanos += THREADS.getCurrentThreadCpuTime() - cpuStart;
            allocatedBytes += THREADS.getCurrentThreadAllocatedBytes() - allocatedStart;
            calls += callsSoFar - callsStart;
        }
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "CPU %.2f us, allocated %d B (%d calls)",
                calls == 0 ? 0.0 : cpuNanos / 1000.0 / calls, calls == 0 ? 0 : allocatedBytes / calls, calls);
    }
}
