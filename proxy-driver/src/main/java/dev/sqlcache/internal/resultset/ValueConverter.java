package dev.sqlcache.internal.resultset;

import dev.sqlcache.internal.codec.CachedResult;
import dev.sqlcache.internal.codec.Conversions;
import dev.sqlcache.internal.codec.TimeValue;
import dev.sqlcache.internal.codec.ValueKind;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.sql.Date;
import java.sql.SQLException;
import java.sql.Time;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Calendar;
import java.util.regex.Pattern;

/**
 * Converts a cached cell to what a getter returns. Conversions that every supported driver performs the same
 * way are done; where drivers disagree (rounding a fraction to an int, a boolean to a number, a float to a
 * BigDecimal...) the converter refuses with {@link RefusedConversion} (SQLState 22018) rather than guess: a guessed
 * conversion could be a wrong value, a refused one is handed over to the database when the result set can do that
 * (see {@link DatabaseHandover}). Values handed out are always fresh copies.
 */
final class ValueConverter {
    private static final Pattern INTEGER = Pattern.compile("[+-]?\\d{1,19}");
    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");

    /**
     * Before the Gregorian cutover java.sql types (Julian calendar) and java.time (proleptic Gregorian) disagree,
     * and drivers apply a Calendar in different ways: such values are refused with a Calendar. A date in the ten
     * days the cutover skipped (1582-10-05 to 10-14) becomes, as a java.sql value, one of the ten days after it,
     * while pgjdbc and MariaDB answer java.time getters from the text and keep it: java.sql values up to
     * 1582-10-26 UTC (any local time in those days, in any offset) are refused too.
     */
    private static final long GREGORIAN_CUTOVER_MILLIS = -12219292800000L + 11 * 86_400_000L;

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
                // pgjdbc matches the text: "1" and "0" only, not "1.0" or "-0"; floats are refused.
                BigDecimal d = exact(v);
                if (d.scale() == 0 && (d.signum() == 0 || d.compareTo(BigDecimal.ONE) == 0)) {
                    return d.signum() != 0;
                }
                break;
            case STRING:
                String s = (String) v;
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
                String s = (String) v;
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
                String s = (String) v;
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
                String s = (String) v;
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
                // pgjdbc's getBigDecimal rescales a negative scale (1.23E+4 → 12300), H2 keeps it.
                if (((BigDecimal) v).scale() >= 0) {
                    return (BigDecimal) v;
                }
                break;
            case STRING: {
                String s = (String) v;
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
        if (Conversions.accepts(r.conversions(col), r.kind(col), byte[].class)) {
            // The driver was seen to return the text's UTF-8 bytes for this column type.
            return r.string(row, col).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        throw cannot(r, row, col, "byte[]");
    }

    static Date toDate(CachedResult r, int row, int col, Calendar cal) throws SQLException {
        Object v = r.value(row, col);
        if (v == null) {
            return null;
        }
        if (cal != null) {
            beforeCutover(r, row, col, "Date");
        }
        LocalDate date;
        switch (r.kind(col)) {
            case DATE:
                if (cal == null) {
                    return new Date(((Date) v).getTime());
                }
                if ("YEAR".equalsIgnoreCase(r.column(col).columnTypeName())) {
                    // MariaDB's getDate(i, cal) ignores the Calendar on a YEAR column (not on a DATE one).
                    throw cannot(r, row, col, "Date with a Calendar");
                }
                date = ((Date) v).toLocalDate();
                break;
            default:
                throw cannot(r, row, col, "Date");
        }
        return new Date(inZone(date.atStartOfDay(), cal, r, row, col, "Date").toEpochMilli());
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
                return new Time(inZone(lt.atDate(LocalDate.EPOCH), cal, r, row, col, "Time").toEpochMilli());
            }
        }
        throw cannot(r, row, col, "Time");
    }

    static Timestamp toTimestamp(CachedResult r, int row, int col, Calendar cal) throws SQLException {
        Object v = r.value(row, col);
        if (v == null) {
            return null;
        }
        if (cal != null) {
            beforeCutover(r, row, col, "Timestamp");
        }
        switch (r.kind(col)) {
            case TIMESTAMP: {
                Timestamp ts = (Timestamp) v;
                if (cal == null || r.zoned(col)) {
                    return copy(ts);
                }
                return Timestamp.from(inZone(ts.toLocalDateTime(), cal, r, row, col, "Timestamp"));
            }
            case DATE: {
                Date d = (Date) v;
                if (cal == null) {
                    return new Timestamp(d.getTime());
                }
                return Timestamp.from(inZone(d.toLocalDate().atStartOfDay(), cal, r, row, col, "Timestamp"));
            }
            case OFFSET_DATE_TIME:
                return Timestamp.from(((OffsetDateTime) v).toInstant());
            default:
                throw cannot(r, row, col, "Timestamp");
        }
    }

    /**
     * getObject(Class) converts only where pgjdbc does (decided by JDBC type, before looking at the value: it
     * refuses e.g. Boolean from int4, Long from int4 or String from bool, where H2 converts). Refusing is safe
     * for every driver, converting more is not.
     */
    @SuppressWarnings("unchecked")
    static <T> T toObject(CachedResult r, int row, int col, Class<T> type) throws SQLException {
        if (type == null) {
            throw new SQLException("type is null", "22023");
        }
        ValueKind k = r.kind(col);
        if (!permitted(r, col, k, type) && !Conversions.accepts(r.conversions(col), k, type)) {
            throw cannot(r, row, col, type.getName());
        }
        Object v = r.value(row, col);
        if (v == null) {
            return null;
        }
        if (type == k.javaClass() && k != ValueKind.BIG_DECIMAL) {
            return (T) object(r, row, col);
        }
        if (type == String.class) {
            return (T) r.string(row, col);
        }
        if (type == Object.class) {
            return (T) object(r, row, col);
        }
        if (type == byte[].class) {
            return (T) toBytes(r, row, col);
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
        if (type == BigInteger.class) {
            return (T) BigInteger.valueOf(((Number) v).longValue());
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
        if (type == Timestamp.class) {
            return (T) toTimestamp(r, row, col, null);
        }
        if (type == LocalDate.class || type == LocalDateTime.class) {
            beforeCutover(r, row, col, type.getSimpleName());
            if (k == ValueKind.DATE) {
                return (T) ((Date) v).toLocalDate();
            }
            LocalDateTime ldt = ((Timestamp) v).toLocalDateTime();
            return type == LocalDate.class ? (T) ldt.toLocalDate() : (T) ldt;
        }
        if (type == LocalTime.class) {
            LocalTime lt = ((TimeValue) v).localTime();
            if (lt == null) {
                throw cannot(r, row, col, "LocalTime");
            }
            return (T) lt;
        }
        if (type == OffsetDateTime.class) {
            if (k == ValueKind.OFFSET_DATE_TIME) {
                return (T) v;
            }
            return (T) ((Timestamp) v).toInstant().atOffset(ZoneOffset.UTC);
        }
        throw cannot(r, row, col, type.getName());
    }

    private static boolean permitted(CachedResult r, int col, ValueKind k, Class<?> type) {
        int sqlType = r.column(col).columnType();
        boolean integral = k == ValueKind.BYTE || k == ValueKind.SHORT || k == ValueKind.INTEGER || k == ValueKind.LONG;
        boolean floating = k == ValueKind.FLOAT || k == ValueKind.DOUBLE;
        boolean zoned = r.zoned(col);
        if (type == String.class) {
            return k == ValueKind.STRING;
        }
        if (type == Short.class) {
            return integral && sqlType == Types.SMALLINT;
        }
        if (type == Integer.class) {
            return integral && (sqlType == Types.SMALLINT || sqlType == Types.INTEGER);
        }
        if (type == Long.class) {
            return integral && sqlType == Types.BIGINT;
        }
        if (type == BigInteger.class) {
            return integral && sqlType == Types.BIGINT || k == ValueKind.BIG_INTEGER;
        }
        if (type == Float.class) {
            return floating && sqlType == Types.REAL;
        }
        if (type == Double.class) {
            return floating && (sqlType == Types.FLOAT || sqlType == Types.DOUBLE);
        }
        if (type == Timestamp.class) {
            return k == ValueKind.TIMESTAMP || k == ValueKind.OFFSET_DATE_TIME;
        }
        if (type == LocalDate.class) {
            return k == ValueKind.DATE || k == ValueKind.TIMESTAMP && !zoned;
        }
        if (type == LocalDateTime.class) {
            return k == ValueKind.TIMESTAMP && !zoned;
        }
        if (type == LocalTime.class) {
            return k == ValueKind.TIME && !zoned;
        }
        if (type == OffsetDateTime.class) {
            return k == ValueKind.OFFSET_DATE_TIME || k == ValueKind.TIMESTAMP && zoned;
        }
        // Boolean, Byte, BigDecimal, byte[], Date, Time, OffsetTime, UUID: only from their own kind.
        return type == k.javaClass();
    }

    private static Object toTimestampOrDateOrTime(CachedResult r, int row, int col, Class<?> type)
            throws SQLException {
        if (type == Date.class) {
            return toDate(r, row, col, null);
        }
        return type == Time.class ? toTime(r, row, col, null) : toTimestamp(r, row, col, null);
    }

    private static void beforeCutover(CachedResult r, int row, int col, String target) throws SQLException {
        Object v = r.value(row, col);
        if (v instanceof java.util.Date d && d.getTime() < GREGORIAN_CUTOVER_MILLIS) {
            throw cannot(r, row, col, target + " with a Calendar before 1582-10-26");
        }
    }

    /**
     * A local date-time in the Calendar's zone. pgjdbc and MariaDB apply a Calendar through java.util.TimeZone, H2
     * through java.time; the two disagree where the zone then kept local mean time (America/St_Johns before 1884:
     * -03:30:52 in java.time, -03:30 in java.util.TimeZone), so such values are refused.
     */
    private static java.time.Instant inZone(LocalDateTime local, Calendar cal, CachedResult r, int row, int col,
                                            String target) throws SQLException {
        java.time.Instant instant = local.atZone(zone(cal)).toInstant();
        long millis = instant.toEpochMilli();
        if (cal.getTimeZone().getOffset(millis)
                != zone(cal).getRules().getOffset(instant).getTotalSeconds() * 1000L) {
            throw cannot(r, row, col, target + " with a Calendar whose zone had no standard offset then");
        }
        return instant;
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

    /**
     * H2, pgjdbc and MariaDB all fail here, each with an exception of its own (H2 and pgjdbc with SQLState 22003,
     * MariaDB with none): refused, so that a hit hands the getter over and the application gets the driver's own
     * answer.
     */
    private static RefusedConversion outOfRange(String target) {
        return new RefusedConversion("Numeric value out of range for " + target, "22003");
    }

    private static RefusedConversion cannot(CachedResult r, int row, int col, String target) {
        return new RefusedConversion("Cannot convert the value of column " + (col + 1) + " ("
                + r.column(col).columnTypeName() + ") to " + target);
    }
}
