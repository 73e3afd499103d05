package dev.sqlcache.internal.key;

import java.util.Arrays;

/**
 * The values bound to a prepared statement, recorded as the application sets them so that they can take part in
 * the cache key. Drivers differ in when they read a mutable value (a byte array, a date or timestamp): H2 and pgjdbc
 * copy or convert it when it is bound, MariaDB's reads it when the statement runs. So such a value is copied when
 * bound, and the key is made from the copy only while the application's object still holds the same value
 * ({@link #isKeyable}): an application that changes it in place between {@code setX} and {@code execute} gets
 * its execution passed through, whichever driver is below. Arrays are handled alike (see {@link ArrayParameter}).
 *
 * <p>Not thread-safe, like the statement it belongs to.
 */
public final class BoundParameters {

    private static final Object UNSET = new Object();

    private Object[] values = new Object[8];
    private ParameterType[] types = new ParameterType[8];
    /** The application's own mutable object where {@link #values} holds a copy of it; null elsewhere. */
    private Object[] bound = new Object[8];
    private int highest;
    private boolean unsupported;
    /** This statement's near-cache lookups, made on its first (see {@link NearKey.Probe}). */
    private NearKey.Probe nearProbe;

    public BoundParameters() {
        Arrays.fill(values, UNSET);
    }

    /**
     * Records a value bound at a 1-based index. {@code value} may be null (then the type says which SQL NULL).
     */
    public void set(int index, ParameterType type, Object value) {
        if (index < 1) {
            // The real driver rejects it; nothing to record.
            return;
        }
        ensureCapacity(index);
        Object copy = MutableValues.copyOf(value);
        values[index - 1] = copy;
        bound[index - 1] = copy == value ? null : value;
        types[index - 1] = type;
        if (index > highest) {
            highest = index;
        }
    }

    /**
     * Records that a parameter was bound through a setter whose value cannot be keyed exactly (a stream, a LOB,
     * an unknown object). Executions stay uncached until {@link #clear()}.
     */
    public void setUnsupported(int index) {
        set(index, ParameterType.NULL, null);
        unsupported = true;
    }

    /**
     * Records {@code setArray}: the array's base type and elements are read now, once, since the drivers convert
     * the array when it is bound. An array that cannot be read or keyed exactly makes executions uncached, like
     * {@link #setUnsupported}.
     */
    public void setArray(int index, java.sql.Array array) {
        if (array == null) {
            set(index, ParameterType.ARRAY, null);
            return;
        }
        ArrayParameter parameter = ArrayParameter.ofBoundObject(array);
        if (parameter == null) {
            setUnsupported(index);
        } else {
            set(index, ParameterType.ARRAY, parameter);
        }
    }

    /**
     * The array bound at a 1-based index ({@code setArray}, or {@code setObject} with a Java array, with or without
     * a target type), or null when that parameter is not a keyable array: the elements an {@code = ANY(?)} key pin
     * stands for.
     */
    public ArrayParameter array(int index) {
        if (index < 1 || index > highest) {
            return null;
        }
        Object value = values[index - 1];
        if (value instanceof ArrayParameter array) {
            return array;
        }
        // setObject with a target type records {type name, value, target...}
        if (types[index - 1] == ParameterType.OBJECT_WITH_TARGET_TYPE && value instanceof Object[] composite
                && composite.length > 1 && composite[1] instanceof ArrayParameter array) {
            return array;
        }
        return null;
    }

    /** Forgets every value, as {@code clearParameters()} does. */
    public void clear() {
        Arrays.fill(values, 0, Math.max(highest, 0), UNSET);
        Arrays.fill(types, 0, Math.max(highest, 0), null);
        Arrays.fill(bound, 0, Math.max(highest, 0), null);
        highest = 0;
        unsupported = false;
    }

    /**
     * Whether the recorded values identify the execution exactly: no unsupported setter was used and every index
     * from 1 to {@code expectedCount} is bound (a missing value makes the real driver fail, which a cache hit
     * must not hide).
     */
    public boolean isKeyable(int expectedCount) {
        if (unsupported || highest != expectedCount) {
            return false;
        }
        for (int i = 0; i < highest; i++) {
            if (values[i] == UNSET) {
                return false;
            }
            if (bound[i] != null && !MutableValues.same(bound[i], values[i])) {
                return false; // changed in place since it was bound: which value the driver sends is unknown
            }
            ArrayParameter array = array(i + 1);
            if (array != null && !array.unchanged()) {
                return false; // changed since it was bound: which elements the driver sends is unknown
            }
        }
        return true;
    }

    /** The probe this statement's executions are looked up with in the near cache: one per statement, reused. */
    public NearKey.Probe nearProbe() {
        NearKey.Probe probe = nearProbe;
        if (probe == null) {
            probe = new NearKey.Probe();
            nearProbe = probe;
        }
        return probe;
    }

    /** Number of the highest bound index. */
    public int count() {
        return highest;
    }

    /** How the value at a 1-based index was bound, or null when that index is unbound. */
    public ParameterType type(int index) {
        return index < 1 || index > highest ? null : types[index - 1];
    }

    /** The value bound at a 1-based index (null for SQL NULL or unbound). */
    public Object value(int index) {
        if (index < 1 || index > highest) {
            return null;
        }
        Object value = values[index - 1];
        return value == UNSET ? null : value;
    }

    private void ensureCapacity(int index) {
        if (index > values.length) {
            int old = values.length;
            int size = Math.max(index, old * 2);
            values = Arrays.copyOf(values, size);
            types = Arrays.copyOf(types, size);
            bound = Arrays.copyOf(bound, size);
            Arrays.fill(values, old, size, UNSET);
        }
    }
}
