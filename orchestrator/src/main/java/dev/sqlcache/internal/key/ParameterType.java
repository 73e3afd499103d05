package dev.sqlcache.internal.key;

/**
 * How a parameter value was bound. Part of the key: {@code setInt(1, 5)} and {@code setString(1, "5")} may give
 * different results (implicit casts differ per database), so they never share an entry.
 */
public enum ParameterType {
    NULL, BOOLEAN, BYTE, SHORT, INT, LONG, FLOAT, DOUBLE, BIG_DECIMAL, BIG_INTEGER, STRING, NSTRING, BYTES,
    DATE, TIME, TIMESTAMP, LOCAL_DATE, LOCAL_TIME, LOCAL_DATE_TIME, OFFSET_DATE_TIME, OFFSET_TIME, INSTANT,
    UUID, CALENDAR_DATE, CALENDAR_TIME, CALENDAR_TIMESTAMP, OBJECT_WITH_TARGET_TYPE,
    /** {@code setArray}: an {@link ArrayParameter} read from a {@code java.sql.Array}. */
    ARRAY,
    /** {@code setObject} with a Java array: an {@link ArrayParameter} of its elements. */
    JAVA_ARRAY
}
