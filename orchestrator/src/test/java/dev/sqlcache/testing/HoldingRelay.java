package dev.sqlcache.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A loopback relay in front of a server that can deliver one request late, after its client gave up on it: a proxy
 * (or a split TCP path) that hung up on the client while the request it had read was still on its way to the server.
 * {@link #holdNextContaining} arms it: the next client bytes holding the marker are kept, the client's connection is
 * closed (the client sees the server hang up, and may retry on a fresh connection), and the server's side stays open;
 * {@link #releaseHeld} sends the kept bytes there and waits until the server has answered them (so they have run);
 * {@link #held} shows what they said.
 * Every thread is a daemon; {@link #close()} drops every connection.
 */
public final class HoldingRelay extends LoopbackRelay {

    private volatile byte[] marker;
    private volatile byte[] kept;
    private final CountDownLatch held = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private final CountDownLatch landed = new CountDownLatch(1);

    private HoldingRelay(int targetPort) throws IOException {
        super(targetPort);
        start("holding-relay");
    }

    /** Starts relaying an ephemeral loopback port to {@code targetPort} on loopback. */
    public static HoldingRelay to(int targetPort) {
        try {
            return new HoldingRelay(targetPort);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The next bytes a client sends that hold {@code text} are kept, once, and their client's connection closed. */
    public void holdNextContaining(String text) {
        marker = text.getBytes(StandardCharsets.UTF_8);
    }

    /** Whether a request was kept (within 10 s). */
    public boolean holding() throws InterruptedException {
        return held.await(10, TimeUnit.SECONDS);
    }

    /**
     * The kept request's bytes as text, one char a byte (ISO-8859-1, so binary arguments survive): what it carried,
     * for a test that must know it without racing the client for a value it writes and replaces in a moment.
     */
    public String held() throws InterruptedException {
        if (!holding()) {
            throw new AssertionError("no request was kept within 10 s");
        }
        return new String(kept, StandardCharsets.ISO_8859_1);
    }

    /** Sends the kept request on to the server, and returns once the server has answered it. */
    public void releaseHeld() throws InterruptedException {
        release.countDown();
        if (!landed.await(10, TimeUnit.SECONDS)) {
            throw new AssertionError("the held request was not answered within 10 s");
        }
    }

    @Override
    protected void relay(Socket client, Socket server) {
        Pair pair = new Pair(client, server);
        daemon(() -> pair.toServer(), "holding-relay-up");
        daemon(() -> pair.toClient(), "holding-relay-down");
    }

    /** One client's connection and the relay's own to the server. */
    private final class Pair {
        private final Socket client;
        private final Socket server;
        /** The client was let go: what the server answers now is read and dropped. */
        private volatile boolean detached;
        private volatile boolean sent;

        Pair(Socket client, Socket server) {
            this.client = client;
            this.server = server;
        }

        void toServer() {
            byte[] buffer = new byte[65536];
            try {
                InputStream in = client.getInputStream();
                OutputStream out = server.getOutputStream();
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    byte[] armed = marker;
                    if (armed != null && indexOf(buffer, n, armed) >= 0) {
                        marker = null;
                        detached = true;
                        kept = java.util.Arrays.copyOf(buffer, n);
                        closeQuietly(client); // the client sees the server hang up
                        held.countDown();
                        release.await();
                        sent = true;
                        out.write(buffer, 0, n);
                        out.flush();
                        return; // the server's side stays open until its answer is read (toClient)
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // One side went away: take the other down with it, as a real connection would.
            }
            if (!detached) {
                drop(client, server);
            }
        }

        void toClient() {
            byte[] buffer = new byte[65536];
            try {
                InputStream in = server.getInputStream();
                OutputStream out = client.getOutputStream();
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    if (detached) {
                        if (sent) {
                            landed.countDown();
                            break;
                        }
                        continue;
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // One side went away
            }
            drop(client, server);
        }
    }

    @Override
    public void close() {
        release.countDown();
        super.close();
    }
}
