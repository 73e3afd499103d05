package dev.sqlcache.sample;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Asks a Redis server whether it is there, over TCP or a Unix socket, with a hard time limit. Plain bytes rather
 * than a Redis client, so that choosing a store neither opens a connection pool nor depends on how the driver
 * talks to Redis.
 */
final class RedisPing {

    /** What a server said to PING, or why nothing usable came back. */
    record Answer(boolean pong, boolean needsPassword, String problem) {

        static Answer answered() {
            return new Answer(true, false, null);
        }

        static Answer failed(String problem) {
            return new Answer(false, false, problem);
        }
    }

    private static final byte[] PING = "*1\r\n$4\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII);

    private RedisPing() {
    }

    static Answer tcp(String host, int port, Duration timeout) {
        InetSocketAddress address = new InetSocketAddress(host, port);
        if (address.isUnresolved()) {
            return Answer.failed("unknown host " + host);
        }
        return ping(address, StandardProtocolFamily.INET, timeout);
    }

    static Answer unixSocket(Path socket, Duration timeout) {
        return ping(UnixDomainSocketAddress.of(socket), StandardProtocolFamily.UNIX, timeout);
    }

    /**
     * Non-blocking channel plus a selector: the only way in the JDK to bound connect and read on a Unix socket as
     * well as on TCP, so that a server which accepts but never answers cannot stall the sample.
     */
    private static Answer ping(SocketAddress address, StandardProtocolFamily family, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (SocketChannel channel = family == StandardProtocolFamily.UNIX
                ? SocketChannel.open(StandardProtocolFamily.UNIX) : SocketChannel.open();
             Selector selector = Selector.open()) {
            channel.configureBlocking(false);
            if (!channel.connect(address)) {
                channel.register(selector, SelectionKey.OP_CONNECT);
                if (!await(selector, deadline)) {
                    return Answer.failed("no answer within " + timeout.toMillis() + " ms");
                }
                channel.finishConnect();
            }
            ByteBuffer out = ByteBuffer.wrap(PING);
            while (out.hasRemaining()) {
                channel.write(out);
            }
            channel.register(selector, SelectionKey.OP_READ);
            ByteBuffer in = ByteBuffer.allocate(256);
            while (!containsLineEnd(in)) {
                if (!await(selector, deadline)) {
                    return Answer.failed("connected, but no reply to PING within " + timeout.toMillis() + " ms");
                }
                if (channel.read(in) < 0) {
                    return Answer.failed("connection closed before a reply to PING");
                }
                if (!in.hasRemaining()) {
                    break;
                }
            }
            String reply = new String(in.array(), 0, in.position(), StandardCharsets.US_ASCII).strip();
            if (reply.startsWith("+PONG")) {
                return Answer.answered();
            }
            if (reply.startsWith("-NOAUTH")) {
                return new Answer(false, true, "it wants a password");
            }
            return Answer.failed("unexpected reply to PING: " + reply);
        } catch (IOException e) {
            return Answer.failed(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
    }

    /** Waits for the registered event until the deadline; select may return early with nothing ready. */
    private static boolean await(Selector selector, long deadline) throws IOException {
        while (true) {
            long remainingMillis = (deadline - System.nanoTime()) / 1_000_000;
            if (remainingMillis <= 0) {
                return false;
            }
            int ready = selector.select(remainingMillis);
            selector.selectedKeys().clear();
            if (ready > 0) {
                return true;
            }
        }
    }

    private static boolean containsLineEnd(ByteBuffer buffer) {
        for (int i = 0; i < buffer.position(); i++) {
            if (buffer.get(i) == '\n') {
                return true;
            }
        }
        return false;
    }
}
