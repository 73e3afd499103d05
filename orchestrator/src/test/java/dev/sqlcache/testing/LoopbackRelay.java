package dev.sqlcache.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What every loopback TCP relay of the tests shares: an ephemeral loopback port, a daemon thread that accepts on it
 * and connects each client to the target port on loopback, the set of open sockets, and {@link #close()}, which
 * drops them all. What crosses a client's connection, and when, is the subclass's: {@link #relay} starts its
 * threads. A subclass calls {@link #start(String)} last in its constructor, once its own fields are set.
 */
public abstract class LoopbackRelay implements AutoCloseable {

    private final ServerSocket listener;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile int targetPort;
    private volatile boolean closed;

    protected LoopbackRelay(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.listener = LoopbackPorts.listen(50);
    }

    /** Starts accepting; {@code name} prefixes the acceptor thread's name. */
    protected final void start(String name) {
        daemon(this::accept, name + "-" + listener.getLocalPort());
    }

    /** The port clients connect to. */
    public int port() {
        return listener.getLocalPort();
    }

    /** Starts the threads that carry one client's connection and the relay's own connection to the target. */
    protected abstract void relay(Socket client, Socket server);

    /** Whether a client that connects now is closed at once instead of relayed (none is, unless overridden). */
    protected boolean refuses() {
        return false;
    }

    /** From now on new connections reach {@code port}. */
    protected final void retargetTo(int port) {
        targetPort = port;
    }

    /** Closes every open connection, on both sides. */
    protected final void dropAll() {
        open.forEach(LoopbackRelay::closeQuietly);
        open.clear();
    }

    /** Closes both sockets and forgets them. */
    protected final void drop(Socket client, Socket server) {
        closeQuietly(client);
        closeQuietly(server);
        open.remove(client);
        open.remove(server);
    }

    private void accept() {
        while (!closed) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            if (refuses()) {
                closeQuietly(client);
                continue;
            }
            try {
                Socket server = new Socket();
                server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 1000);
                open.add(client);
                open.add(server);
                relay(client, server);
            } catch (IOException e) {
                closeQuietly(client);
            }
        }
    }

    /** Where {@code wanted} first stands in the first {@code length} bytes of {@code buffer}, or -1. */
    protected static int indexOf(byte[] buffer, int length, byte[] wanted) {
        outer:
        for (int i = 0; i + wanted.length <= length; i++) {
            for (int j = 0; j < wanted.length; j++) {
                if (buffer[i + j] != wanted[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    protected static void daemon(Runnable body, String name) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        thread.start();
    }

    protected static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }

    /** Stops accepting and drops every connection. */
    @Override
    public void close() {
        closed = true;
        dropAll();
        try {
            listener.close();
        } catch (IOException e) {
            // already closed
        }
    }
}
