package dev.sqlcache.admin;

import java.io.File;
import java.io.IOException;
import java.net.Socket;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import redis.clients.jedis.JedisSocketFactory;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * Connects the admin tool's own Jedis connection over a Unix socket. The store has the same factory, but it is
 * package-private there; this copy keeps the admin tool out of the store's internals.
 */
final class AdminUnixSocketFactory implements JedisSocketFactory {

    private final File path;
    private final int connectTimeoutMillis;
    private final int socketTimeoutMillis;

    AdminUnixSocketFactory(String path, int connectTimeoutMillis, int socketTimeoutMillis) {
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
            if (socket != null) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // the connect error is the one worth reporting
                }
            }
            throw new JedisConnectionException("cannot connect to unix:" + path + ": " + e.getMessage(), e);
        }
    }
}
