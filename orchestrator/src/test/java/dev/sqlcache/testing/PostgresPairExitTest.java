package dev.sqlcache.testing;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Review (rD): a JVM that ends without closing its {@link PostgresPair} (a surefire timeout, Ctrl-C) must not leave
 * its two PostgreSQL servers running: pg_ctl starts them as daemons, which outlive the JVM that started them.
 */
class PostgresPairExitTest {

    /** The child: starts a pair, says where it is, then waits to be ended. */
    public static final class Main {
        public static void main(String[] args) throws Exception {
            PostgresPair pair = PostgresPair.start();
            System.out.println(pair.primaryUrl() + " " + pair.replicaUrl() + " " + pair.directory());
            System.out.flush();
            System.in.read(); // ended by the parent's SIGTERM, never by close()
        }
    }

    @Test
    void aJvmEndedWithoutClosingItsPairStopsBothServers() throws Exception {
        assertTrue(Files.isExecutable(Path.of(System.getenv().getOrDefault("CACHETEST_PG_BIN",
                "/usr/lib/postgresql/15/bin")).resolve("pg_ctl")) || skip());
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-cp", classPath, Main.class.getName()).redirectErrorStream(true).start();
        String[] urls = null;
        List<String> seen = new ArrayList<>();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8));
            for (String line; (line = out.readLine()) != null; ) {
                seen.add(line);
                if (line.startsWith("jdbc:postgresql:")) {
                    urls = line.split(" ");
                    break;
                }
            }
            assertNotNull(urls, "the child started its pair: " + seen);
            for (int i = 0; i < 2; i++) {
                try (Connection c = DriverManager.getConnection(urls[i])) {
                    assertTrue(c.isValid(10), "up while the child runs");
                }
            }
            child.destroy(); // SIGTERM: shutdown hooks run, close() does not
            assertTrue(child.waitFor(120, TimeUnit.SECONDS), "the child ended");
            for (int i = 0; i < 2; i++) {
                assertFalse(answers(urls[i]), "stopped with the JVM that started it: " + urls[i]);
            }
        } finally {
            child.destroyForcibly();
            if (urls != null) {
                stopLeftOver(Path.of(urls[2]));
            }
        }
    }

    /** What the child left running (only where this test failed): stopped, and its files deleted. */
    private static void stopLeftOver(Path directory) throws Exception {
        for (String server : List.of("replica", "primary")) {
            if (Files.exists(directory.resolve(server).resolve("postmaster.pid"))) {
                List<String> stop = new ArrayList<>();
                if ("root".equals(System.getProperty("user.name"))) {
                    stop.addAll(List.of("runuser", "-u", "postgres", "--"));
                }
                stop.addAll(List.of(Path.of(System.getenv().getOrDefault("CACHETEST_PG_BIN",
                        "/usr/lib/postgresql/15/bin")).resolve("pg_ctl").toString(), "-D",
                        directory.resolve(server).toString(), "-w", "-m", "immediate", "stop"));
                new ProcessBuilder(stop).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start().waitFor(70, TimeUnit.SECONDS);
            }
        }
        if (Files.exists(directory)) {
            try (var files = Files.walk(directory)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    private static boolean answers(String url) {
        try (Connection c = DriverManager.getConnection(url + "&connectTimeout=10")) {
            return c.isValid(10);
        } catch (SQLException refused) {
            return false;
        }
    }

    private static boolean skip() {
        org.junit.jupiter.api.Assumptions.abort("PostgreSQL's binaries are not installed");
        return false;
    }
}
