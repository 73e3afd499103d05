package dev.sqlcache.driver;

import dev.sqlcache.internal.membership.MembershipStore;
import dev.sqlcache.internal.store.CacheStore;
import dev.sqlcache.testing.RedisServerFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * "A clean shutdown leaves the set and fences nobody." The shutdown hook leaves, but the renewal task keeps
 * running while the JVM finishes its other shutdown hooks: its next renewal is refused (the member left), the one
 * after joins again, and when the JVM is gone that membership lapses and takes the fence down for every other JVM
 * for sqlcache.fenceTimeout (30 s by default), on every rolling restart of an application whose shutdown takes
 * longer than about a second.
 */
class ShutdownLeaveTest {

    private RedisServerFixture redis;

    @BeforeEach
    void start() {
        redis = RedisServerFixture.start();
    }

    @AfterEach
    void stop() {
        redis.close();
    }

    @Test
    void aCleanExitLeaves() throws Exception {
        exitAndCheck(0);
    }

    @Test
    void aCleanExitWithASlowShutdownHookLeavesForGood() throws Exception {
        exitAndCheck(1_500);
    }

    /**
     * A connection still open when the hook closes its runtime could start a write after the leave, which, its
     * store closed, would rely on a lapse that fences nobody (docs/consistency.md, "A leave with connections
     * open"): the runtime does not leave, its membership lapses and the fence stays down. Failed before the rule:
     * the hook left (no member, the fence up).
     */
    @Test
    void anExitWithAConnectionStillOpenLapsesInsteadOfLeaving() throws Exception {
        exitWith("open", false);
    }

    /**
     * The common case of a connection open at the exit: the application's own hook closes its pool while
     * sqlcache's runs. The exit waits for it (CacheRuntimes.EXIT_GRACE_MILLIS) and then leaves, so the other JVMs
     * keep the cache. Failed without the wait: the membership lapsed, as with a connection never closed.
     */
    @Test
    void anExitWhoseApplicationClosesItsPoolInItsOwnHookStillLeaves() throws Exception {
        exitWith("pool", true);
    }

    /** Runs the child with a connection in {@code mode} and checks whether its exit left the set or lapsed. */
    private void exitWith(String mode, boolean left) throws Exception {
        Path output = runChild(0, mode);
        try {
            Thread.sleep(2_500); // a membership renewed just before the exit has lapsed by now
            assertEquals(left ? ":0" : ":1", redis.command("ZCOUNT", MembershipStore.MEMBERS_KEY, "-inf", "(+inf"),
                    left ? "the exited JVM is still a member" : "the exited JVM did not leave");
            assertEquals(left ? ":1" : ":0", redis.command("EXISTS", MembershipStore.FENCE_KEY),
                    left ? "the fence is down for everybody" : "its lapse took the fence down");
        } finally {
            java.nio.file.Files.delete(output);
        }
    }

    /** Runs the child to its exit; returns its output's file (printed here), which the caller deletes. */
    private Path runChild(long hookMillis, String... more) throws Exception {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path output = java.nio.file.Files.createTempFile("shutdown-leave-child", ".txt");
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m",
                "-XX:TieredStopAtLevel=1", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", classPath,
                ShutdownLeaveMain.class.getName(), Integer.toString(redis.port()), Long.toString(hookMillis)));
        command.addAll(List.of(more));
        Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        try {
            if (!child.waitFor(120, TimeUnit.SECONDS)) {
                fail("the child did not exit within 120 s:\n" + threadDump(child.pid()));
            }
            assertEquals(0, child.exitValue());
        } finally {
            child.destroyForcibly();
            System.out.print(java.nio.file.Files.readString(output));
        }
        return output;
    }

    private void exitAndCheck(long hookMillis) throws Exception {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path output = java.nio.file.Files.createTempFile("shutdown-leave-child", ".txt");
        Process child = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-XX:TieredStopAtLevel=1", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp", classPath, ShutdownLeaveMain.class.getName(), Integer.toString(redis.port()), Long.toString(hookMillis)))
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        // The child is the only member: while it runs, the fence goes only when its membership lapses. A lapse before
        // it starts to exit ("joined") means it was starved of CPU past its membership (a loaded machine), which
        // rightly takes the fence down, and its clean exit then proves nothing about the shutdown.
        boolean fenceUp = false;
        boolean lapsedBeforeExit = false;
        try {
            // A JVM's start, its H2 and its join took 26 s under a load average of 30: the bound is for a child that
            // hangs in its shutdown, and then what it hangs in is the failure's message.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!child.waitFor(50, TimeUnit.MILLISECONDS)) {
                if (System.nanoTime() - deadline > 0) {
                    fail("the child did not exit within 120 s:\n" + threadDump(child.pid()));
                }
                boolean fence = ":1".equals(redis.command("EXISTS", MembershipStore.FENCE_KEY));
                if (fence) {
                    fenceUp = true;
                } else if (fenceUp && !java.nio.file.Files.readString(output).contains("joined")) {
                    lapsedBeforeExit = true;
                }
            }
            assertEquals(0, child.exitValue());
        } finally {
            child.destroyForcibly();
            System.out.print(java.nio.file.Files.readString(output));
            java.nio.file.Files.delete(output);
        }
        org.junit.jupiter.api.Assumptions.assumeFalse(lapsedBeforeExit,
                "the child's membership lapsed before it began to exit (starved of CPU): nothing to judge");
        Thread.sleep(2_500); // a membership renewed just before the exit has lapsed by now
        assertEquals(":0", redis.command("ZCOUNT", MembershipStore.MEMBERS_KEY, "-inf", "(+inf"), "the exited JVM is still a member");
        assertEquals(":1", redis.command("EXISTS", MembershipStore.FENCE_KEY), "the fence is down for everybody");
    }

    /** The threads of a running JVM, by jcmd (bounded), or why there are none. */
    private static String threadDump(long pid) {
        try {
            Path out = java.nio.file.Files.createTempFile("shutdown-leave-threads", ".txt");
            Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    Long.toString(pid), "Thread.print").redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!jcmd.waitFor(30, TimeUnit.SECONDS)) {
                jcmd.destroyForcibly();
            }
            String threads = java.nio.file.Files.readString(out);
            java.nio.file.Files.delete(out);
            return threads;
        } catch (Exception e) {
            return "no thread dump: " + e;
        }
    }
}
