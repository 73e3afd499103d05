package dev.sqlcache.driver;

import dev.sqlcache.stats.CacheStatistics;
import dev.sqlcache.testing.RedisServerFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TLS to Redis from sqlcache's own settings, without JVM-wide trust stores: a CA, a server certificate and a client
 * certificate made by {@code openssl} here, a {@code redis-server --tls-port} requiring client certificates. Mutual
 * TLS caches; a wrong CA, a missing client certificate or a certificate for another host name fail open (the
 * database answers) with a WARN that says TLS failed.
 */
class RedisTlsTest {

    private static TestCertificates certificates;
    private static RedisServerFixture redis;
    private static RedisServerFixture misnamed;
    private static int tlsPort;
    private static int misnamedPort;

    private static String file(String name) {
        return certificates.file(name);
    }

    @BeforeAll
    static void start() throws Exception {
        certificates = TestCertificates.create().authority("ca").authority("otherca")
                .certificate("server", "ca", "IP:127.0.0.1")
                .certificate("elsewhere", "ca", "DNS:elsewhere.example")
                .certificate("client", "ca", "");
        tlsPort = RedisServerFixture.anyFreePort();
        redis = RedisServerFixture.startWithArguments(certificates.redisTls(tlsPort, "server", "ca"));
        misnamedPort = RedisServerFixture.anyFreePort();
        misnamed = RedisServerFixture.startWithArguments(certificates.redisTls(misnamedPort, "elsewhere", "ca"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (redis != null) {
            redis.close();
        }
        if (misnamed != null) {
            misnamed.close();
        }
        certificates.close();
    }

    private static Properties settings(int port, String... extra) {
        Properties p = new Properties();
        p.setProperty("sqlcache.redis.url", "rediss://127.0.0.1:" + port);
        for (int i = 0; i < extra.length; i += 2) {
            p.setProperty(extra[i], extra[i + 1]);
        }
        return p;
    }

    /**
     * Reads a table through the cache until a hit; returns the statistics of those reads. Where a hit is expected it
     * waits up to 30 s for one (a loaded machine stretches the handshake and every round trip); where none may come,
     * 40 tries that find none are enough.
     */
    private static CacheStatistics reads(Properties settings, String table, boolean hitExpected) throws Exception {
        try (Connection direct = TestDatabase.H2.direct(); Connection cached = TestDatabase.H2.cached(settings)) {
            RedisBackedTest.exec(direct, "drop table if exists " + table,
                    "create table " + table + " (id int primary key, v int)", "insert into " + table + " values (1, 7)");
            String sql = "select id, v from " + table + " where id + 0 = 1";
            CacheStatistics start = RedisBackedTest.stats(cached);
            if (hitExpected) {
                RedisBackedTest.untilHit(cached, direct, sql);
            }
            for (int i = 0; i < 40 && RedisBackedTest.stats(cached).since(start).hits() == 0; i++) {
                assertEquals(RedisBackedTest.rows(direct, sql), RedisBackedTest.rows(cached, sql), "the database's answer");
                Thread.sleep(10);
            }
            return RedisBackedTest.stats(cached).since(start);
        }
    }

    @Test
    void mutualTlsWithItsOwnCaCaches() throws Exception {
        CacheStatistics s = reads(settings(tlsPort, "sqlcache.redis.tls.caFile", file("ca.crt"),
                "sqlcache.redis.tls.certFile", file("client.crt"), "sqlcache.redis.tls.keyFile", file("client.key")),
                "tls_ok", true);
        assertTrue(s.hits() > 0, s.toString());
        assertEquals(0, s.redisErrors(), s.toString());
    }

    /** Each case: the database answers, nothing is served from the cache, and a WARN says TLS failed. */
    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.CsvSource({"wrong CA, false, otherca.crt, client",
            "no client certificate, false, ca.crt, ''", "certificate for another host, true, ca.crt, client"})
    void failsOpenWithAWarning(String what, boolean misnamedServer, String ca, String client) throws Exception {
        List<String> extra = new ArrayList<>(List.of("sqlcache.redis.tls.caFile", file(ca)));
        if (!client.isEmpty()) {
            extra.addAll(List.of("sqlcache.redis.tls.certFile", file(client + ".crt"),
                    "sqlcache.redis.tls.keyFile", file(client + ".key")));
        }
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        CacheStatistics s;
        try {
            s = reads(settings(misnamedServer ? misnamedPort : tlsPort, extra.toArray(String[]::new)),
                    "tls_" + what.length(), false);
        } finally {
            System.setErr(err);
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        assertEquals(0, s.hits(), what + ": " + s);
        // Under TLS 1.3 the server refuses a missing client certificate after the client's handshake is done: the
        // client may learn it from the alert (TLS failed) or from the connection it then finds closed.
        // A handshake that fails is a misconfiguration (ERROR, once); a connection found closed may pass (WARN).
        boolean told = log.contains("ERROR") && log.contains("TLS failed")
                || client.isEmpty() && log.contains("WARN") && log.contains("connection failed");
        assertTrue(told, what + ": " + log);
        System.out.println("RedisTlsTest " + what + ": "
                + log.lines().filter(l -> l.contains("WARN") || l.contains("ERROR")).findFirst().orElse(""));
    }

    /** Plain text to a TLS port: the server hangs up on every connection, which is logged once as what to set. */
    @Test
    void plainTextToATlsPortIsAMisconfiguration() throws Exception {
        Properties plain = new Properties();
        plain.setProperty("sqlcache.redis.url", "redis://127.0.0.1:" + tlsPort);
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        CacheStatistics s;
        try {
            s = reads(plain, "tls_plain", false);
        } finally {
            System.setErr(err);
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        assertEquals(0, s.hits(), s.toString());
        assertEquals(1, log.lines().filter(l -> l.contains("ERROR") && l.contains("TLS port spoken to in plain text")
                && l.contains("sqlcache.redis.ssl=true")).count(), log);
        System.out.println("RedisTlsTest plain text: " + s.redisErrors() + " Redis errors in " + s.bypasses(
                dev.sqlcache.stats.BypassReason.CACHE_UNAVAILABLE) + " unavailable reads; "
                + log.lines().filter(l -> l.contains("ERROR")).findFirst().orElse(""));
    }
}
