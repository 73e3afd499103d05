package dev.sqlcache.internal.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import picocli.CommandLine;

/** One run of the admin command line with captured output. */
record CliRun(int exitCode, String out, String err) {

    /** Runs through {@link AdminCli#commandLine}, as {@code main} does. */
    static CliRun run(Map<String, String> environment, String... args) {
        return run(AdminCli.commandLine(new AdminCli(environment)), args);
    }

    /** Runs through a plain picocli command line, without the parse-error handler. */
    static CliRun runPlain(Map<String, String> environment, String... args) {
        return run(new CommandLine(new AdminCli(environment)), args);
    }

    private static CliRun run(CommandLine commandLine, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int code = commandLine.execute(args);
        return new CliRun(code, out.toString(), err.toString());
    }

    /** Asserts a failure: this exit code, nothing on stdout, exactly one line on stderr, no stack trace. */
    CliRun assertOneLineError(int expectedCode) {
        assertEquals(expectedCode, exitCode, this::toString);
        assertEquals(1, err.strip().lines().count(), () -> "expected one line on stderr: " + this);
        assertFalse(err.contains("\tat ") || err.contains("Exception"), () -> "stack trace or exception: " + this);
        assertEquals("", out, () -> "expected nothing on stdout: " + this);
        return this;
    }

    CliRun assertSuccess() {
        assertEquals(0, exitCode, this::toString);
        return this;
    }

    @Override
    public String toString() {
        return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
}
