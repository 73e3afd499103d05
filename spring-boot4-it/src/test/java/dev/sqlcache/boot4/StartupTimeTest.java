package dev.sqlcache.boot4;

import dev.sqlcache.testing.RedisServerFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What sqlcache adds to an application's start: time from JVM start to the first query answered, Boot 4 application
 * on H2, each start in a fresh JVM, direct (the starter's auto-configuration excluded) and through sqlcache
 * alternated, median of {@code measure.startup.runs} each. A measurement, so off by default (each start is a JVM):
 * {@code mvn -pl spring-boot4-it verify -Dmeasure.startup.runs=5}. Fails when sqlcache's median is more than one
 * second above the direct one.
 */
class StartupTimeTest {

    @Test
    @EnabledIfSystemProperty(named = "measure.startup.runs", matches = "[1-9][0-9]*")
    void sqlcacheAddsLessThanOneSecondToTheFirstQueryAnswered() throws Exception {
        int runs = Integer.parseInt(System.getProperty("measure.startup.runs"));
        long[] direct = new long[runs];
        long[] cached = new long[runs];
        try (RedisServerFixture redis = RedisServerFixture.start()) {
            for (int i = 0; i < runs; i++) {
                direct[i] = start(redis, false);
                cached[i] = start(redis, true);
            }
        }
        long directMedian = median(direct);
        long cachedMedian = median(cached);
        String figures = "direct " + Arrays.toString(direct) + " median " + directMedian + " ms; through sqlcache "
                + Arrays.toString(cached) + " median " + cachedMedian + " ms";
        System.out.println("STARTUP " + figures);
        assertTrue(cachedMedian - directMedian < 1_000, figures);
    }

    private static long start(RedisServerFixture redis, boolean sqlcache) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), StartupProbe.class.getName(),
                "--spring.datasource.url=jdbc:h2:mem:startup", "--sqlcache.redis.host=" + redis.host(),
                "--sqlcache.redis.port=" + redis.port(), "--logging.level.root=WARN"));
        if (!sqlcache) {
            command.add("--spring.autoconfigure.exclude=dev.sqlcache.spring.boot.SqlCacheAutoConfiguration");
        }
        Path out = Files.createTempFile("startup", ".out");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the application did not start");
        }
        String output = Files.readString(out, StandardCharsets.UTF_8);
        Files.delete(out);
        for (String line : output.split("\\R")) {
            if (line.startsWith("STARTUP_MS ")) {
                return Long.parseLong(line.split(" ")[1]);
            }
        }
        throw new AssertionError("no figure from the application (exit " + process.exitValue() + "):\n" + output);
    }

    private static long median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
