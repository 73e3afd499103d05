package dev.sqlcache.internal.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlcache.internal.config.RedisSettings;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.Connection;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * A reviewer's attempts to make {@link LeanConnectionPool} hand out a connection in a state its next borrower cannot
 * trust (a reply left unread by a timeout), or to lose one of its permits (a refused handshake, an interrupted
 * wait), against a real redis-server over TCP and its Unix socket. Timeouts are made certain by freezing the server
 * (SIGSTOP), never by a race against the clock.
 */
@Timeout(60) // a safety net for a wait that never ends, not a measure of how long one takes
class LeanConnectionPoolFaultsTest extends LeanPoolFixture {

    private static RedisSettings settings(RedisTransport transport, int maxConnections, Map<String, String> more) {
        return settings(transport, maxConnections, "300ms", more);
    }

    private static CommandArguments get(String key) {
        return new CommandArguments(Protocol.Command.GET).add(key);
    }

    private static String text(Object reply) {
        return RedisCommands.text((byte[]) reply);
    }

    /**
     * A command that timed out leaves its reply on the way: the server, once it answers, writes it into that
     * connection. Lent again, the connection would give the next borrower that reply for its own command, a foreign
     * answer. The pool must close it instead (Jedis marks it broken).
     */
    @ParameterizedTest
    @EnumSource(RedisTransport.class)
    void aReplyLeftUnreadByATimeoutIsNeverReadByTheNextBorrower(RedisTransport transport) {
        server.command("SET", "a", "the first caller's");
        server.command("SET", "b", "the second caller's");
        try (LeanConnectionPool pool = pool(settings(transport, 1, Map.of()))) {
            Connection first = pool.getConnection();
            assertEquals("the first caller's", text(first.executeCommand(get("a")))); // connected and warm
            server.pause();
            try {
                assertThrows(JedisConnectionException.class, () -> first.executeCommand(get("a")));
            } finally {
                server.resume(); // the server now answers the GET above into the first connection's socket
            }
            first.close();
            try (Connection next = pool.getConnection()) {
                assertEquals("the second caller's", text(next.executeCommand(get("b"))));
            }
            assertEquals(1, pool.openConnections(), "the timed-out connection was kept besides the new one");
        }
    }

    /** The same through {@link RedisCommands#pipelined}: replies of a pipeline cut by a timeout are never read later. */
    @ParameterizedTest
    @EnumSource(RedisTransport.class)
    void aPipelineCutByATimeoutLeavesNoReplyForTheNextOne(RedisTransport transport) {
        server.command("SET", "a", "the first caller's");
        server.command("SET", "b", "the second caller's");
        try (RedisCommands commands = new RedisCommands(settings(transport, 1, Map.of()))) {
            assertEquals("the first caller's", text(commands.pipelined(get("a")).get(0)));
            server.pause();
            try {
                assertThrows(CacheStoreException.class,
                        () -> commands.execute("lookup", () -> commands.pipelined(get("a"), get("a"), get("a"))));
            } finally {
                server.resume();
            }
            List<Object> replies = commands.execute("lookup", () -> commands.pipelined(get("b"), get("b")));
            assertEquals("the second caller's", text(replies.get(0)));
            assertEquals("the second caller's", text(replies.get(1)));
            // A timeout is no dead connection: nothing was retried, so the second call began on a clean connection.
            assertEquals(0, commands.reconnects(), "the timed-out connection was lent again");
        }
    }

    /**
     * A handshake the server refuses (SELECT of a database it does not have) fails the
     * borrow each time with the server's reason, never with a full pool: the permit taken for it is given back.
     */
    @ParameterizedTest
    @EnumSource(RedisTransport.class)
    void aRefusedHandshakeGivesItsPermitBack(RedisTransport transport) {
        for (Map<String, String> refused : List.of(Map.of("sqlcache.redis.db", "4000"))) {
            try (LeanConnectionPool pool = pool(settings(transport, 1, refused))) {
                for (int attempt = 0; attempt < 3; attempt++) {
                    JedisException e = assertThrows(JedisException.class, pool::getConnection);
                    assertFalse(String.valueOf(e.getMessage()).contains("maxConnections"),
                            refused + ", attempt " + attempt + ": the permit of a refused handshake was kept: " + e);
                    assertEquals(0, pool.openConnections(), refused.toString());
                }
            }
        }
    }

    /**
     * A thread interrupted while every connection is lent fails that borrow (the cache is skipped, as when Redis is
     * busy), keeps its interrupt, and takes no permit with it: the pool lends its full size afterwards.
     */
    @ParameterizedTest
    @EnumSource(RedisTransport.class)
    void anInterruptedWaitKeepsTheInterruptAndLosesNoPermit(RedisTransport transport) throws Exception {
        try (LeanConnectionPool pool = pool(settings(transport, 2, Map.of()))) {
            Connection a = pool.getConnection();
            Connection b = pool.getConnection();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicBoolean stillInterrupted = new AtomicBoolean();
            Thread waiter = new Thread(() -> {
                Thread.currentThread().interrupt();
                try {
                    pool.getConnection().close();
                } catch (Throwable e) {
                    failure.set(e);
                }
                stillInterrupted.set(Thread.currentThread().isInterrupted());
            });
            waiter.start();
            waiter.join();
            assertTrue(failure.get() instanceof JedisException, "borrowed while all were lent: " + failure.get());
            assertFalse(failure.get() instanceof JedisConnectionException, "taken for a dead connection");
            assertTrue(stillInterrupted.get(), "the interrupt was swallowed");
            a.close();
            b.close();
            Connection c = pool.getConnection();
            Connection d = pool.getConnection();
            assertEquals("PONG", c.executeCommand(new CommandArguments(Protocol.Command.PING)) instanceof String s
                    ? s : RedisCommands.text((byte[]) c.executeCommand(new CommandArguments(Protocol.Command.PING))));
            c.close();
            d.close();
            assertEquals(2, pool.openConnections());
        }
    }

    /**
     * Connections killed by the server while lent or idle, and idle ones cleared, all while borrowers come and go:
     * every broken one is closed, and its permit comes back, so the pool never shrinks towards a pool that lends
     * nothing (failing closed: every command would then wait out the connect timeout).
     */
    @ParameterizedTest
    @EnumSource(RedisTransport.class)
    void killedAndClearedConnectionsNeverShrinkThePool(RedisTransport transport) throws Exception {
        int maxConnections = 3;
        try (LeanConnectionPool pool = pool(settings(transport, maxConnections, Map.of()))) {
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicBoolean running = new AtomicBoolean(true);
            java.util.concurrent.atomic.AtomicInteger rounds = new java.util.concurrent.atomic.AtomicInteger();
            List<Thread> workers = new java.util.ArrayList<>();
            for (int t = 0; t < 4; t++) {
                Thread worker = new Thread(() -> {
                    while (running.get() && failure.get() == null) {
                        try (Connection connection = pool.getConnection()) {
                            connection.executeCommand(new CommandArguments(Protocol.Command.PING));
                        } catch (JedisConnectionException killed) {
                            // killed by the server mid-command, or a borrow that found it dead: allowed
                        } catch (JedisException e) {
                            if (!String.valueOf(e.getMessage()).contains("maxConnections")) {
                                failure.compareAndSet(null, e); // else a wait that ran out on a loaded machine
                            }
                        } catch (Throwable e) {
                            failure.compareAndSet(null, e);
                        }
                        rounds.incrementAndGet();
                    }
                });
                worker.start();
                workers.add(worker);
            }
            for (int i = 0; i < 30; i++) {
                int before = rounds.get();
                while (rounds.get() < before + 10 && failure.get() == null) {
                    Thread.onSpinWait();
                }
                server.command("CLIENT", "KILL", "TYPE", "normal");
                if (i % 3 == 0) {
                    pool.clearIdleConnections();
                }
            }
            running.set(false);
            for (Thread worker : workers) {
                worker.join();
            }
            if (failure.get() != null) {
                throw new AssertionError("a borrower failed", failure.get());
            }
            pool.clearIdleConnections(); // the last kill may have left dead idle ones: the store's retry does this
            List<Connection> all = new java.util.ArrayList<>();
            for (int i = 0; i < maxConnections; i++) {
                all.add(pool.getConnection()); // each without waiting in vain: every permit came back
            }
            for (Connection connection : all) {
                connection.executeCommand(new CommandArguments(Protocol.Command.PING));
            }
            assertEquals(maxConnections, pool.openConnections());
            all.forEach(Connection::close);
            assertEquals(maxConnections, pool.openConnections(), "returned whole connections were closed");
        }
    }
}
