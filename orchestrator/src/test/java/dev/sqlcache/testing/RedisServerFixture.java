package dev.sqlcache.testing;

import dev.sqlcache.internal.membership.MembershipStore;
import dev.sqlcache.internal.store.CacheStore;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A private {@code redis-server} for tests: loopback TCP on an ephemeral port plus a Unix socket in its own temp
 * directory, no persistence. It can be stopped, restarted (same port and socket, empty data), paused with SIGSTOP
 * and resumed, to test how clients behave when Redis goes away. Every wait is bounded; the process is killed on
 * {@link #close()} and by a shutdown hook if a test forgets.
 *
 * <p>Fails (never skips) when redis-server is not installed: a test that silently does not run proves nothing.
 */
public final class RedisServerFixture implements AutoCloseable {

    private static final List<Path> CANDIDATE_DIRECTORIES = List.of(Path.of("/usr/bin"), Path.of("/usr/local/bin"));
    private static final long STARTUP_TIMEOUT_MILLIS = 5_000;
    private static final int IO_TIMEOUT_MILLIS = 2_000;

    private final Path binary;
    private final Path directory;
    private final Path socketPath;
    private final int port;
    private final String password;
    private final Thread shutdownHook;
    private Process process;
    private boolean paused;

    /** More redis-server arguments (TLS listeners and the like). */
    private List<String> extraArguments = List.of();

    private RedisServerFixture(Path binary, Path directory, int port, String password) {
        this.binary = binary;
        this.directory = directory;
        this.socketPath = directory.resolve("redis.sock");
        this.port = port;
        this.password = password;
        this.shutdownHook = new Thread(this::kill, "redis-fixture-cleanup");
    }

    /** Starts a server without a password. */
    public static RedisServerFixture start() {
        return start(null);
    }

    /** Starts a server that requires {@code password} ({@code requirepass}) from every client. */
    public static RedisServerFixture startWithPassword(String password) {
        if (password == null || password.isEmpty()) {
            throw new IllegalArgumentException("password must not be empty");
        }
        return start(password);
    }

    /**
     * Starts a server without a password with more arguments, for example a TLS listener
     * ({@code --tls-port}, {@code --tls-cert-file}, ...); the plain port still answers {@link #command}.
     */
    public static RedisServerFixture startWithArguments(List<String> arguments) {
        return start(null, arguments);
    }

    /** A loopback port nobody listens on right now, for a second listener. */
    public static int anyFreePort() {
        return freePort();
    }

    private static RedisServerFixture start(String password) {
        return start(password, List.of());
    }

    private static RedisServerFixture start(String password, List<String> arguments) {
        Path binary = findRedisServer();
        Path directory = createDirectory();
        // The port is chosen by binding and releasing it; another process could grab it in between, so try again.
        IllegalStateException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            RedisServerFixture fixture = new RedisServerFixture(binary, directory, freePort(), password);
            fixture.extraArguments = List.copyOf(arguments);
            Runtime.getRuntime().addShutdownHook(fixture.shutdownHook);
            try {
                fixture.launch();
                return fixture;
            } catch (IllegalStateException e) {
                last = e;
                fixture.kill();
                removeShutdownHook(fixture.shutdownHook);
            }
        }
        deleteRecursively(directory);
        throw last;
    }

    /** The TCP host: always the loopback address. */
    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return port;
    }

    /** The Unix socket's path. */
    public String socketPath() {
        return socketPath.toString();
    }

    /** The required password, or {@code null}. */
    public String password() {
        return password;
    }

    /** The {@code sqlcache.redis.*} properties that reach this server over TCP. */
    public Map<String, String> tcpProperties() {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("sqlcache.redis.host", host());
        properties.put("sqlcache.redis.port", Integer.toString(port));
        addPassword(properties);
        return properties;
    }

    /** The {@code sqlcache.redis.*} properties that reach this server over its Unix socket. */
    public Map<String, String> unixProperties() {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("sqlcache.redis.socketPath", socketPath());
        addPassword(properties);
        return properties;
    }

    private void addPassword(Map<String, String> properties) {
        if (password != null) {
            properties.put("sqlcache.redis.password", password);
        }
    }

    /** Whether the server process is alive (it may be paused). */
    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Kills the server (SIGKILL: like a crash, no goodbye to clients). */
    public synchronized void stop() {
        kill();
    }

    /** Kills the server and starts a new one on the same port and socket, with empty data. */
    public synchronized void restart() {
        kill();
        launch();
    }

    /** Freezes the server (SIGSTOP): connections stay open but nothing is answered. */
    public synchronized void pause() {
        signal("STOP");
        paused = true;
    }

    /** Thaws a paused server (SIGCONT). */
    public synchronized void resume() {
        signal("CONT");
        paused = false;
    }

    /**
     * Empties the cache: every near cache on this server drops its copies (each has acknowledged it, or its lease
     * has lapsed, when this returns: tests rebuild schemas behind the cache), then the database is emptied except
     * sqlcache's membership keys and the near caches' set.
     */
    public synchronized void flushAll() {
        java.util.Map<String, String> settings = new java.util.HashMap<>(tcpProperties());
        try (dev.sqlcache.internal.store.RedisCacheStore store = new dev.sqlcache.internal.store.RedisCacheStore(
                dev.sqlcache.internal.config.SqlCacheConfig.load(java.util.Map.of(), settings).redis());
             dev.sqlcache.internal.near.NearMember flusher = new dev.sqlcache.internal.near.NearMember(
                     store.nearChannel(), null, dev.sqlcache.internal.time.Clock.SYSTEM)) {
            flusher.clearEverywhere();
        } catch (dev.sqlcache.internal.config.InvalidConfigurationException e) {
            throw new IllegalStateException(e);
        }
        // Membership (who shares this Redis, and the fence it keeps alive) belongs to the JVMs, not to the cached
        // data: a test that starts from an empty cache still runs among engines that joined before it.
        String reply = command("EVAL", """
                local cursor = '0'
                repeat
                  local page = redis.call('SCAN', cursor, 'COUNT', 1000)
                  cursor = page[1]
                  for _, key in ipairs(page[2]) do
                    if key ~= KEYS[1] and key ~= KEYS[2] and key ~= KEYS[3] then
                      redis.call('DEL', key)
                    end
                  end
                until cursor == '0'
                return 1""", "3", MembershipStore.MEMBERS_KEY, MembershipStore.FENCE_KEY,
                dev.sqlcache.internal.store.NearChannel.MEMBERS_KEY);
        if (!reply.startsWith(":1")) {
            throw new IllegalStateException("flushing answered " + reply);
        }
    }

    /**
     * Sends one command over TCP (authenticating first if needed) and returns the first line of the reply, e.g.
     * {@code +OK}, {@code :42} or {@code $5}. For test set-up and inspection, not for the code under test.
     */
    public synchronized String command(String... arguments) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), IO_TIMEOUT_MILLIS);
            socket.setSoTimeout(IO_TIMEOUT_MILLIS);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            if (password != null) {
                send(out, "AUTH", password);
                String auth = readLine(in);
                if (!auth.startsWith("+OK")) {
                    throw new IllegalStateException("AUTH was refused: " + auth);
                }
            }
            send(out, arguments);
            return readLine(in);
        } catch (IOException e) {
            throw new IllegalStateException("redis-server on port " + port + " did not answer "
                    + arguments[0] + ": " + e.getMessage(), e);
        }
    }

    /** Stops the server and deletes its directory. */
    @Override
    public synchronized void close() {
        kill();
        removeShutdownHook(shutdownHook);
        deleteRecursively(directory);
    }

    private synchronized void launch() {
        List<String> command = new ArrayList<>(List.of(binary.toString(),
                "--bind", "127.0.0.1",
                "--port", Integer.toString(port),
                "--unixsocket", socketPath.toString(),
                "--unixsocketperm", "700",
                "--save", "",
                "--appendonly", "no",
                "--dir", directory.toString(),
                "--daemonize", "no",
                "--logfile", ""));
        if (password != null) {
            command.addAll(List.of("--requirepass", password));
        }
        command.addAll(extraArguments);
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile()));
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + binary + ": " + e.getMessage(), e);
        }
        paused = false;
        awaitPing();
    }

    private void awaitPing() {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STARTUP_TIMEOUT_MILLIS);
        String lastProblem = "no answer";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server exited with " + process.exitValue()
                        + " while starting on port " + port + "; log:\n" + logTail());
            }
            try {
                String reply = command("PING");
                if (reply.startsWith("+PONG") && Files.exists(socketPath)) {
                    return;
                }
                lastProblem = "answered " + reply;
            } catch (IllegalStateException e) {
                lastProblem = e.getMessage();
            }
            sleep(20);
        }
        kill();
        throw new IllegalStateException("redis-server did not answer PING on port " + port + " within "
                + STARTUP_TIMEOUT_MILLIS + " ms (" + lastProblem + "); log:\n" + logTail());
    }

    private synchronized void kill() {
        Process p = process;
        if (p == null) {
            return;
        }
        p.destroyForcibly(); // SIGKILL also ends a SIGSTOPped process
        try {
            if (!p.waitFor(STARTUP_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("redis-server " + p.pid() + " did not die after SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
        paused = false;
    }

    private void signal(String signal) {
        if (!isRunning()) {
            throw new IllegalStateException("redis-server is not running");
        }
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
                    .redirectErrorStream(true).start();
            if (!kill.waitFor(IO_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS) || kill.exitValue() != 0) {
                kill.destroyForcibly();
                throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed");
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run kill: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sending SIG" + signal, e);
        }
    }

    static Path findRedisServer() {
        List<Path> candidates = new ArrayList<>();
        String pathVariable = System.getenv("PATH");
        if (pathVariable != null) {
            for (String dir : pathVariable.split(java.io.File.pathSeparator)) {
                if (!dir.isEmpty()) {
                    candidates.add(Path.of(dir));
                }
            }
        }
        candidates.addAll(CANDIDATE_DIRECTORIES);
        for (Path dir : candidates) {
            Path binary = dir.resolve("redis-server");
            if (Files.isRegularFile(binary) && Files.isExecutable(binary)) {
                return binary;
            }
        }
        throw new IllegalStateException("redis-server was not found on PATH, in /usr/bin or in /usr/local/bin; "
                + "the Redis tests need a real server: install it (Debian/Ubuntu: apt-get install redis-server)");
    }

    static Path createDirectory() {
        // Unix socket paths are limited to ~100 bytes, so prefer the short /tmp over a long java.io.tmpdir.
        Path base = Files.isDirectory(Path.of("/tmp")) ? Path.of("/tmp") : Path.of(System.getProperty("java.io.tmpdir"));
        try {
            return Files.createTempDirectory(base, "sqlcache-redis-");
        } catch (IOException e) {
            throw new IllegalStateException("cannot create a directory for redis-server: " + e.getMessage(), e);
        }
    }

    private static int freePort() {
        return LoopbackPorts.free();
    }

    private Path logFile() {
        return directory.resolve("redis.log");
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(logFile(), StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static void send(OutputStream out, String... arguments) throws IOException {
        StringBuilder resp = new StringBuilder("*").append(arguments.length).append("\r\n");
        for (String argument : arguments) {
            byte[] bytes = argument.getBytes(StandardCharsets.UTF_8);
            resp.append('$').append(bytes.length).append("\r\n").append(argument).append("\r\n");
        }
        out.write(resp.toString().getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\r') {
                in.read(); // the '\n'
                return line.toString();
            }
            line.append((char) c);
        }
        throw new IOException("connection closed after \"" + line + "\"");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for redis-server", e);
        }
    }

    private static void removeShutdownHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException | IllegalArgumentException e) {
            // already shutting down, or never registered
        }
    }

    private static void deleteRecursively(Path directory) {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // a leftover temp directory is harmless
        }
    }

    @Override
    public String toString() {
        return "redis-server 127.0.0.1:" + port + " unix:" + socketPath + (paused ? " (paused)" : "");
    }
}
