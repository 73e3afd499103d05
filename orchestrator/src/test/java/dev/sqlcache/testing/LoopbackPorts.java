package dev.sqlcache.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Loopback ports for the tests' servers and relays, none handed out twice in one JVM.
 *
 * <p>A runtime an earlier test left open keeps reconnecting to the port its Redis (or the relay in front of it) had.
 * A later server on that port would take that runtime as one more client: a cluster node would answer its calls
 * with {@code MOVED} or {@code CROSSSLOT}, a fresh Redis would gain a second member in its membership set (CI saw
 * CacheHealthTest find {@code members=2} on a server nobody else had been given). So every listener a test opens,
 * whether a {@code redis-server}, a Sentinel or a relay, takes its port from here.
 */
public final class LoopbackPorts {

    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();
    private static final int ATTEMPTS = 100;

    private LoopbackPorts() {
    }

    /** A loopback port nobody listens on right now and that this JVM has not handed out before. */
    public static int free() {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                if (HANDED_OUT.add(socket.getLocalPort())) {
                    return socket.getLocalPort();
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot find a free loopback port: " + e.getMessage(), e);
            }
        }
        throw new IllegalStateException("no loopback port left that this JVM has not handed out already");
    }

    /** A listening loopback socket on a port this JVM has not handed out before (no window for another to take it). */
    public static ServerSocket listen(int backlog) throws IOException {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            ServerSocket socket = new ServerSocket(0, backlog, InetAddress.getLoopbackAddress());
            if (HANDED_OUT.add(socket.getLocalPort())) {
                return socket;
            }
            socket.close();
        }
        throw new IOException("no loopback port left that this JVM has not handed out already");
    }
}
