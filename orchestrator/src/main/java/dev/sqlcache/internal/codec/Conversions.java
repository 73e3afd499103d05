package dev.sqlcache.internal.codec;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which {@code getObject(i, Class)} conversions and text getters the real driver performs on a column, as bits
 * carried in the entry.
 *
 * <p>pgjdbc refuses {@code Long} from an {@code int4} column where H2 and MariaDB convert; refusing on a hit where
 * the driver converts breaks the application as surely as a wrong value would. So capture asks the real driver,
 * once per JVM and column type, for each conversion whose result the cache computes exactly as drivers do from
 * the stored value — anything to String (the driver's own text is stored), integers to other number classes, text
 * to its UTF-8 bytes and anything to Object where the driver does exactly that on a sample —
 * and stores the answers with the entry. Value-dependent conversions (text to numbers, fractions to integers,
 * doubles to BigDecimal) are never learned: they stay refused unless pgjdbc's strict rules allow them.
 *
 * <p>The same probe learns whether the driver answers {@code getNString}, {@code getCharacterStream} and
 * {@code getNCharacterStream} with the column's getString text, as a hit would: pgjdbc does not implement the N
 * getters, and MariaDB gives no Reader for numbers and dates.
 */
public final class Conversions {

    /** Learnable targets; the index is the bit. Append only: the bits are part of the entry format. */
    private static final List<Class<?>> TARGETS = List.of(String.class, Short.class, Integer.class, Long.class,
            BigInteger.class, Double.class, BigDecimal.class, byte[].class, Object.class);

    /**
     * Bit set when the driver answers {@code getNString} with exactly its {@code getString} text, as a hit does
     * (pgjdbc throws SQLFeatureNotSupportedException for every column, NULL included).
     */
    public static final int N_STRING = 1 << 9;
    /**
     * Bit set when the driver answers {@code getCharacterStream} with a Reader of its {@code getString} text, as a
     * hit does (MariaDB throws for numbers, dates, times and YEAR: "cannot be decoded as Reader").
     */
    public static final int CHARACTER_STREAM = 1 << 10;
    /** Bit set when the driver answers {@code getNCharacterStream} with a Reader of its getString text. */
    public static final int N_CHARACTER_STREAM = 1 << 11;

    /** Driver and column type to the bits learned for it, so each is probed once per JVM. */
    private static final Map<Learned, Integer> LEARNED = new ConcurrentHashMap<>();

    /**
     * What the bits are learned for: the driver's result set class by name (a name, so that a redeployed driver's
     * classes are not held), and the column's type. An object rather than a concatenated text: a miss looks it up
     * once per column, and the names it holds are the driver's own strings. Not a record: a record's equals and
     * hashCode are bootstrapped through invokedynamic, and with them ClassLoaderLeakTest found the application's
     * class loader pinned after undeploy.
     */
    private static final class Learned {
        private final String resultSet;
        private final int type;
        private final String typeName;
        private final String className;

        Learned(String resultSet, int type, String typeName, String className) {
            this.resultSet = resultSet;
            this.type = type;
            this.typeName = typeName;
            this.className = className;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Learned l && type == l.type && resultSet.equals(l.resultSet)
                    && java.util.Objects.equals(typeName, l.typeName)
                    && java.util.Objects.equals(className, l.className);
        }

        @Override
        public int hashCode() {
            return ((resultSet.hashCode() * 31 + type) * 31 + java.util.Objects.hashCode(typeName)) * 31
                    + java.util.Objects.hashCode(className);
        }
    }

    static {
        if (TARGETS.size() != 9) {
            throw new AssertionError("the text getter bits follow the 9 target bits");
        }
    }

    private Conversions() {
    }

    /**
     * The conversions the driver accepts for column {@code index} of {@code rs}, positioned on a row whose value
     * there is not null. Call before the application reads the row: probing disturbs {@code wasNull}.
     */
    static int probe(ResultSet rs, int index, ColumnMetadata column, ValueKind kind) {
        Learned key = new Learned(rs.getClass().getName(), column.columnType(), column.columnTypeName(),
                column.columnClassName());
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
        bits |= textGetters(rs, index);
        LEARNED.put(key, bits);
        return bits;
    }

    /**
     * The {@link #N_STRING}, {@link #CHARACTER_STREAM} and {@link #N_CHARACTER_STREAM} bits: whether each getter
     * gives the sample's getString text exactly. A driver that refuses one fails the same way on every value of
     * the column type, so the answer holds for the column; a hit hands a getter whose bit is clear over to the
     * database, which answers (or fails) as the driver does.
     */
    private static int textGetters(ResultSet rs, int index) {
        String text = attempt(() -> rs.getString(index));
        if (text == null) {
            return 0;
        }
        int bits = 0;
        if (text.equals(attempt(() -> rs.getNString(index)))) {
            bits |= N_STRING;
        }
        if (rs.getClass().getName().startsWith("org.apache.derby.")) {
            // Derby lets a cell be read as a stream once: a probe would take the application's read. Bits clear:
            // a hit hands these getters over to the driver.
            return bits;
        }
        if (text.equals(attempt(() -> read(rs.getCharacterStream(index))))) {
            bits |= CHARACTER_STREAM;
        }
        if (text.equals(attempt(() -> read(rs.getNCharacterStream(index))))) {
            bits |= N_CHARACTER_STREAM;
        }
        return bits;
    }

    @FunctionalInterface
    private interface Attempt {
        String get() throws Exception;
    }

    /** The getter's answer, or null when it fails: refused, the bit stays clear. */
    private static String attempt(Attempt attempt) {
        try {
            return attempt.get();
        } catch (Exception e) {
            return null;
        }
    }

    private static String read(java.io.Reader reader) throws java.io.IOException {
        if (reader == null) {
            return null;
        }
        java.io.StringWriter text = new java.io.StringWriter();
        reader.transferTo(text);
        return text.toString();
    }

    /** Whether the driver was seen to answer the text getter ({@link #N_STRING} and the like) as a hit does. */
    public static boolean answers(int bits, int getter) {
        return (bits & getter) != 0;
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
