package dev.sqlcache.bench.throughput;

import dev.sqlcache.bench.PrivateRedis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.RedisClient;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The harness's CPU readings: {@code /proc} lines and process titles, Redis's {@code INFO cpu}, the differences
 * of two readings, and each source read from a real PostgreSQL backend and a real redis-server.
 */
class CpuPerOpTest {
    /** A {@code /proc/<pid>/stat} line whose command holds a space and a ')': utime 1234, stime 56. */
    private static final String STAT = "4242 (post gres)) S 1 4242 4242 0 -1 4194368 1259 0 0 0 1234 56 7 8 20 0 1 0"
            + " 13157 223191040 15277";

    @Test
    void readsUserAndSystemTicksAfterTheCommand() {
        assertEquals("post gres)", PostgresCpu.command(STAT));
        assertEquals(1234 + 56, PostgresCpu.ticks(STAT));
    }

    @Test
    void countsOnlyBackendsOfTheDatabase() {
        assertTrue(PostgresCpu.isBackendOf("postgres: 15/main: postgres bench_hE 127.0.0.1(41234) idle", "bench_hE"));
        assertTrue(PostgresCpu.isBackendOf("postgres: postgres bench_hE [local] SELECT", "bench_hE"));
        assertFalse(PostgresCpu.isBackendOf("postgres: 15/main: postgres bench_hE 127.0.0.1(41234) idle", "bench"));
        assertFalse(PostgresCpu.isBackendOf("postgres: 15/main: checkpointer", "checkpointer"));
        // a user named like the database, connected to another one
        assertFalse(PostgresCpu.isBackendOf("postgres: 15/main: bench_hE other 127.0.0.1(1) idle", "bench_hE"));
        assertFalse(PostgresCpu.isBackendOf("/usr/lib/postgresql/15/bin/postgres -D bench_hE", "bench_hE"));
    }

    @Test
    void findsTheDatabaseInTheUrl() {
        assertEquals("bench_hE", PostgresCpu.databaseOf("jdbc:postgresql://127.0.0.1:5432/bench_hE"));
        assertEquals("bench", PostgresCpu.databaseOf("jdbc:sqlcache:postgresql://127.0.0.1/bench?ssl=false"));
        assertNull(PostgresCpu.databaseOf("jdbc:h2:mem:x"));
        assertNull(PostgresCpu.databaseOf("jdbc:postgresql://127.0.0.1:5432/"));
    }

    @Test
    void sumsTheTicksOfTheDatabasesBackendsUnderProc(@TempDir Path proc) throws Exception {
        process(proc, 10, "postgres", "postgres: 15/main: postgres bench 127.0.0.1(1) idle", 300, 200);
        process(proc, 11, "postgres", "postgres: 15/main: postgres bench 127.0.0.1(2) UPDATE", 7, 3);
        process(proc, 12, "postgres", "postgres: 15/main: postgres other 127.0.0.1(3) idle", 5000, 5000);
        process(proc, 13, "postgres", "postgres: 15/main: walwriter", 900, 900);
        process(proc, 14, "java", "java -jar bench postgres bench 127.0.0.1(4)", 900, 900);
        Files.createDirectories(proc.resolve("self"));

        // 510 ticks of 10 ms
        assertEquals(5_100_000_000L, new PostgresCpu("bench", proc).nanos());
        assertEquals(CpuUse.UNKNOWN, new PostgresCpu("nobody", proc).nanos(), "no backend: nothing to tell");
        assertEquals(CpuUse.UNKNOWN, new PostgresCpu(null, proc).nanos());
    }

    @Test
    void redisCpuIsUserPlusSystemWithoutChildren() {
        String info = "# CPU\r\nused_cpu_sys:1.500001\r\nused_cpu_user:2.250000\r\nused_cpu_sys_children:9.000000\r\n"
                + "used_cpu_user_children:9.000000\r\nused_cpu_sys_main_thread:1.000000\r\n";
        assertEquals(3_750_001, RedisCommandStats.parseCpuMicros(info));
        assertEquals(CpuUse.UNKNOWN, RedisCommandStats.parseCpuMicros("# CPU\r\nused_cpu_sys:1.0\r\n"));
    }

    @Test
    void aDifferenceIsUnknownWhereEitherReadingIs() {
        CpuUse before = new CpuUse(1_000, 10, CpuUse.UNKNOWN);
        CpuUse after = new CpuUse(5_000, 25, 70);
        assertEquals(new CpuUse(4_000, 15, CpuUse.UNKNOWN), after.since(before));
        assertEquals(new CpuUse(9_000, 40, CpuUse.UNKNOWN), after.since(before).plus(after));
        assertEquals(2.0, CpuUse.microsPerOp(4_000, 2));
        assertTrue(Double.isNaN(CpuUse.microsPerOp(CpuUse.UNKNOWN, 2)));
        assertTrue(Double.isNaN(CpuUse.microsPerOp(4_000, 0)));
    }

    @Test
    void warmsUpUntilTheJitIsNearlyIdle() {
        assertEquals(0.02, Harness.jitShare(1_000, 1_100, 5_000_000_000L), 1e-12);
        assertTrue(Double.isNaN(Harness.jitShare(CpuUse.UNKNOWN, 1_100, 5_000_000_000L)));
        assertFalse(Harness.warmedUp(1, 8, 0.5), "compiling half the round: warm up again");
        assertFalse(Harness.warmedUp(7, 8, 0.021));
        assertTrue(Harness.warmedUp(2, 8, 0.02));
        assertTrue(Harness.warmedUp(8, 8, 0.9), "never more than the most allowed");
        assertTrue(Harness.warmedUp(1, 1, 0.9), "one round when asked for one");
        assertTrue(Harness.warmedUp(1, 8, Double.NaN), "a JVM that does not tell: as before, one round");
    }

    @Test
    void theJitsTimeIsReadAndDiffed() {
        assertTrue(CpuUse.jitMillisNow() >= 0, "HotSpot tells its compilation time");
        assertEquals(new CpuUse(1, 2, 3, 40), new CpuUse(2, 4, 6, 50).since(new CpuUse(1, 2, 3, 10)));
    }

    /** A query that keeps its backend busy for a few hundred ms of CPU shows in the database's backends' time. */
    @Test
    void readsARealBackendsCpu() throws Exception {
        String database = PostgresCpu.databaseOf(TestPostgres.URL);
        PostgresCpu cpu = new PostgresCpu(database);
        try (Connection c = TestPostgres.connect(); Statement s = c.createStatement()) {
            long before = cpu.nanos();
            assertTrue(before >= 0, "this test's own backend of " + database + " is under /proc");
            try (ResultSet rs = s.executeQuery("select count(*) from generate_series(1, 5000000)")) {
                assertTrue(rs.next());
            }
            long after = cpu.nanos();
            assertTrue(after - before >= 50_000_000L, "5 million rows cost at least 50 ms of CPU: " + (after - before));
        }
    }

    @Test
    void readsARealRedisServersCpu() throws Exception {
        try (PrivateRedis redis = PrivateRedis.start();
             RedisCommandStats stats = new RedisCommandStats(new TargetSpec.RedisEndpoint("127.0.0.1", redis.port, 0));
             RedisClient client = RedisClient.create("127.0.0.1", redis.port)) {
            long before = stats.cpuMicros();
            assertTrue(before >= 0, "INFO cpu has both lines");
            for (int i = 0; i < 20_000; i++) {
                client.set("k" + (i % 100), "v");
            }
            assertTrue(stats.cpuMicros() > before, "20,000 commands cost the server CPU");
        }
    }

    private static void process(Path proc, int pid, String command, String title, long utime, long stime)
            throws Exception {
        Path dir = Files.createDirectories(proc.resolve(Integer.toString(pid)));
        Files.writeString(dir.resolve("stat"), pid + " (" + command + ") S 1 " + pid + " " + pid
                + " 0 -1 4194368 1259 0 0 0 " + utime + " " + stime + " 0 0 20 0 1 0 13157 223191040 15277\n");
        Files.write(dir.resolve("cmdline"), (title + "\0\0\0").getBytes(StandardCharsets.UTF_8));
    }
}
