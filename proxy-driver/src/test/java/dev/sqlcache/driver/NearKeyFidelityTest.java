package dev.sqlcache.driver;

import dev.sqlcache.stats.CacheStatistics;
import dev.sqlcache.testing.RedisServerFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #13 with issue #9's binding rule: a near hit compares the bound values in place instead of hashing them, and
 * must still tell apart every pair of executions whose entry keys differ. Each binding below differs from the others
 * only in how the same-looking value is bound ({@code setInt(1)}, {@code setLong(1)}, {@code setString("1")},
 * {@code 1.0} and {@code 1.00}, NULLs of different types...), and H2 answers most of them differently (the query
 * echoes the value, its class and its SQL type). Every binding is first made a near hit, then all are read again in turn: each
 * must get the database's own answer, from its own near copy. Values the application changes in place after binding
 * (a byte array, a timestamp's nanoseconds) must not find the copy made for what they held before.
 */
class NearKeyFidelityTest {

    private static final String SQL = "select id, ? as p from near_keys where id = ?";

    private RedisServerFixture redis;
    private OneRowDatabase db;

    @FunctionalInterface
    interface Binding {
        void bind(PreparedStatement statement) throws SQLException;
    }

    @BeforeEach
    void start() throws Exception {
        redis = RedisServerFixture.start();
        db = OneRowDatabase.create("near_keys");
    }

    @AfterEach
    void stop() {
        redis.close();
    }

    private static Map<String, Binding> bindings() {
        Map<String, Binding> out = new LinkedHashMap<>();
        out.put("setInt(1)", s -> s.setInt(1, 1));
        out.put("setLong(1)", s -> s.setLong(1, 1L));
        out.put("setShort(1)", s -> s.setShort(1, (short) 1));
        out.put("setString(\"1\")", s -> s.setString(1, "1"));
        out.put("setNString(\"1\")", s -> s.setNString(1, "1"));
        out.put("setObject(\"1\", VARCHAR)", s -> s.setObject(1, "1", Types.VARCHAR));
        out.put("setObject(\"1\", INTEGER)", s -> s.setObject(1, "1", Types.INTEGER));
        out.put("setBigDecimal(1.0)", s -> s.setBigDecimal(1, new BigDecimal("1.0")));
        out.put("setBigDecimal(1.00)", s -> s.setBigDecimal(1, new BigDecimal("1.00")));
        out.put("setDouble(1)", s -> s.setDouble(1, 1.0));
        out.put("setFloat(1)", s -> s.setFloat(1, 1.0f));
        out.put("setBoolean(true)", s -> s.setBoolean(1, true));
        out.put("setBytes({1})", s -> s.setBytes(1, new byte[] {1}));
        out.put("setBytes({1, 0})", s -> s.setBytes(1, new byte[] {1, 0}));
        return out;
    }

    /** What an execution answers: each row's id, the echoed value with its class, and the column's SQL type. */
    private static String answer(Connection c, Binding binding) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(SQL)) {
            binding.bind(s);
            s.setInt(2, 1);
            return read(s);
        }
    }

    private static String read(PreparedStatement s) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (ResultSet rs = s.executeQuery()) {
            String type = rs.getMetaData().getColumnTypeName(2);
            while (rs.next()) {
                Object p = rs.getObject(2);
                rows.add(rs.getInt(1) + ":" + type + ":" + (p == null ? "null"
                        : p.getClass().getSimpleName() + ":" + (p instanceof byte[] b ? Arrays.toString(b) : p)));
            }
        }
        return rows.toString();
    }

    private static long nearHits(Connection c) throws SQLException {
        return c.unwrap(SqlCacheConnection.class).statistics().nearHits();
    }

    @Test
    void executionsBoundAlikeButTypedDifferentlyNeverShareANearCopy() throws Exception {
        Map<String, Binding> bindings = bindings();
        Map<String, String> expected = new LinkedHashMap<>();
        try (Connection plain = db.plain()) {
            for (Map.Entry<String, Binding> b : bindings.entrySet()) {
                expected.put(b.getKey(), answer(plain, b.getValue()));
            }
        }
        // The test means something only where the database tells bindings apart (H2 answers setString,
        // setNString, and setInt and setObject("1", INTEGER), alike): eleven different answers among them.
        assertTrue(new java.util.HashSet<>(expected.values()).size() >= 11, "H2 answers too many alike: " + expected);
        try (Connection c = db.through(redis.port())) {
            for (Map.Entry<String, Binding> b : bindings.entrySet()) {
                untilNearHit(c, b.getKey(), b.getValue(), expected.get(b.getKey()));
            }
            CacheStatistics before = c.unwrap(SqlCacheConnection.class).statistics();
            for (int round = 0; round < 3; round++) {
                for (Map.Entry<String, Binding> b : bindings.entrySet()) {
                    assertEquals(expected.get(b.getKey()), answer(c, b.getValue()), b.getKey());
                }
            }
            CacheStatistics during = c.unwrap(SqlCacheConnection.class).statistics().since(before);
            // Served from the near copies (a lapsed near lease would only make some of them Redis hits).
            assertTrue(during.nearHits() > 0, "no near hit at all: " + during);
            assertEquals(0, during.misses(), "every binding has an entry of its own: " + during);
        }
    }

    /**
     * NULLs of different SQL types: H2 answers them alike here, so sharing would not show in the answer; their entry
     * keys differ, so each must miss once on its own rather than find another's copy.
     */
    @Test
    void nullsOfDifferentTypesEachHaveTheirOwnCopy() throws Exception {
        String sql = "select id from near_keys where id = 1 and cast(? as varchar(10)) is null";
        Map<String, Binding> nulls = new LinkedHashMap<>();
        nulls.put("setNull(INTEGER)", s -> s.setNull(1, Types.INTEGER));
        nulls.put("setNull(VARCHAR)", s -> s.setNull(1, Types.VARCHAR));
        nulls.put("setNull(DECIMAL)", s -> s.setNull(1, Types.DECIMAL));
        nulls.put("setNull(VARCHAR, \"varchar\")", s -> s.setNull(1, Types.VARCHAR, "varchar"));
        nulls.put("setObject(null)", s -> s.setObject(1, null));
        try (Connection c = db.through(redis.port()); PreparedStatement s = c.prepareStatement(sql)) {
            for (Map.Entry<String, Binding> b : nulls.entrySet()) {
                long misses = c.unwrap(SqlCacheConnection.class).statistics().misses();
                b.getValue().bind(s);
                assertEquals("[1]", ids(s), b.getKey());
                assertEquals(misses + 1, c.unwrap(SqlCacheConnection.class).statistics().misses(),
                        b.getKey() + " found another NULL's entry");
                long deadline = System.nanoTime() + 10_000_000_000L;
                long hits = nearHits(c);
                while (nearHits(c) == hits && System.nanoTime() < deadline) {
                    b.getValue().bind(s);
                    assertEquals("[1]", ids(s), b.getKey());
                    Thread.sleep(20);
                }
                assertTrue(nearHits(c) > hits, "no near hit for " + b.getKey());
            }
        }
    }

    private static String ids(PreparedStatement s) throws SQLException {
        List<Integer> ids = new ArrayList<>();
        try (ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                ids.add(rs.getInt(1));
            }
        }
        return ids.toString();
    }

    @Test
    void aValueChangedInPlaceAfterItsCopyWasMadeIsNotServedThatCopy() throws Exception {
        try (Connection c = db.through(redis.port()); Connection plain = db.plain();
             PreparedStatement cached = c.prepareStatement(SQL); PreparedStatement direct = plain.prepareStatement(SQL)) {
            byte[] bytes = {1, 2, 3};
            Timestamp at = Timestamp.valueOf("2026-12-06 10:00:00.123456789");
            Binding bytesBinding = s -> s.setBytes(1, bytes);
            Binding timestampBinding = s -> s.setTimestamp(1, at);
            for (Binding binding : List.of(bytesBinding, timestampBinding)) {
                String before = answer(plain, binding);
                untilNearHit(c, "the value before", binding, before);
            }
            bytes[2] = 4;
            at.setNanos(123456788);
            for (Binding binding : List.of(bytesBinding, timestampBinding)) {
                binding.bind(cached);
                cached.setInt(2, 1);
                binding.bind(direct);
                direct.setInt(2, 1);
                assertEquals(read(direct), read(cached), "a value changed in place after a near copy was made");
            }
        }
    }

    /**
     * H2 (like pgjdbc) copies a byte array and converts a timestamp when it is bound, not when the statement runs:
     * an application that changes the value in place between {@code setX} and {@code execute} has the database
     * answer for what it held when bound. The cache must not answer for what it holds now (another execution's
     * copy, here made first for exactly that value).
     */
    @Test
    void aValueChangedInPlaceBetweenBindingAndExecutingGetsTheDatabasesAnswer() throws Exception {
        try (Connection c = db.through(redis.port()); Connection plain = db.plain();
             PreparedStatement cached = c.prepareStatement(SQL); PreparedStatement direct = plain.prepareStatement(SQL)) {
            Binding later = s -> s.setBytes(1, new byte[] {1, 2, 4});
            untilNearHit(c, "the bytes the value will hold", later, answer(plain, later));
            Binding laterTime = s -> s.setTimestamp(1, Timestamp.valueOf("2026-12-06 10:00:00.123456788"));
            untilNearHit(c, "the timestamp the value will hold", laterTime, answer(plain, laterTime));
            byte[] bytes = {1, 2, 3};
            Timestamp at = Timestamp.valueOf("2026-12-06 10:00:00.123456789");
            for (PreparedStatement s : List.of(cached, direct)) {
                s.setBytes(1, bytes);
                s.setInt(2, 1);
            }
            bytes[2] = 4;
            assertEquals(read(direct), read(cached), "a byte array changed in place after it was bound");
            for (PreparedStatement s : List.of(cached, direct)) {
                s.setTimestamp(1, at);
            }
            at.setNanos(123456788);
            assertEquals(read(direct), read(cached), "a timestamp changed in place after it was bound");
        }
    }

    /**
     * A calendar is keyed by its time zone's id; the drivers convert with the zone itself. A zone made by the
     * application under a standard id ({@code new SimpleTimeZone(+1 h, "UTC")}) must not share the real zone's copy.
     */
    @Test
    void aCalendarWhoseZoneIsNotTheStandardZoneOfItsIdDoesNotShareItsCopy() throws Exception {
        Timestamp at = Timestamp.valueOf("2026-12-06 10:00:00");
        Binding utc = s -> s.setTimestamp(1, at,
                java.util.Calendar.getInstance(java.util.TimeZone.getTimeZone("UTC")));
        Binding fakeUtc = s -> s.setTimestamp(1, at,
                java.util.Calendar.getInstance(new java.util.SimpleTimeZone(3_600_000, "UTC")));
        try (Connection c = db.through(redis.port()); Connection plain = db.plain()) {
            String expected = answer(plain, fakeUtc);
            assertTrue(!expected.equals(answer(plain, utc)), "H2 answers both zones alike: " + expected);
            untilNearHit(c, "UTC", utc, answer(plain, utc));
            assertEquals(expected, answer(c, fakeUtc), "a zone named UTC that is not UTC");
        }
    }

    /** Reads until the near cache answers (its lease needs one renewal to come back through the subscription). */
    private static void untilNearHit(Connection c, String name, Binding binding, String expected) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            long before = nearHits(c);
            assertEquals(expected, answer(c, binding), name);
            if (nearHits(c) > before) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no near hit for " + name + " within 10 s: "
                + c.unwrap(SqlCacheConnection.class).statistics());
    }
}
