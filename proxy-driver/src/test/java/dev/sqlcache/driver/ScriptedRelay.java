package dev.sqlcache.driver;

import dev.sqlcache.testing.LoopbackRelay;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A loopback TCP relay in front of Redis for tests of the network between one client and Redis, beyond what
 * {@link dev.sqlcache.testing.TcpRelay} (cut / restore) does:
 *
 * <ul>
 *   <li>{@link #delayRequests}: every command the client sends reaches Redis that much later (replies are not
 *       delayed), as on a congested link or one where TCP retransmits after losses. A client that gives up on a
 *       reply (socket timeout) closes its connection, but what it sent still arrives, late, as retransmitted data
 *       does. Connection handshakes ({@code HELLO}, {@code CLIENT SETNAME}, {@code AUTH}) are not delayed, as if the
 *       pool had kept connections open from before the link slowed down.</li>
 *   <li>{@link #onceBefore}: runs an action right before the first client chunk matching a pattern is forwarded,
 *       to place another client's command at an exact point of this client's exchange.</li>
 *   <li>{@link #holdReplyOnce}: the next command matching a pattern reaches Redis and runs, and its reply is kept
 *       until the test releases it: a check that has read the store and is still on its way back.</li>
 *   <li>{@link #hangUp}: a link (or a proxy) that hangs up on some commands: some are answered, some reach Redis
 *       and run but the connection is closed before the reply reaches the client, the others close the connection
 *       unsent. The client sees the server close the connection in both cases, and cannot tell them apart.</li>
 * </ul>
 *
 * Every thread is a daemon; {@link #close()} drops every connection.
 */
final class ScriptedRelay extends LoopbackRelay {

    private static final Pattern HANDSHAKE = Pattern.compile("HELLO|CLIENT|AUTH", Pattern.CASE_INSENSITIVE);

    private volatile long delayNanos;
    private volatile Pattern delayedOnly;
    private volatile Pattern hookPattern;
    private volatile Runnable hook;
    private Pattern delayOncePattern;
    private long delayOnceNanos;
    private volatile HangUps hangUps;
    private Pattern holdReplyPattern;
    private final java.util.concurrent.CountDownLatch replyHeld = new java.util.concurrent.CountDownLatch(1);
    private final java.util.concurrent.CountDownLatch replyReleased = new java.util.concurrent.CountDownLatch(1);

    /** Which commands {@link #hangUp} answers and which it runs unanswered. */
    private record HangUps(Pattern answered, Pattern runUnanswered) {
    }

    private ScriptedRelay(int targetPort) throws IOException {
        super(targetPort);
        start("scripted-relay");
    }

    static ScriptedRelay to(int targetPort) throws IOException {
        return new ScriptedRelay(targetPort);
    }

    /** From now on, commands reach Redis {@code millis} after the client sent them (0: at once). */
    void delayRequests(long millis) {
        delayRequests(millis, null);
    }

    /** From now on, chunks matching {@code only} (every one for null) reach Redis {@code millis} late. */
    void delayRequests(long millis, Pattern only) {
        delayedOnly = only;
        delayNanos = TimeUnit.MILLISECONDS.toNanos(millis);
    }

    /**
     * The next client chunk matching {@code pattern} (and only that one) reaches Redis {@code millis} late, as one
     * request whose packets TCP retransmits while the ones after it, on other connections, go through at once.
     */
    synchronized void delayOnce(long millis, Pattern pattern) {
        delayOnceNanos = TimeUnit.MILLISECONDS.toNanos(millis);
        delayOncePattern = pattern;
    }

    private synchronized long takeDelayOnce(String chunk) {
        if (delayOncePattern == null || !delayOncePattern.matcher(chunk).find()) {
            return 0;
        }
        delayOncePattern = null;
        return delayOnceNanos;
    }

    /**
     * From now on, client chunks matching {@code answered} (and connection handshakes) are forwarded and answered;
     * chunks matching {@code runUnanswered} are forwarded, and the client's connection is closed when Redis replies
     * (it ran them); any other chunk closes the client's connection without reaching Redis.
     */
    void hangUp(Pattern answered, Pattern runUnanswered) {
        hangUps = new HangUps(answered, runUnanswered);
    }

    /**
     * The next client chunk matching {@code pattern} (and only that one) is forwarded at once, and Redis's reply to
     * it is kept until {@link #releaseReply} (or 30 s): it has run, its client does not know the answer yet.
     */
    synchronized void holdReplyOnce(Pattern pattern) {
        holdReplyPattern = pattern;
    }

    /** Whether a reply is kept now (waits up to 30 s for one). */
    boolean replyHeld() throws InterruptedException {
        return replyHeld.await(30, TimeUnit.SECONDS);
    }

    /** Lets the kept reply go on to its client. */
    void releaseReply() {
        replyReleased.countDown();
    }

    private synchronized boolean takeHoldReply(String chunk) {
        if (holdReplyPattern == null || !holdReplyPattern.matcher(chunk).find()) {
            return false;
        }
        holdReplyPattern = null;
        return true;
    }

    /** Runs {@code action} once, right before forwarding the first client chunk that matches {@code pattern}. */
    synchronized void onceBefore(Pattern pattern, Runnable action) {
        hook = action;
        hookPattern = pattern;
    }

    private synchronized Runnable takeHook(String chunk) {
        Pattern pattern = hookPattern;
        if (pattern == null || !pattern.matcher(chunk).find()) {
            return null;
        }
        Runnable action = hook;
        hookPattern = null;
        hook = null;
        return action;
    }

    @Override
    protected void relay(Socket client, Socket server) {
        java.util.concurrent.atomic.AtomicBoolean unanswered = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicBoolean holdReply = new java.util.concurrent.atomic.AtomicBoolean();
        startRequests(client, server, unanswered, holdReply);
        startReplies(server, client, unanswered, holdReply);
    }

    /** One chunk of client bytes (or, with {@code data == null}, the client's end), due at {@code dueNanos}. */
    private record Chunk(byte[] data, long dueNanos) implements Delayed {
        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(dueNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(dueNanos, ((Chunk) other).dueNanos);
        }
    }

    private void startRequests(Socket client, Socket server, java.util.concurrent.atomic.AtomicBoolean unanswered,
                               java.util.concurrent.atomic.AtomicBoolean holdReply) {
        DelayQueue<Chunk> queue = new DelayQueue<>();
        Thread reader = new Thread(() -> {
            byte[] buffer = new byte[65536];
            long lastDue = 0;
            try (InputStream in = client.getInputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    byte[] data = java.util.Arrays.copyOf(buffer, n);
                    String text = new String(data, StandardCharsets.ISO_8859_1);
                    Pattern only = delayedOnly;
                    long delay = HANDSHAKE.matcher(text).find() || only != null && !only.matcher(text).find()
                            ? 0 : delayNanos;
                    delay = Math.max(delay, takeDelayOnce(text));
                    // Keep the connection's byte order: never due before what was read earlier.
                    long due = Math.max(System.nanoTime() + delay, lastDue);
                    lastDue = due;
                    queue.add(new Chunk(data, due));
                }
            } catch (IOException e) {
                // the client went away; what it sent still arrives
            }
            queue.add(new Chunk(null, Math.max(System.nanoTime(), lastDue)));
        }, "scripted-relay-requests-in");
        Thread writer = new Thread(() -> {
            try (OutputStream out = server.getOutputStream()) {
                while (true) {
                    Chunk chunk = queue.take();
                    if (chunk.data() == null) {
                        server.shutdownOutput(); // FIN after the data: Redis still runs what it received
                        return;
                    }
                    String text = new String(chunk.data(), StandardCharsets.ISO_8859_1);
                    Runnable action = takeHook(text);
                    if (action != null) {
                        action.run();
                    }
                    HangUps mode = hangUps;
                    if (mode != null && !HANDSHAKE.matcher(text).find() && !mode.answered().matcher(text).find()) {
                        if (!mode.runUnanswered().matcher(text).find()) {
                            closeQuietly(client);
                            closeQuietly(server);
                            return;
                        }
                        unanswered.set(true);
                    }
                    if (takeHoldReply(text)) {
                        holdReply.set(true); // before Redis can answer it
                    }
                    out.write(chunk.data());
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                closeQuietly(server);
            }
        }, "scripted-relay-requests-out");
        reader.setDaemon(true);
        writer.setDaemon(true);
        reader.start();
        writer.start();
    }

    private void startReplies(Socket server, Socket client, java.util.concurrent.atomic.AtomicBoolean unanswered,
                              java.util.concurrent.atomic.AtomicBoolean holdReply) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[65536];
            try (InputStream in = server.getInputStream()) {
                OutputStream out = client.getOutputStream();
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    if (unanswered.get()) {
                        closeQuietly(client); // Redis ran it and answered: the client never hears of it
                        continue;
                    }
                    if (holdReply.getAndSet(false)) {
                        replyHeld.countDown();
                        try {
                            replyReleased.await(30, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                    }
                    try {
                        out.write(buffer, 0, n);
                        out.flush();
                    } catch (IOException clientGone) {
                        // keep draining Redis's replies until it closes, so that it never sees a reset
                    }
                }
            } catch (IOException e) {
                // Redis went away
            } finally {
                drop(client, server);
            }
        }, "scripted-relay-replies");
        thread.setDaemon(true);
        thread.start();
    }
}
