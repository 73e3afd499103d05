package dev.sqlcache.consistency;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A JVM killed midway leaves no report: the violations it echoed to its log are all that is left of its verdicts. */
class ReportEchoTest {

    @Test
    void violationsEchoedToALogAreReadBackWithTheirKind(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("jvm-2.log");
        try (PrintStream out = new PrintStream(Files.newOutputStream(log), true, StandardCharsets.UTF_8)) {
            Report report = new Report();
            report.echoViolationsTo(out);
            out.println("some other log line");
            report.violation("stale-counter", "counter 5 = 0 but 1 was committed\nbefore the read started");
            report.violation("stale-join", "owner 2");
        }
        Report echoed = Report.readEchoed(log);
        assertEquals(2, echoed.get("violations"));
        assertEquals(1, echoed.get("violation.stale-counter"));
        assertEquals(1, echoed.get("violation.stale-join"));
        assertEquals(2, echoed.violations().size());
    }
}
