package dev.sqlcache.internal.store;

import java.io.File;
import java.io.IOException;
import java.net.Socket;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import redis.clients.jedis.JedisSocketFactory;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * Connects Jedis to Redis over a Unix domain socket. junixsocket is needed because the JDK's own Unix-domain
 * channels cannot be turned into the {@link Socket} that Jedis reads from.
 */
public final class UnixSocketFactory implements JedisSocketFactory {

    private final File path;
    private final int connectTimeoutMillis;
    private final int socketTimeoutMillis;

    public UnixSocketFactory(String path, int connectTimeoutMillis, int socketTimeoutMillis) {
        this.path = new File(path);
        this.connectTimeoutMillis = connectTimeoutMillis;
        this.socketTimeoutMillis = socketTimeoutMillis;
    }

    @Override
    public Socket createSocket() throws JedisConnectionException {
        AFUNIXSocket socket = null;
        try {
            socket = AFUNIXSocket.newInstance();
            socket.connect(AFUNIXSocketAddress.of(path), connectTimeoutMillis);
            socket.setSoTimeout(socketTimeoutMillis);
            return socket;
        } catch (IOException | RuntimeException e) {
            closeQuietly(socket);
            throw new JedisConnectionException("cannot connect to unix:" + path + ": " + e.getMessage(), e);
        }
    }

    private static void closeQuietly(Socket socket) {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // already failing; the connect error is the one worth reporting
            }
        }
    }

    @Override
    public String toString() {
        return "unix:" + path;
    }
}
