package dev.sqlcache.internal.key;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * What an entry key owes to the connection's context and the statement's SQL, worked out once for a statement
 * and reused by each of its executions, so that an execution hashes only its settings and its bound values. The
 * keys are exactly those of {@link CacheKeyBuilder#entryKey}.
 *
 * <p>For a long SQL text the SHA-256 state after the context and the text is kept and cloned per execution
 * ({@link MessageDigest#clone()}): the text's blocks are compressed once. A short one is hashed again instead:
 * cloning a digest allocates a few hundred bytes, which costs more than the one block it would save.
 *
 * <p>Immutable and thread-safe: the kept digest is only ever cloned, never updated.
 */
public final class KeyPrefix {

    /**
     * Bytes of context and SQL (with its length prefix) from which the state is kept and cloned: two SHA-256 blocks.
     * Measured on JDK 17 (SHA-NI, 2026-12-06, best of 15 x 200,000, load 11-13), hashing the prefix again and then
     * 60 bytes of values against cloning the kept state: 163 / 171 ns at 64 bytes, 187 / 132 ns at 128, 280 / 141
     * ns at 256, 934 / 208 ns at 800. Below two blocks the clone's few hundred bytes of garbage buy too little.
     */
    static final int CLONE_FROM_BYTES = 128;

    private final byte[] context;
    private final String start;
    /** The SQL's UTF-8 with its length prefix, hashed per execution when {@link #hashed} is null. */
    private final byte[] sql;
    /** The digest after the context and the SQL, or null when hashing them again is cheaper than a clone. */
    private final MessageDigest hashed;
    /** Over the context, the table part and the SQL: what {@link #sameAs} compares, for near-cache lookups. */
    private final int hash;

    private KeyPrefix(byte[] context, String start, byte[] sql, MessageDigest hashed) {
        this.context = context;
        this.start = start;
        this.sql = sql;
        this.hashed = hashed;
        this.hash = (Arrays.hashCode(context) * 31 + start.hashCode()) * 31 + Arrays.hashCode(sql);
    }

    /**
     * @param table   the key's table part
     * @param context the connection's {@link CacheKeyBuilder#contextDigest}; not modified afterwards
     * @param sql     the normalized SQL
     */
    public static KeyPrefix of(String table, byte[] context, String sql) {
        byte[] text = sql.getBytes(StandardCharsets.UTF_8);
        byte[] prefixed = new byte[8 + text.length];
        for (int i = 0; i < 8; i++) {
            prefixed[i] = (byte) ((long) text.length >>> (56 - 8 * i));
        }
        System.arraycopy(text, 0, prefixed, 8, text.length);
        MessageDigest hashed = null;
        if (context.length + prefixed.length >= CLONE_FROM_BYTES) {
            MessageDigest md = CacheKeyBuilder.newSha256();
            md.update(context);
            md.update(prefixed);
            hashed = cloneable(md);
        }
        return new KeyPrefix(context, CacheKeyBuilder.keyStart(table), prefixed, hashed);
    }

    private static MessageDigest cloneable(MessageDigest md) {
        try {
            md.clone();
            return md;
        } catch (CloneNotSupportedException e) {
            return null; // a provider whose digests cannot be cloned: hash the SQL per execution
        }
    }

    /** Whether this prefix was made for a connection context equal to {@code context}. */
    public boolean isFor(byte[] context) {
        return this.context == context || Arrays.equals(this.context, context);
    }

    /**
     * Whether the two give the same entry key for the same execution: the same context (database, user, schema...),
     * the same table part and the same SQL. Usually the very same object, then nothing is compared.
     */
    public boolean sameAs(KeyPrefix other) {
        return this == other || other != null && hash == other.hash && start.equals(other.start)
                && Arrays.equals(context, other.context) && Arrays.equals(sql, other.sql);
    }

    /** Equal for prefixes that are {@link #sameAs} each other; computed once. */
    int hash() {
        return hash;
    }

    /** The entry key of one execution: {@link CacheKeyBuilder#entryKey} with this prefix's context and SQL. */
    public String entryKey(BoundParameters parameters, long maxRows, int maxFieldSize) {
        MessageDigest md;
        if (hashed != null) {
            try {
                md = (MessageDigest) hashed.clone();
            } catch (CloneNotSupportedException e) {
                throw new IllegalStateException("a digest that cloned once refused to clone", e);
            }
        } else {
            md = CacheKeyBuilder.digest();
            md.update(context);
            md.update(sql);
        }
        return CacheKeyBuilder.key(start, CacheKeyBuilder.scratch(), md, parameters, maxRows, maxFieldSize);
    }
}
