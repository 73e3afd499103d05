package dev.sqlcache.internal.key;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Date;
import java.sql.Time;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CacheKeyBuilderTest {

    private static final byte[] CONTEXT = CacheKeyBuilder.contextDigest("jdbc:h2:mem:x", "sa", "db", "public", "UTC");
    private static final String SQL = "select * from t where a = ?";

    private static String key(ParameterType type, Object value) {
        BoundParameters p = new BoundParameters();
        p.set(1, type, value);
        return CacheKeyBuilder.entryKey("t", CONTEXT, SQL, p, 0, 0);
    }

    /** Two values of every type, distinct from each other, in the form the driver records them. */
    private static List<Object[]> samples(Random random) {
        long millis = random.nextLong() % 4_000_000_000_000L;
        Timestamp ts = new Timestamp(millis);
        Timestamp tsNanos = new Timestamp(millis);
        tsNanos.setNanos(ts.getNanos() + 1);
        int n = random.nextInt();
        return List.of(
                new Object[] {ParameterType.NULL, 4, 12},
                new Object[] {ParameterType.BOOLEAN, true, false},
                new Object[] {ParameterType.BYTE, (byte) n, (byte) (n + 1)},
                new Object[] {ParameterType.SHORT, (short) n, (short) (n + 1)},
                new Object[] {ParameterType.INT, n, n + 1},
                new Object[] {ParameterType.LONG, (long) n << 20, ((long) n << 20) + 1},
                new Object[] {ParameterType.FLOAT, 0.0f, -0.0f},
                new Object[] {ParameterType.DOUBLE, Double.NaN, Double.POSITIVE_INFINITY},
                new Object[] {ParameterType.BIG_DECIMAL, new BigDecimal("1.0"), new BigDecimal("1.00")},
                new Object[] {ParameterType.BIG_INTEGER, BigInteger.valueOf(n), BigInteger.valueOf(n).add(BigInteger.ONE)},
                new Object[] {ParameterType.STRING, "a" + n, "a" + n + " "},
                new Object[] {ParameterType.NSTRING, "é", "e"},
                new Object[] {ParameterType.BYTES, new byte[] {1, 2}, new byte[] {1, 2, 0}},
                new Object[] {ParameterType.DATE, new Date(millis), new Date(millis + 86_400_000L)},
                new Object[] {ParameterType.TIME, new Time(millis), new Time(millis + 1000)},
                new Object[] {ParameterType.TIMESTAMP, ts, tsNanos},
                new Object[] {ParameterType.LOCAL_DATE, LocalDate.of(2024, 2, 29), LocalDate.of(2024, 3, 1)},
                new Object[] {ParameterType.LOCAL_TIME, LocalTime.NOON, LocalTime.NOON.plusNanos(1)},
                new Object[] {ParameterType.LOCAL_DATE_TIME, LocalDateTime.of(2024, 1, 1, 0, 0),
                        LocalDateTime.of(2024, 1, 1, 0, 0, 0, 1)},
                new Object[] {ParameterType.OFFSET_DATE_TIME, OffsetDateTime.of(2024, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC),
                        OffsetDateTime.of(2024, 1, 1, 1, 0, 0, 0, ZoneOffset.ofHours(1))},
                new Object[] {ParameterType.OFFSET_TIME, OffsetTime.of(1, 0, 0, 0, ZoneOffset.UTC),
                        OffsetTime.of(2, 0, 0, 0, ZoneOffset.ofHours(1))},
                new Object[] {ParameterType.INSTANT, Instant.ofEpochSecond(millis), Instant.ofEpochSecond(millis, 1)},
                new Object[] {ParameterType.UUID, new UUID(n, 1), new UUID(n, 2)},
                new Object[] {ParameterType.CALENDAR_TIMESTAMP, new Object[] {ts, "UTC"}, new Object[] {ts, "Europe/Paris"}},
                new Object[] {ParameterType.OBJECT_WITH_TARGET_TYPE, new Object[] {"INT", n, 4},
                        new Object[] {"INT", n, 12}});
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 42, 20251121})
    void everyValueAndEveryTypeGivesItsOwnKey(long seed) {
        List<Object[]> samples = samples(new Random(seed));
        Set<String> keys = new HashSet<>();
        List<String> all = new ArrayList<>();
        for (Object[] sample : samples) {
            ParameterType type = (ParameterType) sample[0];
            String first = key(type, sample[1]);
            String second = key(type, sample[2]);
            assertNotEquals(first, second, type + ": different values share a key");
            assertEquals(first, key(type, sample[1]), type + ": a key must be deterministic");
            all.add(first);
            all.add(second);
        }
        keys.addAll(all);
        assertEquals(all.size(), keys.size(), "values of different types never share a key");
        // The same value bound through different setters (setInt vs setLong) is a different input.
        assertNotEquals(key(ParameterType.INT, 5), key(ParameterType.LONG, 5L));
        assertNotEquals(key(ParameterType.STRING, "5"), key(ParameterType.INT, 5));
        assertNotEquals(key(ParameterType.NULL, null), key(ParameterType.STRING, null));
    }

    @Test
    void keysHaveTheDocumentedShapeAndHideValues() {
        String key = key(ParameterType.STRING, "secret-password");
        assertTrue(key.matches("sql:t:data:[0-9a-f]{32}"), key);
        assertFalse(key.contains("secret"));
    }

    @Test
    void contextSqlAndStatementSettingsAllChangeTheKey() {
        String base = CacheKeyBuilder.entryKey("t", CONTEXT, SQL, null, 0, 0);
        Set<String> keys = new HashSet<>(List.of(base,
                CacheKeyBuilder.entryKey("t", CacheKeyBuilder.contextDigest("jdbc:h2:mem:x", "other", "db", "public", "UTC"), SQL, null, 0, 0),
                CacheKeyBuilder.entryKey("t", CacheKeyBuilder.contextDigest("jdbc:h2:mem:x", "sa", "db", "s2", "UTC"), SQL, null, 0, 0),
                CacheKeyBuilder.entryKey("t", CacheKeyBuilder.contextDigest("jdbc:h2:mem:x", "sa", "db", "public", "Asia/Tokyo"), SQL, null, 0, 0),
                CacheKeyBuilder.entryKey("t", CONTEXT, SQL + " ", null, 0, 0),
                CacheKeyBuilder.entryKey("t", CONTEXT, SQL, null, 10, 0),
                CacheKeyBuilder.entryKey("t", CONTEXT, SQL, null, 0, 10)));
        assertEquals(7, keys.size());
        // Length prefixes: ("ab", "c") and ("a", "bc") are different contexts.
        assertNotEquals(new String(CacheKeyBuilder.contextDigest("ab", "c")), new String(CacheKeyBuilder.contextDigest("a", "bc")));
    }

    @Test
    void unboundOrUnsupportedParametersAreNotKeyable() {
        BoundParameters p = new BoundParameters();
        assertTrue(p.isKeyable(0));
        p.set(2, ParameterType.INT, 1);
        assertFalse(p.isKeyable(2), "index 1 was never bound");
        p.set(1, ParameterType.INT, 1);
        assertTrue(p.isKeyable(2));
        assertFalse(p.isKeyable(3), "the statement has more markers than values");
        p.setUnsupported(1);
        assertFalse(p.isKeyable(2));
        p.clear();
        assertFalse(p.isKeyable(2));
        p.set(1, ParameterType.INT, 1);
        p.set(2, ParameterType.INT, 1);
        assertTrue(p.isKeyable(2), "clear() forgets an unsupported value too");
        for (int i = 1; i <= 40; i++) {
            p.set(i, ParameterType.INT, i);
        }
        assertTrue(p.isKeyable(40), "grows past its initial capacity");
    }
}
