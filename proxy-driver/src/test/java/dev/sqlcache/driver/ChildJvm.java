package dev.sqlcache.driver;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * A second JVM on this test's class path, running a {@code main} of the tests (a workload that shares a Redis with
 * this JVM). Its output is read line by line: first by {@link #awaitLine}, then, once {@link #follow} is called, by a
 * thread into a queue that the test polls between its own steps. Closing kills it.
 */
final class ChildJvm implements AutoCloseable {

    private final Process process;
    private final BufferedReader out;
    private final Queue<String> lines = new ConcurrentLinkedQueue<>();

    private ChildJvm(Process process) {
        this.process = process;
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    static ChildJvm start(Class<?> main, String... args) throws IOException {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m",
                "-XX:TieredStopAtLevel=1", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", classPath,
                main.getName()));
        command.addAll(List.of(args));
        return new ChildJvm(new ProcessBuilder(command).redirectErrorStream(true).start());
    }

    /** Writes one line to its standard input. */
    void send(String line) throws IOException {
        process.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().flush();
    }

    long pid() {
        return process.pid();
    }

    /** Reads until a line that starts with {@code prefix} and returns it (null when the child ended first). */
    String awaitLine(String prefix) throws IOException {
        String line;
        while ((line = out.readLine()) != null && !line.startsWith(prefix)) {
            System.out.println("child: " + line);
        }
        return line;
    }

    /** From now on its lines are read as they come, for {@link #poll}. */
    void follow() {
        Thread reader = new Thread(() -> {
            try {
                for (String line; (line = out.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // Killed: its output ends here.
            }
        }, "child-jvm-output");
        reader.setDaemon(true);
        reader.start();
    }

    /** The next line it printed, or null when none is waiting. */
    String poll() {
        return lines.poll();
    }

    /** {@code kill -9}, and waits for it to be gone. */
    void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        kill();
    }
}
