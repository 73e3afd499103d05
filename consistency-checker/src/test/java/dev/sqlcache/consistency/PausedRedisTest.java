package dev.sqlcache.consistency;

import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A write in this JVM while Redis is frozen (SIGSTOP), the other JVM reading the same row. Once the write's commit
 * has returned, no read through sqlcache that starts afterwards, in this or any other JVM sharing the Redis, may
 * return older data.
 */
class PausedRedisTest extends Fixtures {

    private static final String READ = "SELECT val FROM cc_counter WHERE id = 5";

    /** This JVM noticed the pause on a read just before writing, so its bump is only queued. */
    @Test
    void h2WriteDuringBackOff() throws Exception {
        writeDuringBackOff(h2Target());
    }

    @Test
    void postgresqlWriteDuringBackOff() throws Exception {
        writeDuringBackOff(Target.postgres());
    }

    /** This JVM writes as its first contact with the frozen Redis; the other JVM keeps reading meanwhile. */
    @Test
    void h2WriteTimesOutWhileOtherJvmKeepsReading() throws Exception {
        writeTimesOut(h2Target());
    }

    @Test
    void mariadbWriteTimesOutWhileOtherJvmKeepsReading() throws Exception {
        writeTimesOut(Target.mariadb());
    }

    private static void writeDuringBackOff(Target target) throws Exception {
        reset(target);
        try (AgentProcess other = new AgentProcess(target, redis.tcpProperties()); Connection here = cached(target)) {
            assertEquals("0", other.query(READ));
            assertEquals("0", other.query(READ)); // cached in Redis
            assertEquals(0, Workload.single(here, "SELECT val FROM cc_counter WHERE id = ?", 5));
            redis.pause();
            try {
                // Times out on Redis (socket timeout), answered by the database; this JVM's store is now in back-off.
                assertEquals(0, counter(here, 5));
                assertEquals(1, execute(here, "UPDATE cc_counter SET val = 1 WHERE id = 5"));
            } finally {
                redis.resume();
            }
            // The write's commit has returned, but this JVM could not tell Redis: the other JVM, whose store never
            // failed, may serve the old answer until this JVM delivers the invalidation in the background, which
            // it does within a fraction of a second of Redis answering again (the documented window).
            assertEquals(1, counter(here, 5), "this JVM never serves the old answer");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!here.unwrap(dev.sqlcache.driver.SqlCacheConnection.class).cacheHealthy()) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the owed invalidation was not delivered within 5 s of Redis resuming");
                }
                TimeUnit.MILLISECONDS.sleep(10);
            }
            for (int i = 0; i < 20; i++) {
                assertEquals("1", other.query(READ), "other JVM once the invalidation was delivered, read " + i);
            }
        }
    }

    private static void writeTimesOut(Target target) throws Exception {
        reset(target);
        try (AgentProcess other = new AgentProcess(target, redis.tcpProperties()); Connection here = cached(target)) {
            assertEquals("0", other.query(READ));
            assertEquals("0", other.query(READ));
            redis.pause();
            try {
                assertEquals("0", other.query(READ)); // times out on Redis, read from the database
                assertEquals(1, execute(here, "UPDATE cc_counter SET val = 1 WHERE id = 5"));
                assertEquals("1", other.query(READ), "other JVM during the pause");
            } finally {
                redis.resume();
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
            int reads = 0;
            while (System.nanoTime() < deadline && reads++ < 400) {
                assertEquals("1", other.query(READ), "other JVM after Redis resumed, read " + reads);
                TimeUnit.MILLISECONDS.sleep(20);
            }
            assertEquals(1, counter(here, 5), "this JVM after Redis resumed");
        }
    }
}
