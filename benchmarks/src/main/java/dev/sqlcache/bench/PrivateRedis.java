package dev.sqlcache.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A redis-server of the benchmark's own on a free loopback port, without persistence, so that figures are not
 * disturbed by (and do not disturb) whoever else uses the machine's shared Redis, and every fork starts empty.
 * The binary is {@code redis-server} on the PATH, or {@code $REDIS_SERVER}. Used by the JMH fixtures and by the
 * throughput harness.
 */
public final class PrivateRedis implements AutoCloseable {
    /** The loopback port it listens on. */
    public final int port;
    private final Process process;
    private final Path dir;
    private final Thread shutdownHook;

    private PrivateRedis(int port, Process process, Path dir) {
        this.port = port;
        this.process = process;
        this.dir = dir;
        // If the fork dies without reaching @TearDown, the server must not outlive it.
        this.shutdownHook = new Thread(process::destroyForcibly, "private-redis-killer");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    public static PrivateRedis start() throws IOException, InterruptedException {
        String binary = System.getenv().getOrDefault("REDIS_SERVER", "redis-server");
        IOException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            int port = freePort();
            Path dir = Files.createTempDirectory("sqlcache-bench-redis");
            Path log = dir.resolve("redis.log");
            Process process = new ProcessBuilder(binary,
                    "--port", Integer.toString(port), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "no", "--daemonize", "no",
                    "--dir", dir.toString(), "--logfile", "")
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline && process.isAlive()) {
                if (ping(port)) {
                    return new PrivateRedis(port, process, dir);
                }
                Thread.sleep(20);
            }
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            last = new IOException("redis-server on port " + port + " did not answer PING; its log:\n"
                    + Files.readString(log));
        }
        throw last;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static boolean ping(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            socket.setSoTimeout(500);
            OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[7];
            int n = in.readNBytes(buffer, 0, buffer.length);
            return new String(buffer, 0, n, StandardCharsets.US_ASCII).startsWith("+PONG");
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook runs anyway; nothing left to do
        }
        try (var files = Files.list(dir)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(file);
            }
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // a temp directory left behind is harmless
        }
    }
}
