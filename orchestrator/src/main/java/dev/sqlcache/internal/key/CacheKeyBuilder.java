package dev.sqlcache.internal.key;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Timestamp;
import java.util.Calendar;
import java.util.HexFormat;

/**
 * Builds entry keys {@code sql:<table>:data:<hash>}, where the hash is SHA-256 (128 bits kept, 32 hex digits) over
 * the connection's context digest (database identity, user, catalog, schema, time zone), the normalized SQL, every
 * bound value with its type, and the statement settings that change a result. Values never appear in the key in
 * clear, so secrets in parameters cannot leak through Redis key names.
 */
public final class CacheKeyBuilder {

    /** Appended to a table's version key: the token of its rows as a whole (writes not pinned by key). */
    public static final String ROWS_SUFFIX = ":rows";
    /** Appended to a table's version key: the token of rows that did not exist (inserts, key updates). */
    public static final String INSERTS_SUFFIX = ":inserts";

    private static final HexFormat HEX = HexFormat.of();
    private static final int KEPT_BYTES = 16;

    private CacheKeyBuilder() {
    }

    /** A SHA-256 over the given parts, each length-prefixed so that no two lists of parts collide. */
    public static byte[] contextDigest(String... parts) {
        MessageDigest md = sha256();
        for (String part : parts) {
            putString(md, part);
        }
        return md.digest();
    }

    /** Hex of the first 16 bytes of a SHA-256 over one string; used to name databases in keys. */
    public static String shortHash(String text) {
        MessageDigest md = sha256();
        md.update(text.getBytes(StandardCharsets.UTF_8));
        return HEX.formatHex(md.digest(), 0, KEPT_BYTES);
    }

    /**
     * The entry key for one execution. Statements executed again should use {@link KeyPrefix}, which hashes the
     * context and the SQL once; this gives the same key.
     *
     * @param table       the key's table part (lower case, as the query qualified it)
     * @param context     the connection's {@link #contextDigest}
     * @param sql         the normalized SQL
     * @param parameters  bound values, or null for a plain statement
     * @param maxRows     {@code Statement.getMaxRows()}
     * @param maxFieldSize {@code Statement.getMaxFieldSize()}
     */
    public static String entryKey(String table, byte[] context, String sql, BoundParameters parameters,
                                  long maxRows, int maxFieldSize) {
        MessageDigest md = digest();
        md.update(context);
        putString(md, sql);
        return key(keyStart(table), scratch(), md, parameters, maxRows, maxFieldSize);
    }

    /** What every entry key of a table starts with. */
    static String keyStart(String table) {
        return "sql:" + table + ":data:";
    }

    /**
     * Hashes what follows the context and the SQL (the statement settings and the bound values) into {@code md},
     * which holds the context and the SQL already, and makes the key.
     */
    static String key(String start, byte[] scratch, MessageDigest md, BoundParameters parameters, long maxRows,
                      int maxFieldSize) {
        putLong(md, maxRows);
        putLong(md, maxFieldSize);
        if (parameters != null) {
            putLong(md, parameters.count());
            for (int i = 1; i <= parameters.count(); i++) {
                putValue(scratch, md, parameters.type(i), parameters.value(i));
            }
        }
        try {
            md.digest(scratch, 0, 32);
        } catch (java.security.DigestException e) {
            throw new IllegalStateException("SHA-256 gives 32 bytes", e);
        }
        return start + HEX.formatHex(scratch, 0, KEPT_BYTES);
    }

    private static void putValue(byte[] scratch, MessageDigest md, ParameterType type, Object value) {
        md.update((byte) type.ordinal());
        if (value == null) {
            md.update((byte) 0);
            return;
        }
        md.update((byte) 1);
        if (value instanceof byte[] bytes) {
            putLong(md, bytes.length);
            md.update(bytes);
        } else if (value instanceof Timestamp ts) {
            // Timestamp.toString drops nothing but depends on the JVM zone, which is in the context digest.
            putLong(md, ts.getTime());
            putLong(md, ts.getNanos());
        } else if (value instanceof java.util.Date date) {
            putLong(md, date.getTime());
        } else if (value instanceof BigDecimal bd) {
            // unscaled value and scale: 1.0 and 1.00 are different inputs to the database.
            putString(md, bd.unscaledValue().toString());
            putLong(md, bd.scale());
        } else if (value instanceof BigInteger bi) {
            putString(md, bi.toString());
        } else if (value instanceof Double d) {
            putLong(md, Double.doubleToRawLongBits(d));
        } else if (value instanceof Float f) {
            putLong(md, Float.floatToRawIntBits(f));
        } else if (value instanceof Calendar cal) {
            putString(md, cal.getTimeZone().getID());
        } else if (value instanceof ArrayParameter array) {
            // base type, length, then each element with its class: {1, 2} of int4 and of int8 differ, as do
            // BigDecimal 1 and BigInteger 1.
            putString(md, array.baseType());
            Object[] elements = array.elementArray();
            putLong(md, elements.length);
            for (Object element : elements) {
                putString(md, element == null ? null : element.getClass().getName());
                putValue(scratch, md, ParameterType.OBJECT_WITH_TARGET_TYPE, element);
            }
        } else if (value instanceof Object[] pair) {
            // a composite: value plus calendar, or value plus target SQL type
            putLong(md, pair.length);
            for (Object part : pair) {
                putValue(scratch, md, ParameterType.OBJECT_WITH_TARGET_TYPE, part);
            }
        } else if (value instanceof String text) {
            // The bytes of the general case below, without copying the class name and the text on every execution.
            md.update(STRING_NAME);
            putText(scratch, md, text);
        } else if (value instanceof Integer n) {
            md.update(INTEGER_NAME);
            putDecimal(scratch, md, n);
        } else if (value instanceof Long n) {
            md.update(LONG_NAME);
            putDecimal(scratch, md, n);
        } else if (value instanceof Short n) {
            md.update(SHORT_NAME);
            putDecimal(scratch, md, n);
        } else if (value instanceof Byte n) {
            md.update(BYTE_NAME);
            putDecimal(scratch, md, n);
        } else {
            putString(md, value.getClass().getName());
            putString(md, value.toString());
        }
    }

    /**
     * The class names {@link #putValue} hashes in place, as {@link #putString} writes them (length-prefixed UTF-8).
     * Constants, not a {@code ClassValue}: a ClassValue's entries on JDK classes would pin this class loader.
     */
    private static final byte[] STRING_NAME = prefixedName(String.class);
    private static final byte[] INTEGER_NAME = prefixedName(Integer.class);
    private static final byte[] LONG_NAME = prefixedName(Long.class);
    private static final byte[] SHORT_NAME = prefixedName(Short.class);
    private static final byte[] BYTE_NAME = prefixedName(Byte.class);

    private static byte[] prefixedName(Class<?> type) {
        byte[] name = type.getName().getBytes(StandardCharsets.UTF_8);
        byte[] prefixed = new byte[8 + name.length];
        for (int i = 0; i < 8; i++) {
            prefixed[i] = (byte) ((long) name.length >>> (56 - 8 * i));
        }
        System.arraycopy(name, 0, prefixed, 8, name.length);
        return prefixed;
    }

    /** {@link #putString} of a string, ASCII encoded in place (the same bytes as its UTF-8), else as UTF-8. */
    private static void putText(byte[] scratch, MessageDigest md, String text) {
        int length = text.length();
        byte[] buffer = scratch;
        if (length > buffer.length) {
            putString(md, text);
            return;
        }
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            if (c >= 0x80) {
                putString(md, text);
                return;
            }
            buffer[i] = (byte) c;
        }
        putLong(md, length);
        md.update(buffer, 0, length);
    }

    /** {@link #putString} of {@code Long.toString(value)}, which {@code Integer}, {@code Short} and {@code Byte} equal. */
    private static void putDecimal(byte[] scratch, MessageDigest md, long value) {
        if (value == Long.MIN_VALUE) {
            putString(md, Long.toString(value));
            return;
        }
        byte[] buffer = scratch;
        int at = buffer.length;
        long rest = Math.abs(value);
        do {
            buffer[--at] = (byte) ('0' + rest % 10);
            rest /= 10;
        } while (rest != 0);
        if (value < 0) {
            buffer[--at] = '-';
        }
        putLong(md, buffer.length - at);
        md.update(buffer, at, buffer.length - at);
    }

    static void putString(MessageDigest md, String s) {
        if (s == null) {
            putLong(md, -1);
            return;
        }
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        putLong(md, bytes.length);
        md.update(bytes);
    }

    private static void putLong(MessageDigest md, long v) {
        for (int shift = 56; shift >= 0; shift -= 8) {
            md.update((byte) (v >>> shift));
        }
    }

    /**
     * A digest and scratch bytes per thread, the digest reset before each use: looking one up per key costs more
     * than the hashing, and copying every bound value into bytes of its own would allocate per execution. JDK
     * classes only: a pooled thread must keep no application class loader alive.
     */
    private static final ThreadLocal<MessageDigest> DIGESTS = ThreadLocal.withInitial(CacheKeyBuilder::newSha256);
    /**
     * Longer than any decimal long; strings up to this length are hashed from here. Also where the digest is
     * written: values are hashed before it is, and its hex is read before anything is hashed again.
     */
    private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[256]);

    /** This thread's digest, reset. */
    static MessageDigest digest() {
        MessageDigest md = DIGESTS.get();
        md.reset();
        return md;
    }

    /** This thread's scratch bytes. */
    static byte[] scratch() {
        return SCRATCH.get();
    }

    static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }

    private static MessageDigest sha256() {
        return digest();
    }
}
