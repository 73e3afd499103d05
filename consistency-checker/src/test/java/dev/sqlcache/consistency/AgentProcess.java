package dev.sqlcache.consistency;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** The other JVM of a deterministic cross-JVM test: an {@link Agent} process answering one command at a time. */
final class AgentProcess implements AutoCloseable {

    private final Process process;
    private final Writer commands;
    private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();

    AgentProcess(Target target, Map<String, String> settings) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx128m");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        command.add("-Dorg.slf4j.simpleLogger.logFile=System.err");
        command.add("-cp");
        command.add(Harness.classPath());
        command.add(Agent.class.getName());
        command.add(target.name());
        command.add(target.url());
        command.add(target.user());
        command.add(target.password());
        settings.forEach((k, v) -> command.add(k + "=" + v));
        process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    answers.add(line);
                }
            } catch (IOException e) {
                answers.add("error " + e.getMessage());
            }
        }, "agent-output");
        reader.setDaemon(true);
        reader.start();
        String ready = answers.poll(60, TimeUnit.SECONDS);
        if (!"ready".equals(ready)) {
            close();
            throw new IllegalStateException("agent JVM did not start: " + ready);
        }
    }

    /** Runs a query in the other JVM and returns its rows as {@code v,v;v,v}. */
    String query(String sql) throws IOException, InterruptedException {
        return send("query " + sql, "rows ");
    }

    int update(String sql) throws IOException, InterruptedException {
        return Integer.parseInt(send("update " + sql, "updated "));
    }

    private String send(String command, String prefix) throws IOException, InterruptedException {
        commands.write(command + "\n");
        commands.flush();
        String answer = answers.poll(30, TimeUnit.SECONDS);
        if (answer == null || !answer.startsWith(prefix)) {
            throw new IllegalStateException("agent answered " + answer + " to " + command);
        }
        return answer.substring(prefix.length());
    }

    @Override
    public void close() {
        try {
            commands.write("quit\n");
            commands.flush();
        } catch (IOException ignored) {
            // already gone
        }
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
