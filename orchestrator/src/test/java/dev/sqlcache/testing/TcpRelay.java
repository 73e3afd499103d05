package dev.sqlcache.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A loopback TCP relay in front of a server, which a test can cut and restore: a network partition between one
 * client and the server while other clients still reach it. While cut, open connections are closed and new ones
 * are accepted and closed at once, so clients fail fast as on a refused connection.
 */
public final class TcpRelay implements AutoCloseable {

    private final ServerSocket listener;
    private volatile int targetPort;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile boolean cut;
    private volatile boolean blackHoled;
    private volatile boolean closed;

    private TcpRelay(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.listener = LoopbackPorts.listen(50);
        Thread acceptor = new Thread(this::accept, "tcp-relay-" + listener.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Starts relaying an ephemeral loopback port to {@code targetPort} on loopback. */
    public static TcpRelay to(int targetPort) throws IOException {
        return new TcpRelay(targetPort);
    }

    /** The port clients connect to. */
    public int port() {
        return listener.getLocalPort();
    }

    /** Drops every connection and refuses new ones until {@link #restore()}. */
    public void cut() {
        cut = true;
        open.forEach(TcpRelay::closeQuietly);
        open.clear();
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
        targetPort = port;
        open.forEach(TcpRelay::closeQuietly);
        open.clear();
    }

    /** Relays again. */
    public void restore() {
        cut = false;
        blackHoled = false;
    }

    private void accept() {
        while (!closed) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            if (cut || blackHoled) {
                closeQuietly(client);
                continue;
            }
            try {
                Socket server = new Socket();
                server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 1000);
                open.add(client);
                open.add(server);
                pump(client, server);
                pump(server, client);
            } catch (IOException e) {
                closeQuietly(client);
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread thread = new Thread(() -> {
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
                closeQuietly(from);
                closeQuietly(to);
                open.remove(from);
                open.remove(to);
            }
        }, "tcp-relay-pump");
        thread.setDaemon(true);
        thread.start();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() {
        closed = true;
        cut();
        try {
            listener.close();
        } catch (IOException e) {
            // already closed
        }
    }
}
