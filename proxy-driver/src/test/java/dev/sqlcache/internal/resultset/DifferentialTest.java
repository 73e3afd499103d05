package dev.sqlcache.internal.resultset;

import dev.sqlcache.internal.codec.CachedResult;
import dev.sqlcache.internal.codec.ResultCapture;
import dev.sqlcache.internal.codec.ResultCodec;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Calendar;
import java.util.List;
import java.util.Objects;
import java.util.TimeZone;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Reads the same result through the real driver and through capture → encode → decode → CachedResultSet and
 * requires every getter and every metadata method to agree. The cached side may refuse a conversion the real
 * driver performs (SQLState 22018: drivers disagree on it, so the cache does not guess); those refusals are
 * listed on stdout. Anything else — a different value, class, wasNull, or returning where the driver throws — fails.
 */
class DifferentialTest {
    private static final Class<?>[] TARGETS = {String.class, Boolean.class, Byte.class, Short.class, Integer.class,
            Long.class, Float.class, Double.class, BigDecimal.class, BigInteger.class, byte[].class,
            java.sql.Date.class, java.sql.Time.class, java.sql.Timestamp.class, LocalDate.class, LocalTime.class,
            LocalDateTime.class, OffsetDateTime.class, OffsetTime.class, Instant.class, UUID.class, Object.class};

    @Test
    void h2() throws Exception {
        try (Connection c = TestDatabases.h2("diff")) {
            run(c, """
                    create table t(id int primary key, b boolean, ti tinyint, si smallint, i int, bi bigint,
                      d decimal(38,10), n numeric(20), df decfloat, r real, f double precision, c char(5),
                      v varchar(100), dt date, tm time(9), ts timestamp(9), tstz timestamp(9) with time zone,
                      ttz time(9) with time zone, bin varbinary(20), u uuid)""",
                    List.of("""
                            insert into t values (1, true, 127, 32767, 2147483647, 9223372036854775807,
                              1234567890123456789012345678.1234567890, 99999999999999999999, 1.5E+10,
                              cast('NaN' as real), cast('Infinity' as double precision), 'ab', 'Zürich ☃ 𝄞 日本',
                              date '1960-01-02', time '10:11:12.123456789', timestamp '1960-01-02 03:04:05.123456789',
                              timestamp with time zone '2024-01-02 03:04:05.5+02:00', time with time zone '10:11:12+03:30',
                              X'00010203ff', '6a2f41a3-c54c-fce8-32d2-0324e1c32e22')""",
                            """
                            insert into t values (2, false, -128, -32768, -2147483648, -9223372036854775808,
                              -0.0000000001, -99999999999999999999, -1E-20,
                              cast('-Infinity' as real), -0.0, '', '',
                              date '1969-12-31', time '00:00:00', timestamp '1969-12-31 23:59:59.999999999',
                              timestamp with time zone '1900-01-01 00:00:00-08:00', time with time zone '23:59:59.5-01:00',
                              X'', '00000000-0000-0000-0000-000000000000')""",
                            "insert into t(id) values (3)",
                            """
                            insert into t values (4, true, 1, 0, 1, 0, 1.0000000000, 1, 0, 1.0, 0.5, '1', '42',
                              date '2024-02-29', time '23:59:59', timestamp '2024-02-29 12:00:00',
                              timestamp with time zone '2024-02-29 12:00:00Z', time with time zone '00:00:00Z',
                              X'00', '6a2f41a3-c54c-4ce8-82d2-0324e1c32e22')""",
                            """
                            insert into t values (5, false, 0, 1, 0, 1, 0.5, 0, 123.456, 3.4028235E38, 1.1, 'true ',
                              '6a2f41a3-c54c-4ce8-82d2-0324e1c32e22', date '0900-06-15', time '12:00:00.5',
                              timestamp '2262-04-11 23:47:16.854775807', timestamp with time zone '2024-06-01 12:00:00+14:00',
                              time with time zone '12:00:00+14:00', X'30', 'ffffffff-ffff-ffff-ffff-ffffffffffff')"""));
        }
    }

    @Test
    void postgresql() throws Exception {
        try (Connection c = TestDatabases.postgresql()) {
            try (Statement s = c.createStatement()) {
                s.execute("drop table if exists sqlcache_codec_diff");
            }
            run(c, """
                    create table sqlcache_codec_diff(id int primary key, b boolean, si smallint, i int, bi bigint,
                      d numeric(38,10), n numeric, ns numeric(5,-2), r real, f double precision, c char(5),
                      v varchar(100), tx text, dt date, tm time, ts timestamp, tstz timestamptz, ttz timetz,
                      bin bytea, u uuid)""",
                    List.of("""
                            insert into sqlcache_codec_diff values (1, true, 32767, 2147483647, 9223372036854775807,
                              1234567890123456789012345678.1234567890, 1e-30, 12345, 'NaN', 'Infinity', 'ab',
                              'Zürich ☃ 𝄞 日本', 'text', '1960-01-02', '10:11:12.123456', '1960-01-02 03:04:05.123456',
                              '2024-01-02 03:04:05.5+02', '10:11:12+03:30', '\\x00010203ff',
                              '6a2f41a3-c54c-fce8-32d2-0324e1c32e22')""",
                            """
                            insert into sqlcache_codec_diff values (2, false, -32768, -2147483648, -9223372036854775808,
                              -0.0000000001, -123456789012345678901234567890.000000000000000000001, -99900, '-Infinity',
                              '-0', '', '', '', '1969-12-31', '00:00:00', '1969-12-31 23:59:59.999999',
                              '1900-01-01 00:00:00-08', '23:59:59.5-01', '\\x', '00000000-0000-0000-0000-000000000000')""",
                            "insert into sqlcache_codec_diff(id) values (3)",
                            """
                            insert into sqlcache_codec_diff values (4, true, 0, 1, 0, 1.0, 1, 0, 1.0, 0.5, '1', '42',
                              'true', '2024-02-29', '23:59:59', '2024-02-29 12:00:00', '2024-02-29 12:00:00Z',
                              '00:00:00Z', '\\x00', '6a2f41a3-c54c-4ce8-82d2-0324e1c32e22')""",
                            """
                            insert into sqlcache_codec_diff values (5, false, 1, 0, 1, 0.5, 123.456, 100, 3.4028235e38,
                              1.1, 'true', '6a2f41a3-c54c-4ce8-82d2-0324e1c32e22', ' 7 ', '0900-06-15', '12:00:00.5',
                              '2200-01-01 00:00:00.000001', '2024-06-01 12:00:00+14', '12:00:00+14', '\\x30',
                              'ffffffff-ffff-ffff-ffff-ffffffffffff')"""));
        }
    }

    @Test
    void mariadb() throws Exception {
        try (Connection c = TestDatabases.mariadb()) {
            try (Statement s = c.createStatement()) {
                s.execute("drop table if exists sqlcache_codec_diff");
            }
            run(c, """
                    create table sqlcache_codec_diff(id int primary key, b boolean, ti tinyint, si smallint,
                      mi mediumint, i int, iu int unsigned, bi bigint, bu bigint unsigned, d decimal(38,10), r float,
                      f double, c char(5), v varchar(100), tx text, dt date, tm time(6), ts datetime(6),
                      bin varbinary(20), u uuid) default charset=utf8mb4""",
                    List.of("""
                            insert into sqlcache_codec_diff values (1, true, 127, 32767, 8388607, 2147483647, 4294967295,
                              9223372036854775807, 18446744073709551615, 1234567890123456789012345678.1234567890,
                              3.4e38, 1.7976931348623157e308, 'ab', 'Zürich ☃ 𝄞 日本', 'text', '1960-01-02',
                              '10:11:12.123456', '1960-01-02 03:04:05.123456', X'00010203ff',
                              '6a2f41a3-c54c-4ce8-82d2-0324e1c32e22')""",
                            """
                            insert into sqlcache_codec_diff values (2, false, -128, -32768, -8388608, -2147483648, 0,
                              -9223372036854775808, 0, -0.0000000001, -1.5, -0.0, '', '', '', '1000-01-01', '-838:59:59',
                              '1969-12-31 23:59:59.999999', X'', '00000000-0000-0000-0000-000000000000')""",
                            "insert into sqlcache_codec_diff(id) values (3)",
                            """
                            insert into sqlcache_codec_diff values (4, true, 1, 0, 1, 1, 1, 0, 1, 1.0, 1.0, 0.5, '1',
                              '42', 'true', '2024-02-29', '23:59:59', '2024-02-29 12:00:00', X'00',
                              '6a2f41a3-c54c-4ce8-82d2-0324e1c32e22')""",
                            """
                            insert into sqlcache_codec_diff values (5, false, 0, 1, 0, 0, 1, 1, 1, 0.5, 1.1, 1.1, 'true',
                              '6a2f41a3-c54c-4ce8-82d2-0324e1c32e22', ' 7 ', '9999-12-31', '12:00:00.5',
                              '2200-01-01 00:00:00.000001', X'30', 'ffffffff-ffff-ffff-ffff-ffffffffffff')"""));
        }
    }

    private void run(Connection c, String ddl, List<String> inserts) throws Exception {
        String table;
        try (Statement s = c.createStatement()) {
            s.execute(ddl);
            for (String insert : inserts) {
                s.execute(insert);
            }
            table = ddl.substring(ddl.indexOf("table ") + 6, ddl.indexOf('(')).trim();
        }
        String sql = "select * from " + table + " order by id";
        CachedResult cached;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            ResultCapture capture = ResultCapture.begin(rs.getMetaData(), 1000, 1 << 20);
            assertNotNull(capture, "every column type of the test table is supported");
            while (rs.next()) {
                assertTrue(capture.captureRow(rs), () -> "capture failed: " + capture.failure());
            }
            cached = capture.finish();
        }
        byte[] entry = ResultCodec.encode(new String[] {"v1", "t:" + table}, cached);
        assertArrayEquals(new String[] {"v1", "t:" + table}, ResultCodec.readTokens(entry));
        CachedResult decoded = ResultCodec.decode(entry);
        assertArrayEquals(entry, ResultCodec.encode(new String[] {"v1", "t:" + table}, decoded),
                "re-encoding the decoded result gives the same bytes");

        List<String> refusals = new ArrayList<>();
        Calendar cal = Calendar.getInstance(TimeZone.getTimeZone("America/St_Johns"));
        try (Statement s = c.createStatement(); ResultSet real = s.executeQuery(sql);
             ResultSet hit = new CachedResultSet(decoded, s, ResultSet.TYPE_FORWARD_ONLY, c.getHoldability())) {
            assertSame(s, hit.getStatement());
            compareMetaData(real.getMetaData(), hit.getMetaData());
            int n = real.getMetaData().getColumnCount();
            int row = 0;
            while (real.next()) {
                row++;
                assertTrue(hit.next(), "row " + row);
                assertEquals(real.getRow(), hit.getRow());
                for (int i = 1; i <= n; i++) {
                    final int col = i;
                    String at = table + " row " + row + " column " + real.getMetaData().getColumnLabel(i) + " ("
                            + real.getMetaData().getColumnTypeName(i) + ")";
                    Check k = new Check(at, real, hit, refusals);
                    k.same("getObject", rs -> rs.getObject(col));
                    k.same("getObject(label)", rs -> rs.getObject(rs.getMetaData().getColumnLabel(col)));
                    k.same("getString", rs -> rs.getString(col));
                    k.same("getNString", rs -> rs.getNString(col));
                    k.same("getBoolean", rs -> rs.getBoolean(col));
                    k.same("getByte", rs -> rs.getByte(col));
                    k.same("getShort", rs -> rs.getShort(col));
                    k.same("getInt", rs -> rs.getInt(col));
                    k.same("getLong", rs -> rs.getLong(col));
                    k.same("getFloat", rs -> rs.getFloat(col));
                    k.same("getDouble", rs -> rs.getDouble(col));
                    k.same("getBigDecimal", rs -> rs.getBigDecimal(col));
                    k.same("getBytes", rs -> rs.getBytes(col));
                    k.same("getDate", rs -> rs.getDate(col));
                    k.same("getTime", rs -> rs.getTime(col));
                    k.same("getTimestamp", rs -> rs.getTimestamp(col));
                    k.same("getDate(cal)", rs -> rs.getDate(col, cal));
                    k.same("getTime(cal)", rs -> rs.getTime(col, cal));
                    k.same("getTimestamp(cal)", rs -> rs.getTimestamp(col, cal));
                    for (Class<?> target : TARGETS) {
                        k.same("getObject(" + target.getSimpleName() + ")", rs -> rs.getObject(col, target));
                    }
                }
            }
            assertFalse(hit.next());
            assertFalse(hit.next());
        }
        System.out.println(table + "@" + c.getMetaData().getDriverName() + ": " + refusals.size()
                + " conversions refused by the cache:");
        refusals.forEach(r -> System.out.println("  " + r));
    }

    private static void assertSame(Object expected, Object actual) {
        org.junit.jupiter.api.Assertions.assertSame(expected, actual);
    }

    interface Getter {
        Object get(ResultSet rs) throws SQLException;
    }

    record Outcome(Object value, Exception error) {
        static Outcome of(ResultSet rs, Getter g) {
            try {
                return new Outcome(g.get(rs), null);
            } catch (SQLException | RuntimeException e) {
                // Some drivers leak an unchecked exception (MariaDB: IllegalArgumentException for a bad UUID).
                return new Outcome(null, e);
            }
        }
    }

    record Check(String at, ResultSet real, ResultSet hit, List<String> refusals) {
        void same(String getter, Getter g) throws SQLException {
            Outcome r = Outcome.of(real, g);
            Outcome h = Outcome.of(hit, g);
            String where = at + " " + getter;
            if (h.error != null && !(h.error instanceof SQLException)) {
                throw new AssertionError(where + ": the cache threw an unchecked exception", h.error);
            }
            if (r.error instanceof SQLFeatureNotSupportedException) {
                // The driver does not implement this method at all (pgjdbc getNString): not a value difference.
                return;
            }
            if (r.error != null) {
                if (h.error == null) {
                    fail(where + ": driver threw " + r.error + " but the cache returned " + show(h.value));
                }
                return;
            }
            if (h.error != null) {
                if ("22018".equals(((SQLException) h.error).getSQLState())) {
                    refusals.add(where + " (driver: " + show(r.value) + ")");
                    return;
                }
                fail(where + ": driver returned " + show(r.value) + " but the cache threw " + h.error, h.error);
            }
            if (!equal(r.value, h.value)) {
                fail(where + ": driver " + show(r.value) + " cache " + show(h.value));
            }
            assertEquals(real.wasNull(), hit.wasNull(), where + " wasNull");
        }
    }

    static boolean equal(Object a, Object b) {
        if (a == null || b == null) {
            return a == b;
        }
        if (a.getClass() != b.getClass()) {
            return false;
        }
        if (a instanceof byte[] x) {
            return Arrays.equals(x, (byte[]) b);
        }
        if (a instanceof java.util.Date x) {
            // java.sql.Time/Date equality is by millis; also require the same text form.
            return x.getTime() == ((java.util.Date) b).getTime() && a.toString().equals(b.toString())
                    && a.equals(b);
        }
        return Objects.equals(a, b);
    }

    static String show(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof byte[] b) {
            return "byte[]" + Arrays.toString(b);
        }
        if (v instanceof java.util.Date d) {
            return v.getClass().getSimpleName() + "[" + v + " / " + d.getTime() + "]";
        }
        return v.getClass().getSimpleName() + "[" + v + "]";
    }

    static void compareMetaData(ResultSetMetaData real, ResultSetMetaData hit) throws SQLException {
        assertEquals(real.getColumnCount(), hit.getColumnCount());
        for (int i = 1; i <= real.getColumnCount(); i++) {
            String at = "column " + i + " ";
            assertEquals(real.getCatalogName(i), hit.getCatalogName(i), at + "catalog");
            assertEquals(real.getSchemaName(i), hit.getSchemaName(i), at + "schema");
            assertEquals(real.getTableName(i), hit.getTableName(i), at + "table");
            assertEquals(real.getColumnName(i), hit.getColumnName(i), at + "name");
            assertEquals(real.getColumnLabel(i), hit.getColumnLabel(i), at + "label");
            assertEquals(real.getColumnType(i), hit.getColumnType(i), at + "type");
            assertEquals(real.getColumnTypeName(i), hit.getColumnTypeName(i), at + "type name");
            assertEquals(real.getColumnClassName(i), hit.getColumnClassName(i), at + "class name");
            assertEquals(real.getPrecision(i), hit.getPrecision(i), at + "precision");
            assertEquals(real.getScale(i), hit.getScale(i), at + "scale");
            assertEquals(real.getColumnDisplaySize(i), hit.getColumnDisplaySize(i), at + "display size");
            assertEquals(real.isNullable(i), hit.isNullable(i), at + "nullable");
            assertEquals(real.isAutoIncrement(i), hit.isAutoIncrement(i), at + "auto increment");
            assertEquals(real.isCaseSensitive(i), hit.isCaseSensitive(i), at + "case sensitive");
            assertEquals(real.isSearchable(i), hit.isSearchable(i), at + "searchable");
            assertEquals(real.isCurrency(i), hit.isCurrency(i), at + "currency");
            assertEquals(real.isSigned(i), hit.isSigned(i), at + "signed");
            assertEquals(real.isReadOnly(i), hit.isReadOnly(i), at + "read only");
            assertEquals(real.isWritable(i), hit.isWritable(i), at + "writable");
            assertEquals(real.isDefinitelyWritable(i), hit.isDefinitelyWritable(i), at + "definitely writable");
        }
    }
}
