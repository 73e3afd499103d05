package dev.sqlcache.firstscreen;

import dev.sqlcache.testing.RedisServerFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Each way in of README's first screen, tried from an empty project: Maven builds and tests the project under
 * src/it as a user's machine would, with sqlcache's published artifacts (installed into a private repository by
 * this module's invoker:install) and nothing of this build's class path. The project's own test does the read, the
 * write and the hit; this test requires that the build passed and that its tests ran, none skipped.
 */
class FirstScreenIT {

    private static final Pattern COUNTS = Pattern.compile(
            "<testsuite[^>]*?\\stests=\"(\\d+)\"[^>]*?\\serrors=\"(\\d+)\"[^>]*?\\sskipped=\"(\\d+)\"[^>]*?\\sfailures=\"(\\d+)\"");
    private static final Pattern PLACEHOLDER = Pattern.compile("@(\\w+)@");

    private static RedisServerFixture redis;

    @BeforeAll
    static void startRedis() {
        redis = RedisServerFixture.start();
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"jar-and-url-prefix, 2", "boot-starter, 1", "datasource-wrapper, 1"})
    void anEmptyProjectReadsWritesAndHits(String project, int tests) throws Exception {
        Path work = Path.of(property("firstScreen.work")).resolve(project);
        copyFilled(Path.of(property("firstScreen.projects")).resolve(project), work);
        Path settings = work.resolve("settings.xml");
        fill(Path.of(property("firstScreen.projects")).resolve("settings.xml"), settings);

        Path log = work.resolve("build.log");
        Path maven = Path.of(property("firstScreen.maven"), "bin", "mvn");
        ProcessBuilder builder = new ProcessBuilder(maven.toString(), "-B", "-ntp", "-s", settings.toString(),
                "-Dmaven.repo.local=" + property("firstScreen.repository"), "test")
                .directory(work.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Map<String, String> environment = builder.environment();
        environment.put("REDIS_HOST", redis.host());
        environment.put("REDIS_PORT", Integer.toString(redis.port()));
        // As every test of this build: hits are asserted on an embedded database, cheaper than a Redis round trip.
        environment.put("SQLCACHE_TABLE_POLICY", "*=on");
        environment.remove("MAVEN_ARGS");
        Process build = builder.start();
        if (!build.waitFor(5, TimeUnit.MINUTES)) {
            build.destroyForcibly();
            fail(project + ": the build took over 5 minutes; see " + log);
        }
        assertEquals(0, build.exitValue(), () -> project + " failed:\n" + tail(log));

        int[] counts = surefireCounts(work.resolve("target/surefire-reports"));
        assertEquals(tests, counts[0], project + ": tests run\n" + tail(log));
        assertEquals(0, counts[1] + counts[2] + counts[3], project + ": errors, skipped, failures\n" + tail(log));
    }

    /** Tests, errors, skipped, failures, summed over the project's reports. */
    private static int[] surefireCounts(Path reports) throws IOException {
        assertTrue(Files.isDirectory(reports), "no test reports in " + reports);
        int[] counts = new int[4];
        try (Stream<Path> files = Files.list(reports)) {
            for (Path report : files.filter(f -> f.getFileName().toString().matches("TEST-.*\\.xml")).toList()) {
                Matcher m = COUNTS.matcher(Files.readString(report));
                assertTrue(m.find(), "unreadable report " + report);
                for (int i = 0; i < 4; i++) {
                    counts[i] += Integer.parseInt(m.group(i + 1));
                }
            }
        }
        return counts;
    }

    /** Copies a project afresh, its POM's @name@ placeholders filled with this build's pinned versions. */
    private static void copyFilled(Path from, Path to) throws IOException {
        if (Files.exists(to)) {
            try (Stream<Path> old = Files.walk(to)) {
                for (Path p : old.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        try (Stream<Path> files = Files.walk(from)) {
            for (Path source : files.toList()) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else if (source.getFileName().toString().equals("pom.xml")) {
                    fill(source, target);
                } else {
                    Files.copy(source, target);
                }
            }
        }
    }

    private static void fill(Path template, Path target) throws IOException {
        Matcher m = PLACEHOLDER.matcher(Files.readString(template, StandardCharsets.UTF_8));
        StringBuilder filled = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(filled, Matcher.quoteReplacement(value(m.group(1))));
        }
        m.appendTail(filled);
        Files.writeString(target, filled, StandardCharsets.UTF_8);
    }

    private static String value(String name) {
        return name.equals("mirror")
                ? Path.of(property("firstScreen.mirror")).toUri().toString()
                : property("firstScreen.version." + name);
    }

    private static String property(String name) {
        String value = System.getProperty(name);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException(name + " is not set: run this test through Maven (mvn verify)");
        }
        return value;
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
