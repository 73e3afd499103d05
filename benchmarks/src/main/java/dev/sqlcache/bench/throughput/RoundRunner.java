package dev.sqlcache.bench.throughput;

import dev.sqlcache.stats.CacheStatistics;
import org.HdrHistogram.Histogram;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.simple.RandomSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Runs one timed round of a workload on an open target: every thread starts at once and runs operations until the
 * deadline, timing each (commit included). Counters of the target are read just before the threads start and
 * just after the last one stops.
 */
final class RoundRunner {
    /** How long threads may take to notice their connections were aborted. */
    private static final long ABORT_MILLIS = 30_000;
    /** Marks each round's start in sqlcache.log, between the policy's lines it explains. */
    private static final Logger LOG = LoggerFactory.getLogger(RoundRunner.class);

    private RoundRunner() {
    }

    /**
     * @param seed the run's seed; with the round and the thread index it seeds each thread, so every target sees
     *             the same key sequence in the same round
     * @param overrunMillis how long past the end of the round an operation may run before the round is given up
     * @throws IllegalStateException when a thread still runs after its connection was aborted: only the end of
     *                               the process can stop it
     */
    static RoundResult run(TargetSession session, String workload, int round, double seconds, long seed,
                           long overrunMillis)
            throws SQLException, InterruptedException {
        int threads = session.clients.size();
        List<Worker> workers = new ArrayList<>();
        CountDownLatch go = new CountDownLatch(1);
        long durationNanos = (long) (seconds * 1e9);
        for (int i = 0; i < threads; i++) {
            UniformRandomProvider random = RandomSource.XO_RO_SHI_RO_128_PP.create(
                    new long[] {seed ^ (round * 0x9E3779B97F4A7C15L), i});
            Workload.Client client = session.clients.get(i);
            client.use(random);
            workers.add(new Worker(session.connections.get(i), session.writers.get(i), client, session.autoCommit, go,
                    durationNanos));
        }
        List<Thread> running = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(workers.get(i), "bench-" + session.spec.name() + "-" + i);
            t.setDaemon(true);
            t.start();
            running.add(t);
        }

        LOG.info("round {} of {} on {} starts{}", round, session.spec.name(), workload,
                round == 0 ? " (warm-up)" : "");
        MachineLoad loadBefore = MachineLoad.now();
        CacheStatistics statisticsBefore = session.statistics();
        Map<String, Long> redisBefore = session.redisCommands();
        PgpoolCacheStats pgpoolBefore = session.pgpoolCache();
        CpuUse cpuBefore = session.cpu();
        JvmUse jvmBefore = JvmUse.now();
        Instant started = Instant.now();
        long start = System.nanoTime();
        for (Worker w : workers) {
            w.deadline = start + durationNanos;
        }
        go.countDown();
        String hung = null;
        if (!joinAll(running, System.currentTimeMillis() + (long) (seconds * 1000) + overrunMillis)) {
            // A hung operation (a lock never released, a proxy that stopped answering) ends when its connection is
            // aborted; the round is then reported as failed and the target leaves the alternation.
            hung = "an operation still ran " + overrunMillis / 1000.0 + " s after the end of the round;"
                    + " its connections were aborted";
            session.abort();
            if (!joinAll(running, System.currentTimeMillis() + ABORT_MILLIS)) {
                throw new IllegalStateException(session.spec.name() + ": " + hung + ", and a client thread still"
                        + " runs " + ABORT_MILLIS / 1000 + " s later");
            }
        }
        long end = 0;
        for (Worker w : workers) {
            end = Math.max(end, w.stoppedAt);
        }
        // CPU first: the counters read after it cost the JVM and Redis a little, and belong to no operation.
        CpuUse cpuAfter = session.cpu();
        JvmUse jvmAfter = JvmUse.now();
        CacheStatistics statisticsAfter = session.statistics();
        Map<String, Long> redisAfter = session.redisCommands();
        PgpoolCacheStats pgpoolAfter = session.pgpoolCache();
        MachineLoad loadAfter = MachineLoad.now();

        OpCounter counts = new OpCounter();
        Histogram latency = new Histogram(3);
        String error = hung;
        for (Worker w : workers) {
            counts.add(w.counter);
            latency.add(w.latency);
            if (error == null && w.error != null) {
                error = w.error;
            }
        }
        return new RoundResult(workload, session.spec.name(), round, started, Math.max(0, end - start), counts,
                latency, error, loadBefore, loadAfter,
                statisticsBefore == null ? null : statisticsAfter.since(statisticsBefore),
                RedisCommandStats.delta(redisBefore, redisAfter),
                pgpoolBefore == null ? null : pgpoolAfter.minus(pgpoolBefore), cpuAfter.since(cpuBefore),
                jvmAfter.since(jvmBefore));
    }

    /** Joins every thread until {@code deadline} (wall clock, ms); whether all ended. */
    private static boolean joinAll(List<Thread> threads, long deadline) throws InterruptedException {
        for (Thread t : threads) {
            t.join(Math.max(1, deadline - System.currentTimeMillis()));
            if (t.isAlive()) {
                return false;
            }
        }
        return true;
    }

    private static final class Worker implements Runnable {
        private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

        private final Connection connection;
        /** Where the client's writes run: {@code connection} itself unless the target writes from elsewhere. */
        private final Connection writer;
        private final Workload.Client client;
        private final boolean autoCommit;
        private final CountDownLatch go;
        private final long durationNanos;
        final OpCounter counter = new OpCounter();
        final Histogram latency = new Histogram(3);
        /** Set before {@code go} opens; read by this thread only after it. */
        volatile long deadline;
        volatile long stoppedAt;
        volatile String error;
        /** This thread's CPU time when its first operation started; -1 before it did. */
        private long cpuAtStart = -1;

        Worker(Connection connection, Connection writer, Workload.Client client, boolean autoCommit,
               CountDownLatch go, long durationNanos) {
            this.connection = connection;
            this.writer = writer;
            this.client = client;
            this.autoCommit = autoCommit;
            this.go = go;
            this.durationNanos = durationNanos;
        }

        @Override
        public void run() {
            try {
                if (!go.await(durationNanos + TimeUnit.SECONDS.toNanos(60), TimeUnit.NANOSECONDS)) {
                    error = "never started";
                    return;
                }
                long end = deadline;
                cpuAtStart = THREADS.getCurrentThreadCpuTime();
                long now = System.nanoTime();
                while (now < end) {
                    boolean wrote = client.execute(counter);
                    if (!autoCommit) {
                        (wrote ? writer : connection).commit();
                    }
                    long after = System.nanoTime();
                    latency.recordValue(after - now);
                    counter.operations++;
                    if (wrote) {
                        counter.writeOperations++;
                        counter.writeNanos += after - now;
                    } else {
                        counter.readNanos += after - now;
                    }
                    now = after;
                }
            } catch (SQLException e) {
                error = "SQLState " + e.getSQLState() + ": " + e.getMessage();
                rollbackQuietly();
            } catch (InterruptedException e) {
                error = "interrupted";
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                error = e.toString();
                rollbackQuietly();
            } finally {
                stoppedAt = System.nanoTime();
                if (cpuAtStart >= 0) {
                    counter.cpuNanos = THREADS.getCurrentThreadCpuTime() - cpuAtStart;
                }
            }
        }

        private void rollbackQuietly() {
            try {
                if (!autoCommit) {
                    connection.rollback();
                    if (writer != connection) {
                        writer.rollback();
                    }
                }
            } catch (SQLException ignored) {
                // the round is reported as failed with the first error; this one adds nothing
            }
        }
    }
}
