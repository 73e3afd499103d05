package dev.sqlcache.internal.key;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Array;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * An array bound as one parameter ({@code setArray}, or {@code setObject} with a {@code java.sql.Array} or a Java
 * array): its base type and a copy of its elements, read once when it is bound. It takes part in the cache key with
 * every element exactly, in order, and gives the engine the elements a {@code = ANY(?)} pin stands for.
 *
 * <p>Only one-dimensional arrays of values the key represents exactly qualify (numbers, strings, booleans,
 * date/time values, UUIDs, nulls); anything else leaves the parameter unkeyable, and the execution passes through.
 *
 * <p>Drivers differ on when they read an array: pgjdbc and H2 convert it when it is bound, MariaDB's float array
 * when the statement executes. So the copy is trusted only while the array it was made from still holds the same
 * elements ({@link #unchanged()}); an application that changes it in between gets its execution passed through.
 */
public final class ArrayParameter {

    private static final Set<Class<?>> KEYABLE_ELEMENTS = Set.of(String.class, Integer.class, Long.class, Short.class,
            Byte.class, BigDecimal.class, BigInteger.class, Boolean.class, Double.class, Float.class, UUID.class,
            java.sql.Date.class, java.sql.Time.class, java.sql.Timestamp.class, LocalDate.class, LocalDateTime.class,
            LocalTime.class, OffsetDateTime.class, OffsetTime.class, Instant.class);

    private final ParameterType parameterType;
    private final String baseType;
    /** The Java array the elements were copied from: the application's, or the one the driver's array returned. */
    private final Object source;
    private final Object[] elements;

    private ArrayParameter(ParameterType parameterType, String baseType, Object source, Object[] elements) {
        this.parameterType = parameterType;
        this.baseType = baseType;
        this.source = source;
        this.elements = elements;
    }

    /**
     * Reads a JDBC array, such as {@code Connection.createArrayOf} makes: local for pgjdbc and H2 (MariaDB makes only
     * float arrays).
     *
     * @return the parameter, or null when the array or one of its elements cannot be keyed exactly
     * @throws SQLException when the driver cannot tell the array's type or elements
     */
    public static ArrayParameter of(Array array) throws SQLException {
        String typeName = array.getBaseTypeName();
        int type = array.getBaseType();
        return copy(array.getArray(), ParameterType.ARRAY, "jdbc:" + type + ":" + typeName);
    }

    /**
     * Reads a Java array given to {@code setObject}: {@code Object[]} of keyable elements, or a primitive array.
     *
     * @return the parameter, or null when {@code array} is not an array that can be keyed exactly
     */
    public static ArrayParameter ofJavaArray(Object array) {
        if (array == null || !array.getClass().isArray() || array instanceof byte[]) {
            return null; // byte[] is one binary value, keyed as such
        }
        return copy(array, ParameterType.JAVA_ARRAY, "java:" + array.getClass().getComponentType().getName());
    }

    /**
     * Reads the value given to {@code setObject} when it is a {@code java.sql.Array} or a Java array.
     *
     * @return the parameter, or null when {@code value} is neither, or cannot be read or keyed exactly
     */
    public static ArrayParameter ofBoundObject(Object value) {
        if (value instanceof Array array) {
            try {
                return of(array);
            } catch (SQLException | RuntimeException e) {
                return null; // a driver that cannot tell its own array's type or elements
            }
        }
        return ofJavaArray(value);
    }

    private static ArrayParameter copy(Object array, ParameterType parameterType, String baseType) {
        Object[] elements = boxed(array);
        if (elements == null) {
            return null;
        }
        for (int i = 0; i < elements.length; i++) {
            Object element = elements[i];
            if (element != null && !KEYABLE_ELEMENTS.contains(element.getClass())) {
                return null;
            }
            elements[i] = element instanceof java.util.Date date ? date.clone() : element;
        }
        return new ArrayParameter(parameterType, baseType, array, elements);
    }

    /** A fresh Object[] with the array's elements, primitives boxed; null for anything but a keyable array. */
    private static Object[] boxed(Object array) {
        if (array instanceof Object[] objects) {
            return objects.clone();
        }
        Object[] out;
        if (array instanceof int[] a) {
            out = new Object[a.length];
            for (int i = 0; i < a.length; i++) {
                out[i] = a[i];
            }
        } else if (array instanceof long[] a) {
            out = new Object[a.length];
            for (int i = 0; i < a.length; i++) {
                out[i] = a[i];
            }
        } else if (array instanceof short[] a) {
            out = new Object[a.length];
            for (int i = 0; i < a.length; i++) {
                out[i] = a[i];
            }
        } else if (array instanceof double[] a) {
            out = new Object[a.length];
            for (int i = 0; i < a.length; i++) {
                out[i] = a[i];
            }
        } else if (array instanceof float[] a) {
            out = new Object[a.length];
            for (int i = 0; i < a.length; i++) {
                out[i] = a[i];
            }
        } else if (array instanceof boolean[] a) {
            out = new Object[a.length];
            for (int i = 0; i < a.length; i++) {
                out[i] = a[i];
            }
        } else {
            return null; // not an array, or char[] (a string to some drivers)
        }
        return out;
    }

    /**
     * Whether the array the elements were copied from still holds them, so that the copy is what the driver sends
     * whenever it reads the array. Compares in place, allocating nothing.
     */
    public boolean unchanged() {
        int n = elements.length;
        if (source instanceof Object[] a) {
            if (a.length != n) {
                return false;
            }
            for (int i = 0; i < n; i++) {
                if (!Objects.equals(a[i], elements[i])) {
                    return false;
                }
            }
        } else if (source instanceof int[] a) {
            if (a.length != n) {
                return false;
            }
            for (int i = 0; i < n; i++) {
                if ((Integer) elements[i] != a[i]) {
                    return false;
                }
            }
        } else if (source instanceof long[] a) {
            if (a.length != n) {
                return false;
            }
            for (int i = 0; i < n; i++) {
                if ((Long) elements[i] != a[i]) {
                    return false;
                }
            }
        } else if (source instanceof short[] a) {
            if (a.length != n) {
                return false;
            }
            for (int i = 0; i < n; i++) {
                if ((Short) elements[i] != a[i]) {
                    return false;
                }
            }
        } else if (source instanceof double[] a) {
            if (a.length != n) {
                return false;
            }
            for (int i = 0; i < n; i++) {
                if (Double.doubleToRawLongBits((Double) elements[i]) != Double.doubleToRawLongBits(a[i])) {
                    return false;
                }
            }
        } else if (source instanceof float[] a) {
            if (a.length != n) {
                return false;
            }
            for (int i = 0; i < n; i++) {
                if (Float.floatToRawIntBits((Float) elements[i]) != Float.floatToRawIntBits(a[i])) {
                    return false;
                }
            }
        } else if (source instanceof boolean[] a) {
            if (a.length != n) {
                return false;
            }
            for (int i = 0; i < n; i++) {
                if ((Boolean) elements[i] != a[i]) {
                    return false;
                }
            }
        } else {
            return false;
        }
        return true;
    }

    /** {@link ParameterType#ARRAY} for a {@code java.sql.Array}, {@link ParameterType#JAVA_ARRAY} for a Java array. */
    public ParameterType parameterType() {
        return parameterType;
    }

    /** The element type as the driver or the Java array names it; part of the key. */
    public String baseType() {
        return baseType;
    }

    /** The elements, in order, nulls included; unmodifiable. Mutable date/time elements are copies. */
    public List<Object> elements() {
        return Collections.unmodifiableList(Arrays.asList(elements));
    }

    Object[] elementArray() {
        return elements;
    }

    @Override
    public String toString() {
        // Never the values: they may be secrets.
        return "ArrayParameter[" + baseType + ", " + elements.length + " elements]";
    }
}
