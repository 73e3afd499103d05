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
     * The entry key for one execution.
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
        MessageDigest md = sha256();
        md.update(context);
        putString(md, sql);
        putLong(md, maxRows);
        putLong(md, maxFieldSize);
        if (parameters != null) {
            putLong(md, parameters.count());
            for (int i = 1; i <= parameters.count(); i++) {
                putValue(md, parameters.type(i), parameters.value(i));
            }
        }
        byte[] digest = md.digest();
        return "sql:" + table + ":data:" + HEX.formatHex(digest, 0, KEPT_BYTES);
    }

    private static void putValue(MessageDigest md, ParameterType type, Object value) {
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
                putValue(md, ParameterType.OBJECT_WITH_TARGET_TYPE, element);
            }
        } else if (value instanceof Object[] pair) {
            // a composite: value plus calendar, or value plus target SQL type
            putLong(md, pair.length);
            for (Object part : pair) {
                putValue(md, ParameterType.OBJECT_WITH_TARGET_TYPE, part);
            }
        } else {
            putString(md, value.getClass().getName());
            putString(md, value.toString());
        }
    }

    private static void putString(MessageDigest md, String s) {
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

    /** One digest per thread, reset before each use: looking one up per key costs more than the hashing. */
    private static final ThreadLocal<MessageDigest> DIGESTS = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    });

    private static MessageDigest sha256() {
        MessageDigest md = DIGESTS.get();
        md.reset();
        return md;
    }
}
