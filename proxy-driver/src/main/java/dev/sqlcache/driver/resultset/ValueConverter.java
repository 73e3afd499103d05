package dev.sqlcache.driver.resultset;

import dev.sqlcache.codec.CachedResult;
import dev.sqlcache.codec.TimeValue;
import dev.sqlcache.codec.ValueKind;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.sql.Date;
import java.sql.SQLDataException;
import java.sql.SQLException;
import java.sql.Time;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Calendar;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Converts a cached cell to what a getter returns. Conversions that every supported driver performs the same
 * way are done; where drivers disagree (rounding a fraction to an int, a boolean to a number, a float to a
 * BigDecimal...) the converter refuses with SQLState 22018 rather than guess: a refused conversion is a visible
 * difference, a guessed one could be a wrong value. Values handed out are always fresh copies.
 */
final class ValueConverter {
    private static final Pattern INTEGER = Pattern.compile("[+-]?\\d{1,19}");
    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");

    private ValueConverter() {
    }

    static Object object(CachedResult r, int row, int col) {
        Object v = r.value(row, col);
        if (v == null) {
            return null;
        }
        switch (r.kind(col)) {
            case DATE:
                return new Date(((Date) v).getTime());
            case TIME:
                return new Time(((TimeValue) v).epochMillis());
            case TIMESTAMP:
                return copy((Timestamp) v);
            case BYTES:
                return ((byte[]) v).clone();
            default:
                return v;
        }
    }

    static boolean toBoolean(CachedResult r, int row, int col) throws SQLException {
        Object v = r.value(row, col);
        if (v == null) {
            return false;
        }
        ValueKind k = r.kind(col);
        switch (k) {
            case BOOLEAN:
                return (Boolean) v;
            case BYTE:
            case SHORT:
            case INTEGER:
            case LONG:
                long l = ((Number) v).longValue();
                if (l == 0 || l == 1) {
                    return l == 1;
                }
                break;
            case BIG_INTEGER:
            case BIG_DECIMAL:
            case FLOAT:
            case DOUBLE:
                BigDecimal d = exact(v);
                if (d != null && (d.signum() == 0 || d.compareTo(BigDecimal.ONE) == 0)) {
                    return d.signum() != 0;
                }
                break;
            case STRING:
                String s = ((String) v).trim();
                if (s.equalsIgnoreCase("true") || s.equals("1")) {
                    return true;
                }
                if (s.equalsIgnoreCase("false") || s.equals("0")) {
                    return false;
                }
                break;
            default:
                break;
        }
        throw cannot(r, row, col, "boolean");
    }

    static long toLong(CachedResult r, int row, int col, long min, long max, String target) throws SQLException {
        Object v = r.value(row, col);
        if (v == null) {
            return 0;
        }
        switch (r.kind(col)) {
            case BYTE:
            case SHORT:
            case INTEGER:
            case LONG:
                return range(((Number) v).longValue(), min, max, target);
            case BIG_INTEGER:
            case BIG_DECIMAL:
            case FLOAT:
            case DOUBLE: {
                BigDecimal d = exact(v);
                if (d != null && d.stripTrailingZeros().scale() <= 0) {
                    if (d.compareTo(BigDecimal.valueOf(min)) < 0 || d.compareTo(BigDecimal.valueOf(max)) > 0) {
                        throw outOfRange(target);
                    }
                    return d.longValue();
                }
                break;
            }
            case STRING: {
                String s = ((String) v).trim();
                if (INTEGER.matcher(s).matches()) {
                    BigInteger b = new BigInteger(s);
                    if (b.compareTo(BigInteger.valueOf(min)) < 0 || b.compareTo(BigInteger.valueOf(max)) > 0) {
                        throw outOfRange(target);
                    }
                    return b.longValue();
                }
                break;
            }
            default:
                break;
        }
        throw cannot(r, row, col, target);
    }

    static double toDouble(CachedResult r, int row, int col) throws SQLException {
        Object v = r.value(row, col);
        if (v == null) {
            return 0;
        }
        switch (r.kind(col)) {
            case BYTE:
            case SHORT:
            case INTEGER:
            case LONG:
                return ((Number) v).longValue();
            case BIG_INTEGER:
            case BIG_DECIMAL:
            case DOUBLE:
                return ((Number) v).doubleValue();
            case FLOAT: {
                // H2 widens the float, PostgreSQL parses its text: identical only when the text is exact.
                float f = (Float) v;
                double wide = f;
                if (Float.isNaN(f) || Float.isInfinite(f) || wide == Double.parseDouble(Float.toString(f))) {
                    return wide;
                }
                break;
            }
            case STRING: {
                String s = ((String) v).trim();
                if (DECIMAL.matcher(s).matches()) {
                    return Double.parseDouble(s);
                }
                break;
            }
            default:
                break;
        }
        throw cannot(r, row, col, "double");
    }

    static float toFloat(CachedResult r, int row, int col) throws SQLException {
        Object v = r.value(row, col);
        if (v == null) {
            return 0;
        }
        switch (r.kind(col)) {
            case FLOAT:
                return (Float) v;
            case BYTE:
            case SHORT:
            case INTEGER:
            case LONG:
                return ((Number) v).longValue();
            case BIG_INTEGER:
            case BIG_DECIMAL:
            case DOUBLE:
                return ((Number) v).floatValue();
            case STRING: {
                String s = ((String) v).trim();
                if (DECIMAL.matcher(s).matches()) {
                    return Float.parseFloat(s);
                }
                break;
            }
            default:
                break;
        }
        throw cannot(r, row, col, "float");
    }

    static BigDecimal toBigDecimal(CachedResult r, int row, int col) throws SQLException {
        Object v = r.value(row, col);
        if (v == null) {
            return null;
        }
        switch (r.kind(col)) {
            case BYTE:
            case SHORT:
            case INTEGER:
            case LONG:
                return BigDecimal.valueOf(((Number) v).longValue());
            case BIG_INTEGER:
                return new BigDecimal((BigInteger) v);
            case BIG_DECIMAL:
                return (BigDecimal) v;
            case STRING: {
                String s = ((String) v).trim();
                if (DECIMAL.matcher(s).matches()) {
                    return new BigDecimal(s);
                }
                break;
            }
            default:
                break;
        }
        throw cannot(r, row, col, "BigDecimal");
    }

    static BigDecimal toBigDecimal(CachedResult r, int row, int col, int scale) throws SQLException {
        BigDecimal d = toBigDecimal(r, row, col);
        if (d == null) {
            return null;
        }
        try {
            return d.setScale(scale, RoundingMode.UNNECESSARY);
        } catch (ArithmeticException e) {
            throw cannot(r, row, col, "BigDecimal with scale " + scale);
        }
    }

    static byte[] toBytes(CachedResult r, int row, int col) throws SQLException {
        Object v = r.value(row, col);
        if (v == null) {
            return null;
        }
        if (r.kind(col) == ValueKind.BYTES) {
            return ((byte[]) v).clone();
        }
        throw cannot(r, row, col, "byte[]");
    }

    static Date toDate(CachedResult r, int row, int col, Calendar cal) throws SQLException {
        Object v = r.value(row, col);
        if (v == null) {
            return null;
        }
        LocalDate date;
        switch (r.kind(col)) {
            case DATE:
                if (cal == null) {
                    return new Date(((Date) v).getTime());
                }
                date = ((Date) v).toLocalDate();
                break;
            case TIMESTAMP:
                if (r.zoned(col)) {
                    throw cannot(r, row, col, "Date");
                }
                date = ((Timestamp) v).toLocalDateTime().toLocalDate();
                break;
            default:
                throw cannot(r, row, col, "Date");
        }
        if (cal == null) {
            return Date.valueOf(date);
        }
        return new Date(date.atStartOfDay(zone(cal)).toInstant().toEpochMilli());
    }

    static Time toTime(CachedResult r, int row, int col, Calendar cal) throws SQLException {
        Object v = r.value(row, col);
        if (v == null) {
            return null;
        }
        if (r.kind(col) == ValueKind.TIME && !r.zoned(col)) {
            TimeValue t = (TimeValue) v;
            if (cal == null) {
                return new Time(t.epochMillis());
            }
            if (t.localTime() != null) {
                LocalTime lt = t.localTime();
                long millis = lt.atDate(LocalDate.EPOCH).atZone(zone(cal)).toInstant().toEpochMilli();
                return new Time(millis);
            }
        }
        throw cannot(r, row, col, "Time");
    }

    static Timestamp toTimestamp(CachedResult r, int row, int col, Calendar cal) throws SQLException {
        Object v = r.value(row, col);
        if (v == null) {
            return null;
        }
        switch (r.kind(col)) {
            case TIMESTAMP: {
                Timestamp ts = (Timestamp) v;
                if (cal == null || r.zoned(col)) {
                    return copy(ts);
                }
                return Timestamp.from(ts.toLocalDateTime().atZone(zone(cal)).toInstant());
            }
            case DATE: {
                Date d = (Date) v;
                if (cal == null) {
                    return new Timestamp(d.getTime());
                }
                return Timestamp.from(d.toLocalDate().atStartOfDay(zone(cal)).toInstant());
            }
            case OFFSET_DATE_TIME:
                return Timestamp.from(((OffsetDateTime) v).toInstant());
            default:
                throw cannot(r, row, col, "Timestamp");
        }
    }

    @SuppressWarnings("unchecked")
    static <T> T toObject(CachedResult r, int row, int col, Class<T> type) throws SQLException {
        if (type == null) {
            throw new SQLException("type is null", "22023");
        }
        Object v = r.value(row, col);
        ValueKind k = r.kind(col);
        if (type == String.class) {
            return (T) r.string(row, col);
        }
        if (v == null) {
            return null;
        }
        if (type == Object.class || type == k.javaClass()) {
            return (T) object(r, row, col);
        }
        if (type == Boolean.class) {
            return (T) Boolean.valueOf(toBoolean(r, row, col));
        }
        if (type == Byte.class) {
            return (T) Byte.valueOf((byte) toLong(r, row, col, Byte.MIN_VALUE, Byte.MAX_VALUE, "byte"));
        }
        if (type == Short.class) {
            return (T) Short.valueOf((short) toLong(r, row, col, Short.MIN_VALUE, Short.MAX_VALUE, "short"));
        }
        if (type == Integer.class) {
            return (T) Integer.valueOf((int) toLong(r, row, col, Integer.MIN_VALUE, Integer.MAX_VALUE, "int"));
        }
        if (type == Long.class) {
            return (T) Long.valueOf(toLong(r, row, col, Long.MIN_VALUE, Long.MAX_VALUE, "long"));
        }
        if (type == Float.class) {
            return (T) Float.valueOf(toFloat(r, row, col));
        }
        if (type == Double.class) {
            return (T) Double.valueOf(toDouble(r, row, col));
        }
        if (type == BigDecimal.class) {
            return (T) toBigDecimal(r, row, col);
        }
        if (type == BigInteger.class) {
            switch (k) {
                case BYTE:
                case SHORT:
                case INTEGER:
                case LONG:
                    return (T) BigInteger.valueOf(((Number) v).longValue());
                default:
                    throw cannot(r, row, col, "BigInteger");
            }
        }
        if (type == Date.class) {
            return (T) toDate(r, row, col, null);
        }
        if (type == Time.class) {
            return (T) toTime(r, row, col, null);
        }
        if (type == Timestamp.class) {
            return (T) toTimestamp(r, row, col, null);
        }
        if (type == LocalDate.class) {
            if (k == ValueKind.DATE) {
                return (T) ((Date) v).toLocalDate();
            }
            if (k == ValueKind.TIMESTAMP && !r.zoned(col)) {
                return (T) ((Timestamp) v).toLocalDateTime().toLocalDate();
            }
        } else if (type == LocalTime.class) {
            if (k == ValueKind.TIME && ((TimeValue) v).localTime() != null) {
                return (T) ((TimeValue) v).localTime();
            }
            if (k == ValueKind.TIMESTAMP && !r.zoned(col)) {
                return (T) ((Timestamp) v).toLocalDateTime().toLocalTime();
            }
        } else if (type == LocalDateTime.class) {
            if (k == ValueKind.TIMESTAMP && !r.zoned(col)) {
                return (T) ((Timestamp) v).toLocalDateTime();
            }
            if (k == ValueKind.DATE) {
                return (T) ((Date) v).toLocalDate().atStartOfDay();
            }
        } else if (type == OffsetDateTime.class) {
            if (k == ValueKind.TIMESTAMP && r.zoned(col)) {
                return (T) ((Timestamp) v).toInstant().atOffset(ZoneOffset.UTC);
            }
        } else if (type == UUID.class) {
            if (k == ValueKind.STRING) {
                try {
                    return (T) UUID.fromString((String) v);
                } catch (IllegalArgumentException e) {
                    throw cannot(r, row, col, "UUID");
                }
            }
        }
        throw cannot(r, row, col, type.getName());
    }

    private static Timestamp copy(Timestamp ts) {
        Timestamp t = new Timestamp(ts.getTime());
        t.setNanos(ts.getNanos());
        return t;
    }

    private static ZoneId zone(Calendar cal) {
        return cal.getTimeZone().toZoneId();
    }

    /** The exact decimal value of a number, or null for NaN/Infinity. */
    private static BigDecimal exact(Object v) {
        if (v instanceof BigDecimal d) {
            return d;
        }
        if (v instanceof BigInteger b) {
            return new BigDecimal(b);
        }
        double d = ((Number) v).doubleValue();
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            return null;
        }
        return new BigDecimal(d);
    }

    private static long range(long v, long min, long max, String target) throws SQLException {
        if (v < min || v > max) {
            throw outOfRange(target);
        }
        return v;
    }

    private static SQLException outOfRange(String target) {
        return new SQLDataException("Numeric value out of range for " + target, "22003");
    }

    private static SQLException cannot(CachedResult r, int row, int col, String target) {
        return new SQLDataException("Cannot convert the value of column " + (col + 1) + " ("
                + r.column(col).columnTypeName() + ") to " + target, "22018");
    }
}
