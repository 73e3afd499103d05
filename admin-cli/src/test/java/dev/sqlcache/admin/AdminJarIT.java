package dev.sqlcache.admin;

import dev.sqlcache.testing.RedisServerFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code java -jar sqlcache-admin.jar}, as an operator runs it: help, a command, and the documented exit codes. */
class AdminJarIT {

    private static RedisServerFixture redis;

    @BeforeAll
    static void start() {
        redis = RedisServerFixture.start();
    }

    @AfterAll
    static void stop() {
        redis.close();
    }

    @Test
    void helpListsTheCommandsAndTheExitCodes() throws Exception {
        Run run = java("--help");
        assertEquals(0, run.exit, run.toString());
        for (String expected : new String[] {"health", "stats", "invalidate", "flush", "Exit codes:",
                "1   Redis unreachable or failing", "2   bad command line or configuration"}) {
            assertTrue(run.out.contains(expected), expected + " in " + run);
        }
    }

    @Test
    void statsAgainstARunningRedisSucceedsInPlainWords() throws Exception {
        Run run = java("stats", "--redis-host", redis.host(), "--redis-port", Integer.toString(redis.port()));
        assertEquals(0, run.exit, run.toString());
        assertTrue(run.out.contains("members: 0 JVMs (0 lapsed); caching: not started"), run.toString());
        assertTrue(run.err.isEmpty(), "no logging noise: " + run.err);
    }

    @Test
    void exitCodeOneWhenRedisIsUnreachableAndTwoForABadCommandLine() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        Run unreachable = java("health", "--redis-host", "127.0.0.1", "--redis-port", Integer.toString(closed));
        assertEquals(1, unreachable.exit, unreachable.toString());
        Run bad = java("stats", "--no-such-option");
        assertEquals(2, bad.exit, bad.toString());
        assertEquals(2, java().exit, "no command");
    }

    private static Run java(String... args) throws IOException, InterruptedException {
        Path jar = Path.of(System.getProperty("sqlcache.admin.jar", "target/sqlcache-admin.jar"));
        assertTrue(Files.isRegularFile(jar), jar + " (built in the package phase)");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        // The operator's environment must not point the tool elsewhere.
        builder.environment().keySet().removeIf(k -> k.startsWith("REDIS_") || k.startsWith("SQLCACHE_"));
        Path out = Files.createTempFile("admin", ".out");
        Path err = Files.createTempFile("admin", ".err");
        builder.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process process = builder.start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("sqlcache-admin did not finish: " + command);
        }
        Run run = new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
        Files.delete(out);
        Files.delete(err);
        return run;
    }

    private record Run(int exit, String out, String err) {
    }
}
