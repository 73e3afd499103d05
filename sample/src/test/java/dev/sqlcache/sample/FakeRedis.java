package dev.sqlcache.sample;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A server that answers every request with one fixed line, on TCP or a Unix socket: enough to stand in for Redis
 * when testing how the store is chosen, without touching a real Redis that others may share.
 */
final class FakeRedis implements AutoCloseable {

    private final ServerSocketChannel server;
    private final Thread acceptor;
    private final Path socketFile;

    private FakeRedis(ServerSocketChannel server, String reply, Path socketFile) {
        this.server = server;
        this.socketFile = socketFile;
        this.acceptor = new Thread(() -> serve(reply), "fake-redis");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    static FakeRedis tcp(String reply) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        return new FakeRedis(server, reply, null);
    }

    static FakeRedis unixSocket(Path directory, String reply) throws IOException {
        Path file = directory.resolve("redis.sock");
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(file));
        return new FakeRedis(server, reply, file);
    }

    int port() throws IOException {
        return ((InetSocketAddress) server.getLocalAddress()).getPort();
    }

    Path socketFile() {
        return socketFile;
    }

    private void serve(String reply) {
        while (server.isOpen()) {
            try (SocketChannel client = server.accept()) {
                client.read(ByteBuffer.allocate(64));
                client.write(ByteBuffer.wrap(reply.getBytes(StandardCharsets.US_ASCII)));
            } catch (IOException closed) {
                return;
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        if (socketFile != null) {
            Files.deleteIfExists(socketFile);
        }
    }
}
