package dev.sqlcache.internal.key;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Array parameters, made by a real driver (H2): keyed by base type and every element, in order. */
class ArrayParameterTest {

    private static final byte[] CONTEXT = CacheKeyBuilder.contextDigest("jdbc:h2:mem:x", "sa", "db", "public", "UTC");
    private static final String SQL = "select * from t where id = any(?)";

    private static Connection h2;

    @BeforeAll
    static void open() throws SQLException {
        h2 = DriverManager.getConnection("jdbc:h2:mem:array_parameters");
    }

    @AfterAll
    static void close() throws SQLException {
        h2.close();
    }

    private static Array array(String type, Object... elements) throws SQLException {
        return h2.createArrayOf(type, elements);
    }

    private static BoundParameters withArray(Array array) {
        BoundParameters p = new BoundParameters();
        p.setArray(1, array);
        return p;
    }

    private static BoundParameters withJavaArray(Object array) {
        BoundParameters p = new BoundParameters();
        ArrayParameter parameter = ArrayParameter.ofJavaArray(array);
        if (parameter == null) {
            p.setUnsupported(1);
        } else {
            p.set(1, ParameterType.JAVA_ARRAY, parameter);
        }
        return p;
    }

    private static String key(BoundParameters p) {
        assertTrue(p.isKeyable(1), "keyable");
        return CacheKeyBuilder.entryKey("t", CONTEXT, SQL, p, 0, 0);
    }

    @Test
    void keysDifferWhenAnElementTheOrderTheLengthOrTheBaseTypeDiffers() throws SQLException {
        List<BoundParameters> distinct = List.of(
                withArray(array("INTEGER", 1, 2, 3)),
                withArray(array("INTEGER", 1, 2, 4)),
                withArray(array("INTEGER", 3, 2, 1)),
                withArray(array("INTEGER", 1, 2)),
                withArray(array("INTEGER", 1, 2, 3, 3)),
                withArray(array("INTEGER", 1, 2, null)),
                withArray(array("INTEGER")),
                withArray(array("BIGINT", 1L, 2L, 3L)),
                withArray(array("VARCHAR", "1", "2", "3")),
                withArray(array("VARCHAR", "1", "2", "3 ")),
                withArray(array("NUMERIC", new BigDecimal("1.0"), 2, 3)),
                withArray(null),
                withJavaArray(new Long[] {1L, 2L, 3L}),
                withJavaArray(new long[] {1, 2, 3}),
                withJavaArray(new Integer[] {1, 2, 3}),
                withJavaArray(new int[] {1, 2, 3}),
                withJavaArray(new Object[] {1, 2, 3L}),
                withJavaArray(new Object[] {1L, 2L, 3L}));
        Set<String> keys = new HashSet<>();
        for (BoundParameters p : distinct) {
            keys.add(key(p));
        }
        assertEquals(distinct.size(), keys.size(), "every array has a key of its own");
    }

    @Test
    void equalArraysShareAKey() throws SQLException {
        assertEquals(key(withArray(array("INTEGER", 1, 2, 3))), key(withArray(array("INTEGER", 1, 2, 3))));
        // H2 types an array by its elements, whatever type name createArrayOf is given: the same array is sent
        assertEquals(key(withArray(array("INTEGER", 1, 2, 3))), key(withArray(array("BIGINT", 1, 2, 3))));
        assertEquals(key(withJavaArray(new long[] {5, 6})), key(withJavaArray(new long[] {5, 6})));
        UUID id = UUID.randomUUID();
        assertEquals(key(withJavaArray(new UUID[] {id})), key(withJavaArray(new UUID[] {new UUID(id.getMostSignificantBits(),
                id.getLeastSignificantBits())})));
    }

    @Test
    void anArrayChangedAfterItWasBoundIsNotKeyed() {
        // Drivers read arrays at bind time (pgjdbc, H2) or at execution (MariaDB): either may have been sent.
        Timestamp ts = Timestamp.valueOf("2024-01-01 00:00:00");
        Timestamp[] timestamps = {ts};
        BoundParameters p = withJavaArray(timestamps);
        assertTrue(p.isKeyable(1));
        ts.setNanos(1);
        assertFalse(p.isKeyable(1), "an element changed in place");
        assertEquals(List.of(Timestamp.valueOf("2024-01-01 00:00:00")), p.array(1).elements(), "the copy stays as bound");

        long[] longs = {1, 2};
        BoundParameters q = withJavaArray(longs);
        longs[1] = 3;
        assertFalse(q.isKeyable(1), "a primitive element changed");
        longs[1] = 2;
        assertTrue(q.isKeyable(1), "back to what was bound");

        Object[] objects = {"a", null};
        BoundParameters r = withJavaArray(objects);
        objects[1] = "b";
        assertFalse(r.isKeyable(1), "an element replaced");
        objects[1] = null;
        objects[0] = new String("a");
        assertTrue(r.isKeyable(1), "an equal element is the same value");
    }

    @Test
    void theEngineSeesTheElementsAndTheBaseType() throws SQLException {
        BoundParameters p = withArray(array("BIGINT", 7L, 8L));
        p.set(2, ParameterType.LONG, 9L);
        assertEquals(List.of(7L, 8L), p.array(1).elements());
        assertTrue(p.array(1).baseType().contains("BIGINT"), p.array(1).baseType());
        assertNull(p.array(2), "a scalar is no array");
        assertNull(p.array(3));
        assertNull(p.array(0));
        // setObject(i, array, Types.ARRAY) records the array with its target type
        p.set(3, ParameterType.OBJECT_WITH_TARGET_TYPE, new Object[] {"JAVA_ARRAY", ArrayParameter.ofJavaArray(new int[] {4}), 2003});
        assertEquals(List.of(4), p.array(3).elements());
        assertFalse(p.array(1).toString().contains("7"), "values never show in logs");
    }

    @Test
    void arraysThatCannotBeKeyedExactlyPassThrough() throws SQLException {
        assertFalse(withArray(array("VARBINARY", new byte[] {1}, new byte[] {2})).isKeyable(1));
        assertFalse(withJavaArray(new Object[] {new StringBuilder("x")}).isKeyable(1));
        assertFalse(withJavaArray(new Long[][] {{1L}}).isKeyable(1));
        assertFalse(withJavaArray(new char[] {'a'}).isKeyable(1));
        assertNull(ArrayParameter.ofJavaArray(new byte[] {1}), "byte[] is one binary value, not an array of keys");
        assertNull(ArrayParameter.ofJavaArray("not an array"));
    }

    @Test
    void anArrayItsDriverCannotReadAnyMorePassesThrough() throws SQLException {
        Array orphan;
        try (Connection other = DriverManager.getConnection("jdbc:h2:mem:orphan_arrays")) {
            orphan = other.createArrayOf("INTEGER", new Object[] {1});
        }
        assertFalse(withArray(orphan).isKeyable(1), "H2 refuses to read an array of a closed connection");
    }
}
