package dev.sqlcache.driver;

import dev.sqlcache.internal.membership.MembershipStore;
import dev.sqlcache.stats.CacheStatistics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Redis ACL user documented in docs/configuration.md ("Securing Redis") is all sqlcache needs: the test runs
 * the very line the docs give, then caches, hits, invalidates and joins the membership with nothing refused. A
 * user missing one command gets its refusal reported as a permission problem (not as bad credentials), and a JVM
 * that cannot join the membership says so at ERROR.
 */
class RedisAclTest extends RedisBackedTest {

    private static final String PASSWORD = "acl-test-password";
    private long writeMillis;
    private long fenceWaits;

    /** The {@code ACL SETUSER} line of docs/configuration.md, with the password filled in. */
    private static List<String> documentedAclLine() throws Exception {
        Path docs = Path.of("..", "docs", "configuration.md");
        String line = Files.readAllLines(docs).stream().map(String::strip)
                .filter(l -> l.startsWith("ACL SETUSER sqlcache ")).findFirst()
                .orElseThrow(() -> new AssertionError("no ACL SETUSER line in " + docs));
        List<String> words = new ArrayList<>(Arrays.asList(line.split("\\s+")));
        words.replaceAll(w -> w.equals(">PASSWORD") ? ">" + PASSWORD : w);
        return words;
    }

    private static void setUser(List<String> words) {
        String reply = redis.command(words.toArray(String[]::new));
        assertEquals("+OK", reply, String.join(" ", words));
    }

    private static java.util.Properties as(String user) {
        return settings("sqlcache.redis.username", user, "sqlcache.redis.password", PASSWORD);
    }

    /**
     * On PostgreSQL too: there the membership's renewals also register the JVM's database for the early drop of dead
     * members (a hash the H2 run never writes), which a documented line once lacked the commands for.
     */
    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"H2", "POSTGRES"})
    void theDocumentedUserIsAllSqlcacheNeeds(TestDatabase database) throws Exception {
        List<String> words = documentedAclLine();
        setUser(words);
        try (Connection direct = database.direct(); Connection cached = database.cached(as("sqlcache"))) {
            exec(direct, "drop table if exists acl_item", "create table acl_item (id int primary key, v int)",
                    "insert into acl_item values (1, 10)");
            String read = "select id, v from acl_item where id + 0 = 1";
            CacheStatistics start = stats(cached);
            untilHit(cached, direct, read);
            exec(cached, "update acl_item set v = 11 where id = 1");
            assertEquals(List.of(List.of("1", "11")), rows(cached, read));
            CacheStatistics delta = stats(cached).since(start);
            assertEquals(0, delta.redisErrors(), delta.toString());
            assertTrue(delta.invalidations() > 0, delta.toString());
            assertTrue(Integer.parseInt(redis.command("ZCARD", MembershipStore.MEMBERS_KEY).substring(1)) > 0,
                    "joined the membership");
        }
    }

    /**
     * Without one of the commands the membership needs: reads and writes still get the database's answers, the
     * refusal is a permission problem, the failed join an ERROR, and no write waits (the JVM never joined, so it
     * has nobody to wait for).
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"+time", "+info"})
    void aMissingPermissionIsReportedAsOneNamingWhatWasRefused(String missing) throws Exception {
        List<String> words = documentedAclLine();
        String user = "sqlcache_no" + missing.substring(1);
        words.set(2, user);
        assertTrue(words.remove(missing), "the documented line grants " + missing);
        setUser(words);
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try (Connection direct = TestDatabase.H2.direct();
             Connection cached = TestDatabase.H2.cached(as(user))) {
            exec(direct, "drop table if exists acl_other", "create table acl_other (id int primary key, v int)",
                    "insert into acl_other values (1, 10)");
            String read = "select id, v from acl_other where id + 0 = 1";
            for (int i = 0; i < 20; i++) {
                assertEquals(rows(direct, read), rows(cached, read));
                Thread.sleep(25);
            }
            long started = System.nanoTime();
            dev.sqlcache.stats.CacheStatistics before = stats(cached);
            exec(cached, "update acl_other set v = 11 where id = 1");
            exec(cached, "update acl_other set v = 12 where id = 1");
            writeMillis = (System.nanoTime() - started) / 1_000_000;
            fenceWaits = stats(cached).since(before).fenceWaits();
            assertEquals(rows(direct, read), rows(cached, read));
        } finally {
            System.setErr(err);
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("lacks a permission"), log);
        assertTrue(log.contains("can't run this command") || log.contains("NOPERM"), log);
        // The server does not name a command refused inside a script: the script's commands are listed instead.
        assertTrue(log.contains(" runs ") && log.contains(missing.substring(1).toUpperCase(java.util.Locale.ROOT)),
                log);
        assertTrue(!log.contains("rejected the credentials"), log);
        assertTrue(log.lines().anyMatch(l -> l.contains("ERROR") && l.contains("cannot join the membership")), log);
        assertTrue(!log.contains(PASSWORD), "no password in the log");
        System.out.println("RedisAclTest without " + missing + ": "
                + log.lines().filter(l -> l.contains("lacks a permission")).findFirst().orElse(""));
        System.out.println("RedisAclTest: two writes without " + missing + " took " + writeMillis + " ms");
        // Counted, not timed: a write that cannot tell Redis waits only for the fence, and a JVM the server refuses
        // never joined, so it has nobody to fence and nothing to wait for.
        assertEquals(0, fenceWaits, "writes that waited for the fence");
    }
}
