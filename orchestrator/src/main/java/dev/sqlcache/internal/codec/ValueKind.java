package dev.sqlcache.internal.codec;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.util.UUID;

/**
 * The Java class a column's getObject returns, as far as the codec round-trips it exactly. The tag is the
 * on-disk identifier: never renumber, only append.
 */
public enum ValueKind {
    BOOLEAN(1, Boolean.class),
    BYTE(2, Byte.class),
    SHORT(3, Short.class),
    INTEGER(4, Integer.class),
    LONG(5, Long.class),
    BIG_INTEGER(6, BigInteger.class),
    BIG_DECIMAL(7, BigDecimal.class),
    FLOAT(8, Float.class),
    DOUBLE(9, Double.class),
    STRING(10, String.class),
    DATE(11, java.sql.Date.class),
    TIME(12, java.sql.Time.class),
    TIMESTAMP(13, java.sql.Timestamp.class),
    OFFSET_DATE_TIME(14, OffsetDateTime.class),
    OFFSET_TIME(15, OffsetTime.class),
    BYTES(16, byte[].class),
    UUID(17, java.util.UUID.class);

    private static final ValueKind[] BY_TAG = new ValueKind[32];

    static {
        for (ValueKind k : values()) {
            BY_TAG[k.tag] = k;
        }
    }

    final int tag;
    final Class<?> javaClass;

    ValueKind(int tag, Class<?> javaClass) {
        this.tag = tag;
        this.javaClass = javaClass;
    }

    public Class<?> javaClass() {
        return javaClass;
    }

    static ValueKind ofTag(int tag) {
        return tag >= 0 && tag < BY_TAG.length ? BY_TAG[tag] : null;
    }

    /**
     * The kind for a column from its JDBC type and class name, or null when the codec cannot reproduce the
     * driver's values exactly (LOBs, arrays, structs, driver-specific objects, unknown OTHER types...).
     */
    static ValueKind forColumn(int jdbcType, String className) {
        if (className == null) {
            return null;
        }
        switch (className) {
            case "java.lang.Boolean":
                return jdbcType == Types.BOOLEAN || jdbcType == Types.BIT ? BOOLEAN : null;
            case "java.lang.Byte":
                return isInteger(jdbcType) ? BYTE : null;
            case "java.lang.Short":
                return isInteger(jdbcType) ? SHORT : null;
            case "java.lang.Integer":
                return isInteger(jdbcType) ? INTEGER : null;
            case "java.lang.Long":
                return isInteger(jdbcType) ? LONG : null;
            case "java.math.BigInteger":
                return isInteger(jdbcType) || isDecimal(jdbcType) ? BIG_INTEGER : null;
            case "java.math.BigDecimal":
                return isDecimal(jdbcType) ? BIG_DECIMAL : null;
            case "java.lang.Float":
                return isFloating(jdbcType) ? FLOAT : null;
            case "java.lang.Double":
                return isFloating(jdbcType) ? DOUBLE : null;
            case "java.lang.String":
                return isCharacter(jdbcType) ? STRING : null;
            case "java.sql.Date":
                return jdbcType == Types.DATE ? DATE : null;
            case "java.sql.Time":
                return jdbcType == Types.TIME ? TIME : null;
            case "java.sql.Timestamp":
                return jdbcType == Types.TIMESTAMP ? TIMESTAMP : null;
            case "java.time.OffsetDateTime":
                return jdbcType == Types.TIMESTAMP_WITH_TIMEZONE ? OFFSET_DATE_TIME : null;
            case "java.time.OffsetTime":
                return jdbcType == Types.TIME_WITH_TIMEZONE ? OFFSET_TIME : null;
            case "[B":
            case "byte[]":
                return jdbcType == Types.BINARY || jdbcType == Types.VARBINARY || jdbcType == Types.LONGVARBINARY
                        ? BYTES : null;
            case "java.util.UUID":
                return UUID;
            default:
                return null;
        }
    }

    private static boolean isInteger(int t) {
        return t == Types.TINYINT || t == Types.SMALLINT || t == Types.INTEGER || t == Types.BIGINT;
    }

    private static boolean isDecimal(int t) {
        return t == Types.DECIMAL || t == Types.NUMERIC;
    }

    private static boolean isFloating(int t) {
        return t == Types.REAL || t == Types.FLOAT || t == Types.DOUBLE;
    }

    private static boolean isCharacter(int t) {
        return t == Types.CHAR || t == Types.VARCHAR || t == Types.LONGVARCHAR || t == Types.NCHAR
                || t == Types.NVARCHAR || t == Types.LONGNVARCHAR;
    }
}
