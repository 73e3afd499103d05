package dev.sqlcache.codec;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which {@code getObject(i, Class)} conversions the real driver performs on a column, as bits carried in the entry.
 *
 * <p>pgjdbc refuses {@code Long} from an {@code int4} column where H2 and MariaDB convert; refusing on a hit where
 * the driver converts breaks the application as surely as a wrong value would. So capture asks the real driver,
 * once per JVM and column type, for each conversion whose result the cache computes exactly as drivers do from
 * the stored value — anything to String (the driver's own text is stored), integers to other number classes, text
 * to its UTF-8 bytes and anything to Object where the driver does exactly that on a sample —
 * and stores the answers with the entry. Value-dependent conversions (text to numbers, fractions to integers,
 * doubles to BigDecimal) are never learned: they stay refused unless pgjdbc's strict rules allow them.
 */
public final class Conversions {

    /** Learnable targets; the index is the bit. Append only: the bits are part of the entry format. */
    private static final List<Class<?>> TARGETS = List.of(String.class, Short.class, Integer.class, Long.class,
            BigInteger.class, Double.class, BigDecimal.class, byte[].class, Object.class);

    /** Driver and column type to the bits learned for it, so each is probed once per JVM. */
    private static final Map<String, Integer> LEARNED = new ConcurrentHashMap<>();

    private Conversions() {
    }

    /**
     * The conversions the driver accepts for column {@code index} of {@code rs}, positioned on a row whose value
     * there is not null. Call before the application reads the row: probing disturbs {@code wasNull}.
     */
    static int probe(ResultSet rs, int index, ColumnMetadata column, ValueKind kind) {
        String key = rs.getClass().getName() + '/' + column.columnType() + '/' + column.columnTypeName() + '/'
                + column.columnClassName();
        Integer known = LEARNED.get(key);
        if (known != null) {
            return known;
        }
        int bits = 0;
        for (int bit = 0; bit < TARGETS.size(); bit++) {
            Class<?> target = TARGETS.get(bit);
            if (!learnable(kind, target)) {
                continue;
            }
            try {
                if (agrees(rs, index, target)) {
                    bits |= 1 << bit;
                }
            } catch (Exception e) {
                // refused: the bit stays clear
            }
        }
        LEARNED.put(key, bits);
        return bits;
    }

    /**
     * Whether the driver converts the sample value, and — for conversions the cache derives from another stored
     * form — gives exactly what the cache would: text as UTF-8 bytes, the same object for Object.class.
     */
    private static boolean agrees(ResultSet rs, int index, Class<?> target) throws Exception {
        Object converted = rs.getObject(index, target);
        if (converted == null) {
            return false;
        }
        if (target == byte[].class) {
            String text = rs.getString(index);
            return text != null && java.util.Arrays.equals((byte[]) converted,
                    text.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                    && java.util.Arrays.equals(rs.getBytes(index), (byte[]) converted);
        }
        if (target == Object.class) {
            return java.util.Objects.deepEquals(converted, rs.getObject(index));
        }
        return true;
    }

    /** Whether the driver was seen to convert this column to the target class. */
    public static boolean accepts(int bits, ValueKind kind, Class<?> target) {
        int bit = TARGETS.indexOf(target);
        return bit >= 0 && (bits & (1 << bit)) != 0 && learnable(kind, target);
    }

    private static boolean learnable(ValueKind kind, Class<?> target) {
        if (target == String.class || target == Object.class) {
            return true;
        }
        if (target == byte[].class) {
            return kind == ValueKind.STRING;
        }
        return kind == ValueKind.BYTE || kind == ValueKind.SHORT || kind == ValueKind.INTEGER
                || kind == ValueKind.LONG || kind == ValueKind.BIG_INTEGER;
    }
}
