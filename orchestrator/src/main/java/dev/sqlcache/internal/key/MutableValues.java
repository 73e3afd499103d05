package dev.sqlcache.internal.key;

import java.sql.Timestamp;
import java.util.Arrays;

/**
 * The bound values an application can change in place after binding them: byte arrays and dates (a
 * {@link Timestamp}'s time and nanoseconds), alone or inside the composites the proxy records ({@code setObject}
 * with a target type, a value with its calendar). Everything else bound is immutable.
 */
final class MutableValues {

    private MutableValues() {
    }

    /** A copy the application cannot reach, or the value itself when nothing in it can change. */
    static Object copyOf(Object value) {
        if (value instanceof byte[] bytes) {
            return bytes.clone();
        }
        if (value instanceof java.util.Date date) {
            return date.clone(); // a Timestamp's clone keeps its nanoseconds
        }
        if (value instanceof Object[] parts) {
            Object[] copy = null;
            for (int i = 0; i < parts.length; i++) {
                Object part = copyOf(parts[i]);
                if (part != parts[i] && copy == null) {
                    copy = parts.clone();
                }
                if (copy != null) {
                    copy[i] = part;
                }
            }
            return copy == null ? value : copy;
        }
        return value;
    }

    /**
     * Whether the application's object still holds what {@code copy} (made from it by {@link #copyOf}) holds, as
     * the entry key reads it.
     */
    static boolean same(Object application, Object copy) {
        if (application instanceof byte[] bytes) {
            return Arrays.equals(bytes, (byte[]) copy);
        }
        if (application instanceof Timestamp timestamp) {
            Timestamp kept = (Timestamp) copy;
            return timestamp.getTime() == kept.getTime() && timestamp.getNanos() == kept.getNanos();
        }
        if (application instanceof java.util.Date date) {
            return date.getTime() == ((java.util.Date) copy).getTime();
        }
        if (application instanceof Object[] parts) {
            Object[] kept = (Object[]) copy;
            for (int i = 0; i < parts.length; i++) {
                if (parts[i] != kept[i] && !same(parts[i], kept[i])) {
                    return false;
                }
            }
            return true;
        }
        return application == copy;
    }
}
