package dev.sqlcache.testing;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One command to a loopback Redis or sentinel on a fresh connection, for test set-up and inspection (never the code
 * under test): the reply as a String (simple string, bulk string, or an error starting with {@code -}), a Long, a
 * List or {@code null}. Every wait is bounded by {@link #TIMEOUT_MILLIS}.
 */
public final class RespClient {

    static final int TIMEOUT_MILLIS = 2_000;

    private RespClient() {
    }

    /** Sends the command; throws {@link IllegalStateException} when nothing answers. */
    public static Object call(int port, String... arguments) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), TIMEOUT_MILLIS);
            socket.setSoTimeout(TIMEOUT_MILLIS);
            send(socket.getOutputStream(), arguments);
            return read(new BufferedInputStream(socket.getInputStream()));
        } catch (IOException e) {
            throw new IllegalStateException("127.0.0.1:" + port + " did not answer " + arguments[0] + ": "
                    + e.getMessage(), e);
        }
    }

    /** Like {@link #call} but a failure to connect is {@code null}: for polling a process that may be down. */
    public static Object tryCall(int port, String... arguments) {
        try {
            return call(port, arguments);
        } catch (IllegalStateException e) {
            return null;
        }
    }

    private static void send(OutputStream out, String... arguments) throws IOException {
        StringBuilder resp = new StringBuilder("*").append(arguments.length).append("\r\n");
        for (String argument : arguments) {
            resp.append('$').append(argument.getBytes(StandardCharsets.UTF_8).length).append("\r\n")
                    .append(argument).append("\r\n");
        }
        out.write(resp.toString().getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static Object read(InputStream in) throws IOException {
        int type = in.read();
        String line = line(in);
        switch (type) {
            case '+':
                return line;
            case '-':
                return "-" + line;
            case ':':
                return Long.parseLong(line);
            case '$': {
                int length = Integer.parseInt(line);
                if (length < 0) {
                    return null;
                }
                byte[] data = in.readNBytes(length + 2);
                return new String(data, 0, length, StandardCharsets.UTF_8);
            }
            case '*': {
                int count = Integer.parseInt(line);
                if (count < 0) {
                    return null;
                }
                List<Object> items = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    items.add(read(in));
                }
                return items;
            }
            default:
                throw new IOException("unexpected reply type " + type);
        }
    }

    private static String line(InputStream in) throws IOException {
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
}
