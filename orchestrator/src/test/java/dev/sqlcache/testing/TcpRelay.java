package dev.sqlcache.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;

/**
 * A loopback TCP relay in front of a server, which a test can cut and restore: a network partition between one
 * client and the server while other clients still reach it. While cut, open connections are closed and new ones
 * are accepted and closed at once, so clients fail fast as on a refused connection.
 */
public final class TcpRelay extends LoopbackRelay {

    private volatile boolean cut;
    private volatile boolean blackHoled;

    private TcpRelay(int targetPort) throws IOException {
        super(targetPort);
        start("tcp-relay");
    }

    /** Starts relaying an ephemeral loopback port to {@code targetPort} on loopback. */
    public static TcpRelay to(int targetPort) throws IOException {
        return new TcpRelay(targetPort);
    }

    /** Drops every connection and refuses new ones until {@link #restore()}. */
    public void cut() {
        cut = true;
        dropAll();
    }

    /**
     * Open connections stay open but nothing crosses them any more, in either direction, as when a NAT or a
     * firewall forgets an idle connection; new ones are refused as when cut. Until {@link #restore()}.
     */
    public void blackHole() {
        blackHoled = true;
    }

    /**
     * From now on relays to {@code port}, after dropping every open connection: a managed endpoint's name moving to
     * another server (a promoted replica), as the clients see it. New connections reach the new target.
     */
    public void retarget(int port) {
        retargetTo(port);
        dropAll();
    }

    /** Relays again. */
    public void restore() {
        cut = false;
        blackHoled = false;
    }

    @Override
    protected boolean refuses() {
        return cut || blackHoled;
    }

    @Override
    protected void relay(Socket client, Socket server) {
        pump(client, server);
        pump(server, client);
    }

    private void pump(Socket from, Socket to) {
        daemon(() -> {
            byte[] buffer = new byte[8192];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    if (blackHoled) {
                        continue; // lost on the way
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // One side went away: take the other down with it, as a real connection would.
            } finally {
                drop(from, to);
            }
        }, "tcp-relay-pump");
    }

    @Override
    public void close() {
        cut = true;
        super.close();
    }
}
