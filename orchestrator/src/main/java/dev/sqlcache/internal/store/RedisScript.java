package dev.sqlcache.internal.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A Lua script kept as resource files next to the class that runs it, loaded once: its text (the parts
 * concatenated, shared helpers first) and the SHA-1 that {@code EVALSHA} names it by.
 */
public final class RedisScript {

    /** The store's clock helper ({@code now()}, server milliseconds), shared by scripts of several packages. */
    public static final String SERVER_CLOCK = "/dev/sqlcache/internal/store/lua/server_clock.lua";

    private final String name;
    private final byte[] body;
    private final byte[] sha;
    /** The Redis commands the script calls, for a refusal the server does not name. */
    private final String commands;
    /** This script for a Redis Cluster ({@link #tagged()}); made on first use. */
    private volatile RedisScript tagged;

    private RedisScript(String name, byte[] body) {
        this.name = name;
        this.body = body;
        this.sha = sha1Hex(body);
        java.util.Set<String> called = new java.util.TreeSet<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("redis\\.p?call\\('([A-Za-z]+)'")
                .matcher(new String(body, StandardCharsets.UTF_8));
        while (m.find()) {
            called.add(m.group(1).toUpperCase(java.util.Locale.ROOT));
        }
        this.commands = String.join(" ", called);
    }

    /** The Redis commands the script calls, e.g. {@code GET SET TIME}. */
    public String commands() {
        return commands;
    }

    /**
     * @param anchor a class in the package whose {@code lua/} folder holds the parts
     * @param parts  file names in {@code lua/} (or absolute resource paths), helpers first, the script itself last
     */
    public static RedisScript load(Class<?> anchor, String... parts) {
        StringBuilder text = new StringBuilder();
        for (String part : parts) {
            String path = part.startsWith("/") ? part : "lua/" + part;
            try (InputStream in = anchor.getResourceAsStream(path)) {
                if (in == null) {
                    throw new IllegalStateException("sqlcache: script part " + path + " is missing from the jar");
                }
                text.append(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return new RedisScript(parts[parts.length - 1], text.toString().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The script as run on a Redis Cluster: the keys it names itself carry sqlcache's hash tag, as the keys it is
     * given do ({@link ClusterKeys}), so that it touches one slot only.
     */
    RedisScript tagged() {
        RedisScript t = tagged;
        if (t == null) {
            t = new RedisScript(name, ClusterKeys.physicalScript(text()).getBytes(StandardCharsets.UTF_8));
            tagged = t;
        }
        return t;
    }

    /** The script's file name, for error messages. */
    public String name() {
        return name;
    }

    byte[] body() {
        return body;
    }

    byte[] sha() {
        return sha;
    }

    /** The full text, for tests that run it elsewhere. */
    public String text() {
        return new String(body, StandardCharsets.UTF_8);
    }

    private static byte[] sha1Hex(byte[] script) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest(script);
            return HexFormat.of().formatHex(digest).getBytes(StandardCharsets.US_ASCII);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required of every JVM", e);
        }
    }
}
