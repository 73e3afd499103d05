package dev.sqlcache.internal.key;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.util.Arrays;
import java.util.UUID;

/**
 * The near cache's key for one execution: what its entry key hashes (the statement's {@link KeyPrefix}: context and
 * SQL; its settings; each bound value with how it was bound), kept as objects and compared with {@code equals}, plus
 * the read layout its version keys came from. A near hit then hashes nothing: the prefix was hashed when the
 * statement was prepared, and the values are compared in place through a {@link Probe}.
 *
 * <p>Two executions are equal here only if their entry keys are equal: every value is compared with its exact class
 * and as exactly as the entry key hashes it (a double's raw bits, a BigDecimal's scale, a byte array's contents, a
 * timestamp's nanoseconds). A value this class cannot compare that way (an application's own class, a subclass of a
 * JDK value class) makes the execution {@linkplain Probe#bind unkeyable here}: the caller falls back to the entry
 * key. Equal here may still be stricter than the entry key (the layout, the classes): that only costs a miss.
 *
 * <p>Immutable: mutable values (byte arrays, dates, timestamps) are copied when the key is made.
 */
public final class NearKey {

    /** {@link #hashOf}'s answer for a value not compared exactly here. */
    private static final long UNKEYABLE = Long.MIN_VALUE;
    private static final ParameterType[] NO_TYPES = new ParameterType[0];
    private static final Object[] NO_VALUES = new Object[0];

    private final Object layout;
    private final KeyPrefix prefix;
    private final long maxRows;
    private final int maxFieldSize;
    private final ParameterType[] types;
    private final Object[] values;
    private final int hash;

    private NearKey(Object layout, KeyPrefix prefix, long maxRows, int maxFieldSize, ParameterType[] types,
                    Object[] values, int hash) {
        this.layout = layout;
        this.prefix = prefix;
        this.maxRows = maxRows;
        this.maxFieldSize = maxFieldSize;
        this.types = types;
        this.values = values;
        this.hash = hash;
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public boolean equals(Object other) {
        if (other == this) {
            return true;
        }
        if (other instanceof Probe probe) {
            return probe.matches(this);
        }
        if (!(other instanceof NearKey that) || hash != that.hash || layout != that.layout
                || maxRows != that.maxRows || maxFieldSize != that.maxFieldSize
                || values.length != that.values.length || !prefix.sameAs(that.prefix)) {
            return false;
        }
        for (int i = 0; i < values.length; i++) {
            if (types[i] != that.types[i] || !same(values[i], that.values[i])) {
                return false;
            }
        }
        return true;
    }

    /** Roughly what this key holds on to beyond the shared prefix and layout, for the near cache's byte bound. */
    public int weight() {
        long bytes = 48L + 24L * values.length;
        for (Object value : values) {
            bytes += weightOf(value);
        }
        return (int) Math.min(Integer.MAX_VALUE, bytes);
    }

    @Override
    public String toString() {
        // Never the values: they may be secrets.
        return "NearKey[" + values.length + " values]";
    }

    /**
     * A lookup key bound in place to the execution at hand: nothing is copied or allocated until it is turned into
     * a {@link NearKey} to store ({@link #snapshot}). One per statement ({@link BoundParameters#nearProbe}); not
     * thread-safe, like the statement's values it reads. Never stored in a map, only looked up with.
     */
    public static final class Probe {
        private Object layout;
        private KeyPrefix prefix;
        private long maxRows;
        private int maxFieldSize;
        private BoundParameters parameters;
        private int count;
        private int hash;
        /** The clock reading a near copy found with this probe was checked at (NearCache sets it). */
        private long checkedAt;

        /** Set by the near cache when it serves a copy: the one clock reading of that check. */
        public void checkedAt(long nanos) {
            checkedAt = nanos;
        }

        /**
         * The clock reading the copy last served through this probe was checked at: the end of that lookup, for the
         * statistics and the policy (a near hit reads the clock twice in all: when the read starts and here).
         */
        public long checkedAt() {
            return checkedAt;
        }

        /**
         * Binds this probe to an execution.
         *
         * @param layout     what the execution's version keys are derived from, compared by identity
         * @param parameters the bound values, or null for a plain statement; read, not copied
         * @return false when a value cannot be compared exactly here: then look up by entry key
         */
        public boolean bind(Object layout, KeyPrefix prefix, long maxRows, int maxFieldSize,
                            BoundParameters parameters) {
            this.layout = layout;
            this.prefix = prefix;
            this.maxRows = maxRows;
            this.maxFieldSize = maxFieldSize;
            this.parameters = parameters;
            int n = parameters == null ? 0 : parameters.count();
            int h = (prefix.hash() * 31 + Long.hashCode(maxRows)) * 31 + maxFieldSize;
            for (int i = 1; i <= n; i++) {
                long valueHash = hashOf(parameters.value(i));
                if (valueHash == UNKEYABLE) {
                    this.parameters = null;
                    return false;
                }
                h = (h * 31 + parameters.type(i).ordinal()) * 31 + (int) valueHash;
            }
            this.count = n;
            this.hash = h;
            return true;
        }

        /** The key to store the execution's copy under: this probe's values as they are now, copied. */
        public NearKey snapshot() {
            if (count == 0) {
                return new NearKey(layout, prefix, maxRows, maxFieldSize, NO_TYPES, NO_VALUES, hash);
            }
            ParameterType[] types = new ParameterType[count];
            Object[] values = new Object[count];
            for (int i = 0; i < count; i++) {
                types[i] = parameters.type(i + 1);
                values[i] = copyOf(parameters.value(i + 1));
            }
            return new NearKey(layout, prefix, maxRows, maxFieldSize, types, values, hash);
        }

        boolean matches(NearKey key) {
            if (key.hash != hash || key.layout != layout || key.maxRows != maxRows
                    || key.maxFieldSize != maxFieldSize || key.values.length != count || !key.prefix.sameAs(prefix)) {
                return false;
            }
            for (int i = 0; i < count; i++) {
                if (key.types[i] != parameters.type(i + 1) || !same(key.values[i], parameters.value(i + 1))) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof NearKey key && matches(key);
        }

        @Override
        public String toString() {
            return "NearKey.Probe[" + count + " values]";
        }
    }

    /**
     * A hash consistent with {@link #same}, computed in place; {@link #UNKEYABLE} for a value {@link #same} cannot
     * compare as exactly as the entry key hashes it. Exact classes only: a subclass may answer {@code equals} or
     * {@code getTime} otherwise than what the driver sends.
     */
    static long hashOf(Object value) {
        if (value == null) {
            return 0;
        }
        Class<?> type = value.getClass();
        if (type == Integer.class || type == String.class || type == Long.class || type == BigDecimal.class
                || type == Short.class || type == Byte.class || type == Boolean.class || type == BigInteger.class
                || type == UUID.class || type == LocalDate.class || type == LocalDateTime.class
                || type == LocalTime.class || type == OffsetDateTime.class || type == OffsetTime.class
                || type == Instant.class) {
            // Immutable, and equal exactly when the entry key hashes them alike (BigDecimal: value and scale).
            return value.hashCode();
        }
        if (type == Double.class) {
            return Long.hashCode(Double.doubleToRawLongBits((Double) value));
        }
        if (type == Float.class) {
            return Float.floatToRawIntBits((Float) value);
        }
        if (type == byte[].class) {
            return Arrays.hashCode((byte[]) value);
        }
        if (type == Timestamp.class) {
            Timestamp timestamp = (Timestamp) value;
            return Long.hashCode(timestamp.getTime()) * 31 + timestamp.getNanos();
        }
        if (type == java.sql.Date.class || type == java.sql.Time.class || type == java.util.Date.class) {
            return Long.hashCode(((java.util.Date) value).getTime());
        }
        if (type == Object[].class) {
            return hashOfAll((Object[]) value, 1);
        }
        if (type == ArrayParameter.class) {
            ArrayParameter array = (ArrayParameter) value;
            return hashOfAll(array.elementArray(), array.baseType().hashCode());
        }
        return UNKEYABLE;
    }

    private static long hashOfAll(Object[] parts, int seed) {
        int h = seed;
        for (Object part : parts) {
            long partHash = hashOf(part);
            if (partHash == UNKEYABLE) {
                return UNKEYABLE;
            }
            h = h * 31 + (int) partHash;
        }
        return h;
    }

    /** Whether two values {@link #hashOf} accepts are the same input to the entry key, and of the same class. */
    static boolean same(Object a, Object b) {
        if (a == b) {
            return true;
        }
        if (a == null || b == null || a.getClass() != b.getClass()) {
            return false;
        }
        Class<?> type = a.getClass();
        if (type == Double.class) {
            // Not Double.equals: it makes every NaN one, where the entry key hashes the raw bits.
            return Double.doubleToRawLongBits((Double) a) == Double.doubleToRawLongBits((Double) b);
        }
        if (type == Float.class) {
            return Float.floatToRawIntBits((Float) a) == Float.floatToRawIntBits((Float) b);
        }
        if (type == byte[].class) {
            return Arrays.equals((byte[]) a, (byte[]) b);
        }
        if (type == Timestamp.class) {
            Timestamp x = (Timestamp) a;
            Timestamp y = (Timestamp) b;
            return x.getTime() == y.getTime() && x.getNanos() == y.getNanos();
        }
        if (type == java.sql.Date.class || type == java.sql.Time.class || type == java.util.Date.class) {
            return ((java.util.Date) a).getTime() == ((java.util.Date) b).getTime();
        }
        if (type == Object[].class) {
            return sameAll((Object[]) a, (Object[]) b);
        }
        if (type == ArrayParameter.class) {
            ArrayParameter x = (ArrayParameter) a;
            ArrayParameter y = (ArrayParameter) b;
            return x.parameterType() == y.parameterType() && x.baseType().equals(y.baseType())
                    && sameAll(x.elementArray(), y.elementArray());
        }
        return a.equals(b);
    }

    private static boolean sameAll(Object[] a, Object[] b) {
        if (a.length != b.length) {
            return false;
        }
        for (int i = 0; i < a.length; i++) {
            if (!same(a[i], b[i])) {
                return false;
            }
        }
        return true;
    }

    /** A copy the application cannot change afterwards (arrays and dates are mutable; the rest is not). */
    private static Object copyOf(Object value) {
        if (value instanceof byte[] bytes) {
            return bytes.clone();
        }
        if (value instanceof java.util.Date date) {
            return date.clone(); // a Timestamp's clone keeps its nanoseconds
        }
        if (value instanceof Object[] parts) {
            Object[] copy = new Object[parts.length];
            for (int i = 0; i < parts.length; i++) {
                copy[i] = copyOf(parts[i]);
            }
            return copy;
        }
        return value; // immutable, or an ArrayParameter: its elements were copied when it was bound
    }

    private static long weightOf(Object value) {
        if (value instanceof byte[] bytes) {
            return 16L + bytes.length;
        }
        if (value instanceof String text) {
            return 40L + text.length();
        }
        if (value instanceof Object[] parts) {
            long bytes = 16L + 8L * parts.length;
            for (Object part : parts) {
                bytes += weightOf(part);
            }
            return bytes;
        }
        if (value instanceof ArrayParameter array) {
            return 32L + 24L * array.elementArray().length;
        }
        return 32;
    }
}
