package dev.sqlcache.internal.key;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Calendar;
import java.util.List;
import java.util.TimeZone;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A near key never equates two executions whose entry keys differ (issue #9's binding rule, without hashing), and
 * always finds its own execution again. Every pair of the bindings below is compared both ways.
 */
class NearKeyTest {

    private static final byte[] CONTEXT = CacheKeyBuilder.contextDigest("jdbc:h2:mem:x", "sa", "db", "public", "UTC");
    private static final String SQL = "select * from t where a = ?";
    private static final Object LAYOUT = new Object();

    private static BoundParameters one(ParameterType type, Object value) {
        BoundParameters p = new BoundParameters();
        p.set(1, type, value);
        return p;
    }

    private static List<BoundParameters> bindings() {
        List<BoundParameters> out = new ArrayList<>();
        out.add(one(ParameterType.INT, 1));
        out.add(one(ParameterType.LONG, 1L));
        out.add(one(ParameterType.SHORT, (short) 1));
        out.add(one(ParameterType.BYTE, (byte) 1));
        out.add(one(ParameterType.OBJECT_WITH_TARGET_TYPE, new Object[] {"LONG", 1L, 4}));
        out.add(one(ParameterType.OBJECT_WITH_TARGET_TYPE, new Object[] {"LONG", 1L, -5}));
        out.add(one(ParameterType.STRING, "1"));
        out.add(one(ParameterType.NSTRING, "1"));
        out.add(one(ParameterType.BIG_DECIMAL, new BigDecimal("1.0")));
        out.add(one(ParameterType.BIG_DECIMAL, new BigDecimal("1.00")));
        out.add(one(ParameterType.BIG_INTEGER, BigInteger.ONE));
        out.add(one(ParameterType.DOUBLE, 0.0));
        out.add(one(ParameterType.DOUBLE, -0.0));
        out.add(one(ParameterType.DOUBLE, Double.NaN));
        out.add(one(ParameterType.DOUBLE, Double.longBitsToDouble(0x7ff8000000000001L)));
        out.add(one(ParameterType.FLOAT, 0.0f));
        out.add(one(ParameterType.BOOLEAN, true));
        out.add(one(ParameterType.NULL, 4));
        out.add(one(ParameterType.NULL, 12));
        out.add(one(ParameterType.NULL, new Object[] {12, "varchar"}));
        out.add(one(ParameterType.NULL, null));
        out.add(one(ParameterType.BYTES, new byte[] {1}));
        out.add(one(ParameterType.BYTES, new byte[] {1, 0}));
        Timestamp a = Timestamp.valueOf("2026-12-06 10:00:00.123456789");
        Timestamp b = Timestamp.valueOf("2026-12-06 10:00:00.123456788");
        out.add(one(ParameterType.TIMESTAMP, a));
        out.add(one(ParameterType.TIMESTAMP, b));
        out.add(one(ParameterType.CALENDAR_TIMESTAMP, new Object[] {a, "UTC"}));
        out.add(one(ParameterType.CALENDAR_TIMESTAMP, new Object[] {a, "Europe/Paris"}));
        out.add(one(ParameterType.DATE, new java.sql.Date(a.getTime())));
        out.add(one(ParameterType.LOCAL_DATE, LocalDate.of(2026, 12, 6)));
        out.add(one(ParameterType.OFFSET_DATE_TIME, OffsetDateTime.of(2026, 12, 6, 10, 0, 0, 0, ZoneOffset.UTC)));
        out.add(one(ParameterType.OFFSET_DATE_TIME, OffsetDateTime.of(2026, 12, 6, 11, 0, 0, 0, ZoneOffset.ofHours(1))));
        out.add(one(ParameterType.INSTANT, Instant.ofEpochSecond(1)));
        out.add(one(ParameterType.UUID, new UUID(1, 2)));
        out.add(one(ParameterType.JAVA_ARRAY, ArrayParameter.ofJavaArray(new int[] {1, 2})));
        out.add(one(ParameterType.JAVA_ARRAY, ArrayParameter.ofJavaArray(new long[] {1, 2})));
        out.add(one(ParameterType.JAVA_ARRAY, ArrayParameter.ofJavaArray(new Integer[] {1, 2})));
        BoundParameters two = new BoundParameters();
        two.set(1, ParameterType.INT, 1);
        two.set(2, ParameterType.INT, 1);
        out.add(two);
        out.add(new BoundParameters());
        return out;
    }

    @Test
    void equalNearKeysOnlyWhereTheEntryKeysAreEqualAndEachFindsItself() {
        KeyPrefix prefix = KeyPrefix.of("t", CONTEXT, SQL);
        List<BoundParameters> bindings = bindings();
        List<NearKey> stored = new ArrayList<>();
        for (BoundParameters p : bindings) {
            NearKey.Probe probe = new NearKey.Probe();
            assertTrue(probe.bind(LAYOUT, prefix, 0, 0, p), "keyable here: " + p.value(1));
            stored.add(probe.snapshot());
        }
        for (int i = 0; i < bindings.size(); i++) {
            NearKey.Probe probe = new NearKey.Probe();
            probe.bind(LAYOUT, prefix, 0, 0, bindings.get(i));
            String entryKey = prefix.entryKey(bindings.get(i), 0, 0);
            for (int j = 0; j < bindings.size(); j++) {
                boolean sameEntry = entryKey.equals(prefix.entryKey(bindings.get(j), 0, 0));
                boolean sameNear = probe.equals(stored.get(j));
                assertEquals(sameNear, stored.get(j).equals(probe), "symmetric, " + i + " and " + j);
                assertEquals(sameNear, stored.get(i).equals(stored.get(j)), "stored keys alike, " + i + " and " + j);
                if (sameNear) {
                    assertTrue(sameEntry, "binding " + i + " would be served binding " + j + "'s copy");
                }
                if (i == j) {
                    assertTrue(sameNear, "binding " + i + " does not find its own copy");
                    assertEquals(probe.hashCode(), stored.get(j).hashCode());
                }
            }
        }
    }

    @Test
    void settingsContextSqlAndLayoutAllTakePart() {
        BoundParameters p = one(ParameterType.INT, 1);
        KeyPrefix prefix = KeyPrefix.of("t", CONTEXT, SQL);
        NearKey.Probe probe = new NearKey.Probe();
        probe.bind(LAYOUT, prefix, 0, 0, p);
        NearKey key = probe.snapshot();
        // An equal prefix made again (another connection with the same context) finds the copy.
        assertTrue(probe.bind(LAYOUT, KeyPrefix.of("t", CONTEXT.clone(), SQL), 0, 0, p));
        assertEquals(key, probe.snapshot());
        assertTrue(probe.equals(key));
        byte[] otherUser = CacheKeyBuilder.contextDigest("jdbc:h2:mem:x", "bob", "db", "public", "UTC");
        probe.bind(LAYOUT, KeyPrefix.of("t", otherUser, SQL), 0, 0, p);
        assertFalse(probe.equals(key), "another user");
        probe.bind(LAYOUT, KeyPrefix.of("u", CONTEXT, SQL), 0, 0, p);
        assertFalse(probe.equals(key), "another table part");
        probe.bind(LAYOUT, KeyPrefix.of("t", CONTEXT, SQL + " "), 0, 0, p);
        assertFalse(probe.equals(key), "another SQL");
        probe.bind(LAYOUT, prefix, 10, 0, p);
        assertFalse(probe.equals(key), "maxRows");
        probe.bind(LAYOUT, prefix, 0, 10, p);
        assertFalse(probe.equals(key), "maxFieldSize");
        probe.bind(new Object(), prefix, 0, 0, p);
        assertFalse(probe.equals(key), "another read layout");
    }

    @Test
    void valuesChangedInPlaceAfterTheSnapshotNoLongerMatchIt() {
        KeyPrefix prefix = KeyPrefix.of("t", CONTEXT, SQL);
        byte[] bytes = {1, 2};
        Timestamp at = Timestamp.valueOf("2026-12-06 10:00:00.1");
        BoundParameters p = new BoundParameters();
        p.set(1, ParameterType.BYTES, bytes);
        p.set(2, ParameterType.TIMESTAMP, at);
        NearKey.Probe probe = new NearKey.Probe();
        probe.bind(LAYOUT, prefix, 0, 0, p);
        NearKey key = probe.snapshot();
        bytes[1] = 3;
        // Changed in place without binding again: no lookup at all (which value the driver sends is unknown).
        assertFalse(p.isKeyable(2), "a byte changed in place");
        p.set(1, ParameterType.BYTES, bytes);
        probe.bind(LAYOUT, prefix, 0, 0, p);
        assertNotEquals(key, probe.snapshot());
        assertFalse(probe.equals(key), "a byte changed in place");
        bytes[1] = 2;
        p.set(1, ParameterType.BYTES, bytes);
        at.setNanos(200_000_000);
        assertFalse(p.isKeyable(2), "a timestamp changed in place");
        p.set(2, ParameterType.TIMESTAMP, at);
        probe.bind(LAYOUT, prefix, 0, 0, p);
        assertFalse(probe.equals(key), "a timestamp changed in place");
    }

    @Test
    void valuesItCannotCompareExactlyAreLeftToTheEntryKey() {
        KeyPrefix prefix = KeyPrefix.of("t", CONTEXT, SQL);
        NearKey.Probe probe = new NearKey.Probe();
        assertFalse(probe.bind(LAYOUT, prefix, 0, 0, one(ParameterType.OBJECT_WITH_TARGET_TYPE,
                Calendar.getInstance(TimeZone.getTimeZone("UTC")))));
        assertFalse(probe.bind(LAYOUT, prefix, 0, 0, one(ParameterType.BIG_DECIMAL, new BigDecimal("1") {
        })), "a subclass of a JDK value class");
        assertFalse(probe.bind(LAYOUT, prefix, 0, 0, one(ParameterType.TIMESTAMP, new Timestamp(0) {
        })));
        assertFalse(probe.bind(LAYOUT, prefix, 0, 0, one(ParameterType.OBJECT_WITH_TARGET_TYPE,
                new Object[] {"X", new StringBuilder("1")})), "inside a composite");
    }
}
