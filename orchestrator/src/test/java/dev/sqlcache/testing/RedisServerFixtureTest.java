package dev.sqlcache.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class RedisServerFixtureTest {

    @Test
    void lifecycle() {
        Path socket;
        try (RedisServerFixture server = RedisServerFixture.start()) {
            socket = Path.of(server.socketPath());
            assertTrue(Files.exists(socket));
            assertEquals("127.0.0.1", server.host());
            assertEquals(Integer.toString(server.port()), server.tcpProperties().get("sqlcache.redis.port"));
            assertEquals(server.socketPath(), server.unixProperties().get("sqlcache.redis.socketPath"));
            assertEquals("+OK", server.command("SET", "k", "v"));
            server.flushAll();
            assertEquals(":0", server.command("EXISTS", "k"));

            assertEquals("+OK", server.command("SET", "k", "v"));
            int port = server.port();
            server.restart();
            assertEquals(port, server.port());
            assertEquals(":0", server.command("EXISTS", "k"), "a restart starts empty");

            server.pause();
            assertThrows(IllegalStateException.class, () -> server.command("PING"));
            server.resume();
            assertEquals("+PONG", server.command("PING"));

            server.stop();
            assertFalse(server.isRunning());
            assertThrows(IllegalStateException.class, () -> server.command("PING"));
        }
        assertFalse(Files.exists(socket.getParent()), "close deletes the directory");
    }

    @Test
    void aPasswordIsRequiredAndHandedOut() {
        try (RedisServerFixture server = RedisServerFixture.startWithPassword("pw")) {
            assertEquals("pw", server.tcpProperties().get("sqlcache.redis.password"));
            assertEquals("+PONG", server.command("PING")); // the fixture authenticates itself
        }
    }
}
