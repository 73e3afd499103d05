package dev.sqlcache.internal.store;

import dev.sqlcache.testing.LoopbackRelay;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback relay in front of Redis that can place another client's command between two commands a client sends
 * together in one pipeline: {@link #onceAfter} cuts the client's bytes after the first occurrence of a command,
 * forwards them up to there, waits until Redis has answered that part (so it has run), runs an action, and only
 * then forwards the rest. Every thread is a daemon; {@link #close()} drops every connection.
 */
final class SplittingRelay extends LoopbackRelay {

    private static final long ANSWER_WAIT_NANOS = TimeUnit.SECONDS.toNanos(5);

    private volatile byte[] marker;
    private volatile Runnable action;

    private SplittingRelay(int targetPort) throws IOException {
        super(targetPort);
        start("splitting-relay");
    }

    static SplittingRelay to(int targetPort) throws IOException {
        return new SplittingRelay(targetPort);
    }

    /**
     * Once: the next time a client sends {@code command} (its arguments, as RESP sends them), it and everything
     * before it in the same write reach Redis and are answered first, then {@code action} runs, then the rest is
     * forwarded.
     */
    void onceAfter(Runnable action, String... command) {
        StringBuilder resp = new StringBuilder("*").append(command.length).append("\r\n");
        for (String part : command) {
            resp.append('$').append(part.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(part)
                    .append("\r\n");
        }
        this.action = action;
        this.marker = resp.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Drops an action armed but not run (a chain of actions whose later links the client never reached). */
    void disarm() {
        marker = null;
        action = null;
    }

    /** Whether the action armed last has run. */
    boolean ran() {
        return marker == null;
    }

    @Override
    protected void relay(Socket client, Socket server) {
        // Bytes Redis answered on this connection: another connection's answers say nothing of this one.
        AtomicLong answered = new AtomicLong();
        daemon(() -> requests(client, server, answered), "splitting-relay-requests");
        daemon(() -> answers(server, client, answered), "splitting-relay-answers");
    }

    private void requests(Socket client, Socket server, AtomicLong answered) {
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = client.getInputStream(); OutputStream out = server.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                // An action may arm the next one: the rest of the same write is searched again for it.
                int from = 0;
                byte[] wanted = marker;
                int found = wanted == null ? -1 : indexOf(buffer, from, n, wanted);
                while (found >= 0) {
                    int at = found + wanted.length;
                    Runnable run = action;
                    marker = null;
                    long before = answered.get();
                    out.write(buffer, from, at - from);
                    out.flush();
                    long deadline = System.nanoTime() + ANSWER_WAIT_NANOS;
                    while (answered.get() == before && System.nanoTime() < deadline) {
                        Thread.onSpinWait();
                    }
                    run.run();
                    from = at;
                    wanted = marker;
                    found = wanted == null ? -1 : indexOf(buffer, from, n, wanted);
                }
                out.write(buffer, from, n - from);
                out.flush();
            }
        } catch (IOException e) {
            // The other side closed: so does this one.
        } finally {
            drop(client, server);
        }
    }

    private void answers(Socket server, Socket client, AtomicLong answered) {
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = server.getInputStream(); OutputStream out = client.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                out.flush();
                answered.addAndGet(n);
            }
        } catch (IOException e) {
            // The other side closed: so does this one.
        } finally {
            drop(client, server);
        }
    }

    /** Where {@code wanted} starts in the buffer at or after {@code from}; -1 if nowhere. */
    private static int indexOf(byte[] buffer, int from, int length, byte[] wanted) {
        outer:
        for (int i = from; i + wanted.length <= length; i++) {
            for (int j = 0; j < wanted.length; j++) {
                if (buffer[i + j] != wanted[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
