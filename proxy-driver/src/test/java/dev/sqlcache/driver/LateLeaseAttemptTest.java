package dev.sqlcache.driver;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Review rW of hW (an acknowledged auto-commit write's end tells nobody when its keys still hold its lease): the
 * end reads "the key still holds my lease token" as "it held it throughout", but a lease attempt that timed out
 * may still land, late (its request retransmitted after the retry was answered), and place the very same tokens
 * again over a key that was lost meanwhile and that a reader re-created and copied from. Its notice goes out, but
 * nobody waits for it; so the end must tell, and wait, as before.
 */
class LateLeaseAttemptTest extends TwoRuntimesOnOneRedis {

    /** A lease or end script's chunk: its arguments carry the write's lease tokens. */
    private static final Pattern LEASE_TOKENS = Pattern.compile("lease:[0-9a-f]");

    private ScriptedRelay scripted;

    LateLeaseAttemptTest() {
        super("late");
    }

    @AfterEach
    void closeScripted() {
        if (scripted != null) {
            scripted.close();
        }
    }

    private Jedis jedis() {
        return new Jedis(redis.host(), redis.port());
    }

    /** The non-sequence keys whose value matches {@code value}. */
    private List<String> keysHolding(Predicate<String> value) {
        List<String> found = new ArrayList<>();
        try (Jedis jedis = jedis()) {
            for (String key : jedis.keys("sql:*")) {
                if (!"string".equals(jedis.type(key)) || key.contains(":seq:")) {
                    continue;
                }
                String v = jedis.get(key);
                if (v != null && value.test(v)) {
                    found.add(key);
                }
            }
        }
        return found;
    }

    private List<String> untilLeased(int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            List<String> leased = keysHolding(v -> v.startsWith("lease:") && !v.startsWith("lease:held:"));
            if (leased.size() >= count) {
                // Read again: the scan is not atomic, and may have read some keys just before the script leased them.
                return keysHolding(v -> v.startsWith("lease:") && !v.startsWith("lease:held:"));
            }
            assertTrue(System.nanoTime() < deadline, "no lease placed within 20 s");
            Thread.sleep(2);
        }
    }

    /**
     * The writer's first lease attempt times out (100 ms) and lands 3 s late; its retry lands at once and the
     * reader acknowledges it; the UPDATE then waits for a row lock. Meanwhile the leased keys are lost (evicted)
     * and the reader re-creates them and copies the old row (the write has not committed). The late attempt
     * places the same lease tokens again (its notice lost to the reader, whose link just went silent), the lock
     * goes, the write commits, and its end finds every key holding its lease: with hW's check it told nobody and
     * returned at once, and the reader served its copy of 100 after the commit had returned.
     */
    @Test
    void aLateLandingFirstLeaseAttemptDoesNotLetTheEndTellNobody() throws Exception {
        scripted = ScriptedRelay.to(redis.port());
        try (Connection admin = db.plain(); Statement s = admin.createStatement()) {
            s.execute("SET DEFAULT_LOCK_TIMEOUT 30000"); // the writer's session waits for the row lock below
        }
        try (Connection reader = db.through(relay.port());
             Connection writer = db.through(scripted.port(), "sqlcache.redis.socketTimeout", "100ms");
             Connection locker = db.plain()) {
            untilNearHit(reader, 100);
            db.update(writer, 101); // the writer's engine warmed up: its next lease is the one under test
            untilNearHit(reader, 101);

            locker.setAutoCommit(false);
            try (Statement s = locker.createStatement(); ResultSet rs = s.executeQuery(
                    "select v from late where id = 1 for update")) {
                assertTrue(rs.next());
            }
            scripted.delayOnce(3_000, LEASE_TOKENS);
            CompletableFuture<Void> write = CompletableFuture.runAsync(() -> {
                try {
                    db.update(writer, 200);
                } catch (java.sql.SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            // The retry landed (the first attempt is still on the wire) and the reader acknowledged it.
            List<String> leased = untilLeased(1);
            // The leased keys are evicted; the reader re-creates them and copies the row the write has not changed.
            try (Jedis jedis = jedis()) {
                jedis.del(leased.toArray(new String[0]));
            }
            untilNearHit(reader, 101);
            // The reader's link goes silent right before the late attempt lands: it never hears that attempt's notice.
            scripted.onceBefore(LEASE_TOKENS, relay::blackHole);
            untilLeased(leased.size());
            locker.commit();
            write.get(30, TimeUnit.SECONDS);
            assertEquals(200, db.value(reader), "the reader served its copy after the write's commit returned");
        } finally {
            relay.restore();
        }
    }
}
