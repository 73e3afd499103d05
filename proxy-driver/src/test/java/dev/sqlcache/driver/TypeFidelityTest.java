package dev.sqlcache.driver;

import dev.sqlcache.stats.BypassReason;
import dev.sqlcache.stats.CacheStatistics;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.InputStream;
import java.io.Reader;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.Connection;
import java.sql.NClob;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLXML;
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
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TimeZone;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Issue #4, through the whole driver: for every column type people use on H2, PostgreSQL and MariaDB, each column is
 * read alone ({@code select id, col ...}) through the real driver, then through sqlcache twice — a miss, then (for a
 * cacheable type) a hit — with a Statement and with a PreparedStatement. Every getter on every row and every
 * ResultSetMetaData method must agree with the real driver, strictly: same value (class and content), same
 * wasNull; where the driver throws the cache throws too, an exception of the driver's class with the driver's
 * SQLState (none where it has none).
 *
 * <p>Each type is either served from the cache (decided from the statistics of the third read) or passes through;
 * the expected side is declared per column below, so the test cannot pass by caching nothing, and a type moving
 * between the two fails it. All differences are collected, printed grouped by database, column and getter, and
 * then fail the test; a per-database table of type to cached / passed through is printed on every run.
 */
class TypeFidelityTest extends RedisBackedTest {

    private static final String TABLE = "sqlcache_type_fidelity";
    private static final String PG_ENUM = "sqlcache_type_fidelity_mood";
    private static final Calendar CALENDAR = Calendar.getInstance(TimeZone.getTimeZone("America/St_Johns"));

    /** getObject(i, Class) targets: the classes JDBC 4.2 maps, plus UUID, BigInteger, Instant and Object. */
    private static final Class<?>[] TARGETS = {String.class, Boolean.class, Byte.class, Short.class, Integer.class,
            Long.class, Float.class, Double.class, BigDecimal.class, BigInteger.class, byte[].class,
            java.sql.Date.class, java.sql.Time.class, java.sql.Timestamp.class, LocalDate.class, LocalTime.class,
            LocalDateTime.class, OffsetDateTime.class, OffsetTime.class, Instant.class, UUID.class, Object.class,
            Clob.class, NClob.class, Blob.class, java.sql.Array.class, SQLXML.class};

    enum Served { CACHED, PASSED_THROUGH }

    /** A column of the test table: its DDL type, the side it must be served from, and its values row by row. */
    record Column(String name, String type, Served expected, List<String> values) {
    }

    private static Column cached(String name, String type, String... values) {
        return new Column(name, type, Served.CACHED, List.of(values));
    }

    private static Column passes(String name, String type, String... values) {
        return new Column(name, type, Served.PASSED_THROUGH, List.of(values));
    }

    private static final String UNICODE = "'Zürich ☃ 𝄞 日本 😀'";

    // ---- the tables (row 1 is all NULL; a column with fewer values than rows is NULL in the rest)

    private static List<Column> columns(TestDatabase db) {
        return switch (db) {
            case H2 -> List.of(
                    cached("b", "boolean", "true", "false"),
                    cached("ti", "tinyint", "127", "-128", "0", "1", "42"),
                    cached("si", "smallint", "32767", "-32768", "0", "1", "42"),
                    cached("i", "integer", "2147483647", "-2147483648", "0", "1", "42"),
                    cached("bi", "bigint", "9223372036854775807", "-9223372036854775808", "0", "1", "42"),
                    cached("d", "numeric(38,10)", "1234567890123456789012345678.1234567890", "-0.0000000001", "0",
                            "1", "0.5", "42"),
                    cached("n", "numeric(38)", "99999999999999999999999999999999999999", "-1", "0", "1", "42"),
                    cached("hp", "numeric(80,40)",
                            "1234567890123456789012345678901234567890.1234567890123456789012345678901234567890",
                            "-0.0000000000000000000000000000000000000001", "0", "1"),
                    cached("df", "decfloat", "1.5E+10", "-1E-20", "0", "1", "123.456", "1E+3"),
                    passes("df_special", "decfloat", "cast('NaN' as decfloat)", "cast('Infinity' as decfloat)",
                            "cast('-Infinity' as decfloat)", "1"),
                    cached("r", "real", "cast('NaN' as real)", "cast('Infinity' as real)",
                            "cast('-Infinity' as real)", "3.4028235E38", "1.4E-45", "-0.0", "0", "1", "0.1", "42"),
                    cached("f", "double precision", "cast('NaN' as double precision)",
                            "cast('Infinity' as double precision)", "cast('-Infinity' as double precision)",
                            "1.7976931348623157E308", "4.9E-324", "-0.0", "0", "1", "0.1", "42"),
                    cached("c", "char(5)", "'ab'", "''", "'1'", "'true '", "' 7 '", "'0'"),
                    cached("v", "varchar(100)", UNICODE, "''", "'42'", "'true'", "' 7 '", "'0'", "'1'",
                            "'2024-02-29'", "'12:00:00'", "'6a2f41a3-c54c-4ce8-82d2-0324e1c32e22'", "'NaN'"),
                    cached("vi", "varchar_ignorecase(50)", "'MiXeD ☃'", "''", "'1'"),
                    passes("cl", "clob", UNICODE, "''", "'42'", "'true'"),
                    cached("dt", "date", "date '1960-01-02'", "date '1969-12-31'", "date '2024-02-29'",
                            "date '0900-06-15'", "date '9999-12-31'", "date '1970-01-01'", "date '1582-10-10'",
                            "date '1800-06-15'"),
                    cached("tm", "time(9)", "time '10:11:12.123456789'", "time '00:00:00'",
                            "time '23:59:59.999999999'", "time '12:00:00.5'"),
                    cached("ttz", "time(9) with time zone", "time with time zone '10:11:12+03:30'",
                            "time with time zone '23:59:59.5-01:00'", "time with time zone '00:00:00Z'",
                            "time with time zone '12:00:00+14:00'"),
                    cached("ts", "timestamp(9)", "timestamp '1960-01-02 03:04:05.123456789'",
                            "timestamp '1969-12-31 23:59:59.999999999'", "timestamp '2024-02-29 12:00:00'",
                            "timestamp '0900-06-15 00:00:00'", "timestamp '1582-10-10 12:00:00'",
                            "timestamp '2262-04-11 23:47:16.854775807'", "timestamp '2024-03-10 02:30:00'",
                            "timestamp '1800-06-15 12:00:00'"),
                    cached("tstz", "timestamp(9) with time zone",
                            "timestamp with time zone '2024-01-02 03:04:05.5+02:00'",
                            "timestamp with time zone '1900-01-01 00:00:00-08:00'",
                            "timestamp with time zone '2024-02-29 12:00:00Z'",
                            "timestamp with time zone '2024-06-01 12:00:00+14:00'"),
                    passes("ids", "interval day to second", "interval '1 02:03:04.5' day to second",
                            "interval '-0 00:00:01' day to second", "interval '0 00:00:00' day to second"),
                    passes("iym", "interval year to month", "interval '1-2' year to month",
                            "interval '-3-0' year to month"),
                    cached("u", "uuid", "'6a2f41a3-c54c-4ce8-82d2-0324e1c32e22'",
                            "'00000000-0000-0000-0000-000000000000'", "'ffffffff-ffff-ffff-ffff-ffffffffffff'"),
                    passes("j", "json", "json '{\"a\":1,\"s\":\"☃\"}'", "json '[]'", "json '\"x\"'", "json '42'",
                            "json 'true'"),
                    cached("vb", "varbinary(20)", "X'00010203ff'", "X''", "X'00'", "X'30'", "X'31'"),
                    cached("bn", "binary(4)", "X'00010203'", "X'ff'", "X''"),
                    passes("bl", "blob", "X'00010203ff'", "X''", "X'30'"),
                    passes("e", "enum('a', 'b', '☃', '1')", "'a'", "'☃'", "'1'"),
                    passes("ai", "integer array", "array[1, 2, null]", "array[]", "array[42]"),
                    passes("av", "varchar(20) array", "array['a', '☃', null, '']", "array[]"));
            case HSQLDB -> List.of(
                    cached("b", "boolean", "true", "false"),
                    cached("ti", "tinyint", "127", "-128", "0", "1", "42"),
                    cached("si", "smallint", "32767", "-32768", "0", "1", "42"),
                    cached("i", "integer", "2147483647", "-2147483648", "0", "1", "42"),
                    cached("bi", "bigint", "9223372036854775807", "-9223372036854775808", "0", "1", "42"),
                    cached("d", "numeric(38,10)", "1234567890123456789012345678.1234567890", "-0.0000000001", "0",
                            "1", "0.5", "42"),
                    cached("f", "double", "1.7976931348623157E308", "4.9E-324", "0", "1", "0.1", "42"),
                    cached("c", "char(5)", "'ab'", "''", "'1'", "'true '", "' 7 '", "'0'"),
                    cached("v", "varchar(100)", UNICODE, "''", "'42'", "'true'", "' 7 '", "'0'", "'1'",
                            "'2024-02-29'", "'12:00:00'", "'NaN'"),
                    passes("cl", "clob", UNICODE, "''", "'42'", "'true'"),
                    cached("dt", "date", "date '1960-01-02'", "date '1969-12-31'", "date '2024-02-29'",
                            "date '9999-12-31'", "date '1970-01-01'", "date '1800-06-15'"),
                    cached("tm", "time(9)", "time '10:11:12.123456789'", "time '00:00:00'",
                            "time '23:59:59.999999999'", "time '12:00:00.5'"),
                    cached("ts", "timestamp(9)", "timestamp '1960-01-02 03:04:05.123456789'",
                            "timestamp '1969-12-31 23:59:59.999999999'", "timestamp '2024-02-29 12:00:00'",
                            "timestamp '2024-03-10 02:30:00'", "timestamp '1800-06-15 12:00:00'"),
                    cached("tstz", "timestamp(9) with time zone",
                            "timestamp '2024-01-02 03:04:05.5+02:00'", "timestamp '1900-01-01 00:00:00-08:00'",
                            "timestamp '2024-06-01 12:00:00+14:00'"),
                    // HSQLDB reports UUID's class as java.util.UUID but answers getObject with its own type
                    passes("u", "uuid", "'6a2f41a3-c54c-4ce8-82d2-0324e1c32e22'",
                            "'00000000-0000-0000-0000-000000000000'"),
                    cached("vb", "varbinary(20)", "X'00010203ff'", "X''", "X'00'", "X'30'", "X'31'"),
                    cached("bn", "binary(4)", "X'00010203'", "X'ff'"),
                    cached("ids", "interval day to second", "interval '1 02:03:04.5' day to second"),
                    passes("ai", "integer array", "array[1, 2, null]", "array[]", "array[42]"));
            case DERBY -> List.of(
                    cached("b", "boolean", "true", "false"),
                    cached("si", "smallint", "32767", "-32768", "0", "1", "42"),
                    cached("i", "integer", "2147483647", "-2147483648", "0", "1", "42"),
                    cached("bi", "bigint", "9223372036854775807", "-9223372036854775808", "0", "1", "42"),
                    cached("d", "decimal(31,10)", "123456789012345678901.1234567890", "-0.0000000001", "0",
                            "1", "0.5", "42"),
                    cached("r", "real", "3.4028235E38", "1.4E-45", "0", "1", "0.1", "42"),
                    cached("f", "double", "1.7976931348623157E308", "4.9E-324", "0", "1", "0.1", "42"),
                    cached("c", "char(5)", "'ab'", "''", "'1'", "'true '", "' 7 '", "'0'"),
                    cached("v", "varchar(100)", UNICODE, "''", "'42'", "'true'", "' 7 '", "'0'", "'1'",
                            "'2024-02-29'", "'12:00:00'", "'NaN'"),
                    passes("cl", "clob", UNICODE, "''", "'42'", "'true'"),
                    cached("dt", "date", "date('1960-01-02')", "date('1969-12-31')", "date('2024-02-29')",
                            "date('9999-12-31')", "date('1970-01-01')"),
                    cached("tm", "time", "time('10:11:12')", "time('00:00:00')", "time('23:59:59')"),
                    cached("ts", "timestamp", "timestamp('1960-01-02 03:04:05.123456789')",
                            "timestamp('1969-12-31 23:59:59.999999999')", "timestamp('2024-02-29 12:00:00')",
                            "timestamp('2024-03-10 02:30:00')"),
                    cached("vb", "varchar(20) for bit data", "X'00010203ff'", "X''", "X'00'", "X'30'"),
                    cached("bn", "char(4) for bit data", "X'00010203'", "X'ff000000'"),
                    passes("bl", "blob", "cast(X'00010203ff' as blob)", "cast(X'' as blob)"));
            // xerial reports java.lang.Object as every column's class (a cell's type is the value's own): the codec
            // types by column, so every SQLite result passes through
            case SQLITE -> List.of(
                    passes("i", "integer", "9223372036854775807", "-9223372036854775808", "0", "1", "42"),
                    passes("r", "real", "1.7976931348623157E308", "4.9E-324", "0", "1", "0.1", "42"),
                    passes("t", "text", UNICODE, "''", "'42'", "'true'", "' 7 '", "'0'", "'1'", "'2024-02-29'"),
                    passes("v", "varchar(100)", UNICODE, "''", "'42'", "'true'", "' 7 '"),
                    passes("n", "numeric", "1", "0.5", "'abc'", "42"),
                    passes("b", "boolean", "1", "0"),
                    passes("bl", "blob", "X'00010203ff'", "X''", "X'30'"),
                    passes("any", "", "1", "'x'", "0.5", "X'31'"));
            case POSTGRES -> List.of(
                    cached("b", "boolean", "true", "false"),
                    cached("si", "smallint", "32767", "-32768", "0", "1", "42"),
                    cached("i", "integer", "2147483647", "-2147483648", "0", "1", "42"),
                    cached("bi", "bigint", "9223372036854775807", "-9223372036854775808", "0", "1", "42"),
                    cached("d", "numeric(38,10)", "1234567890123456789012345678.1234567890", "-0.0000000001", "0",
                            "1", "0.5", "42"),
                    cached("n", "numeric", "1e-30", "-123456789012345678901234567890.000000000000000000001", "0",
                            "1", "1.0", "42", "1e20"),
                    cached("ns", "numeric(5,-2)", "12345", "-99900", "0", "100", "42"),
                    passes("n_special", "numeric", "'NaN'", "'Infinity'", "'-Infinity'", "1.5"),
                    cached("r", "real", "'NaN'", "'Infinity'", "'-Infinity'", "3.4028235e38", "1.4e-45", "'-0'",
                            "0", "1", "0.1", "42"),
                    cached("f", "double precision", "'NaN'", "'Infinity'", "'-Infinity'", "1.7976931348623157e308",
                            "4.9e-324", "'-0'", "0", "1", "0.1", "42"),
                    cached("c", "char(5)", "'ab'", "''", "'1'", "'true'", "' 7 '", "'0'"),
                    cached("v", "varchar(100)", UNICODE, "''", "'42'", "'true'", "' 7 '", "'0'", "'1'",
                            "'2024-02-29'", "'12:00:00'", "'6a2f41a3-c54c-4ce8-82d2-0324e1c32e22'", "'NaN'"),
                    cached("tx", "text", UNICODE, "''", "'42'", "'true'", "' 7 '", "'t'"),
                    cached("dt", "date", "'1960-01-02'", "'1969-12-31'", "'2024-02-29'", "'0900-06-15'",
                            "'9999-12-31'", "'1970-01-01'", "'1582-10-10'", "'1800-06-15'"),
                    passes("dt_inf", "date", "'infinity'", "'-infinity'", "'2024-02-29'"),
                    cached("tm", "time", "'10:11:12.123456'", "'00:00:00'", "'23:59:59.999999'", "'12:00:00.5'",
                            "'24:00:00'"),
                    cached("ttz", "timetz", "'10:11:12+03:30'", "'23:59:59.5-01'", "'00:00:00Z'",
                            "'12:00:00+14'"),
                    cached("ts", "timestamp", "'1960-01-02 03:04:05.123456'", "'1969-12-31 23:59:59.999999'",
                            "'2024-02-29 12:00:00'", "'0900-06-15 00:00:00'", "'1582-10-10 12:00:00'",
                            "'2200-01-01 00:00:00.000001'", "'2024-03-10 02:30:00'", "'1800-06-15 12:00:00'"),
                    passes("ts_inf", "timestamp", "'infinity'", "'-infinity'", "'2024-02-29 12:00:00'"),
                    cached("tstz", "timestamptz", "'2024-01-02 03:04:05.5+02'", "'1900-01-01 00:00:00-08'",
                            "'2024-02-29 12:00:00Z'", "'2024-06-01 12:00:00+14'"),
                    passes("iv", "interval", "'1 year 2 mons 3 days 04:05:06.5'", "'-1 day'", "'0'"),
                    cached("u", "uuid", "'6a2f41a3-c54c-4ce8-82d2-0324e1c32e22'",
                            "'00000000-0000-0000-0000-000000000000'", "'ffffffff-ffff-ffff-ffff-ffffffffffff'"),
                    passes("j", "json", "'{\"a\": 1, \"s\": \"☃\"}'", "'[]'", "'\"x\"'", "'42'", "'true'"),
                    passes("jb", "jsonb", "'{\"a\": 1, \"s\": \"☃\"}'", "'[]'", "'\"x\"'", "'42'", "'true'"),
                    cached("bin", "bytea", "'\\x00010203ff'", "'\\x'", "'\\x00'", "'\\x30'", "'\\x31'"),
                    cached("e", PG_ENUM, "'sad'", "'☃'", "'1'"),
                    passes("ai", "integer[]", "'{1,2,NULL}'", "'{}'", "'{42}'"),
                    passes("at", "text[]", "'{a,☃,NULL,\"\"}'", "'{}'"),
                    passes("money", "money", "'1.00'", "'-42.5'", "0"),
                    passes("inet", "inet", "'127.0.0.1'", "'::1/128'"),
                    passes("xml", "xml", "'<a>☃</a>'", "''"));
            case MARIADB -> List.of(
                    cached("b", "boolean", "true", "false", "2", "-1"),
                    cached("bit1", "bit(1)", "b'1'", "b'0'"),
                    passes("bit8", "bit(8)", "b'10101010'", "b'0'", "b'1'"),
                    cached("ti", "tinyint", "127", "-128", "0", "1", "42"),
                    cached("tiu", "tinyint unsigned", "255", "0", "1", "42"),
                    cached("si", "smallint", "32767", "-32768", "0", "1", "42"),
                    cached("siu", "smallint unsigned", "65535", "0", "1"),
                    cached("mi", "mediumint", "8388607", "-8388608", "0", "1"),
                    cached("i", "int", "2147483647", "-2147483648", "0", "1", "42"),
                    cached("iu", "int unsigned", "4294967295", "0", "1", "42"),
                    cached("bi", "bigint", "9223372036854775807", "-9223372036854775808", "0", "1", "42"),
                    cached("bu", "bigint unsigned", "18446744073709551615", "0", "1", "42"),
                    cached("d", "decimal(38,10)", "1234567890123456789012345678.1234567890", "-0.0000000001", "0",
                            "1", "0.5", "42"),
                    cached("hp", "decimal(65,30)", "12345678901234567890123456789012345.123456789012345678901234567890",
                            "-0.000000000000000000000000000001", "0", "1"),
                    cached("r", "float", "3.4e38", "-1.5", "-0.0", "0", "1", "0.1", "42"),
                    cached("f", "double", "1.7976931348623157e308", "4.9e-324", "-0.0", "0", "1", "0.1", "42"),
                    cached("c", "char(5)", "'ab'", "''", "'1'", "'true'", "' 7 '", "'0'"),
                    cached("v", "varchar(100)", UNICODE, "''", "'42'", "'true'", "' 7 '", "'0'", "'1'",
                            "'2024-02-29'", "'12:00:00'", "'6a2f41a3-c54c-4ce8-82d2-0324e1c32e22'", "'NaN'"),
                    cached("tx", "text", UNICODE, "''", "'42'", "'true'", "' 7 '"),
                    cached("lt", "longtext", UNICODE, "''", "'1'"),
                    cached("dt", "date", "'1960-01-02'", "'1969-12-31'", "'2024-02-29'", "'1000-01-01'",
                            "'9999-12-31'", "'1970-01-01'", "'0900-06-15'", "'1582-10-10'", "'1800-06-15'"),
                    // getObject null, getString '0000-00-00', wasNull depending on the getter: passes through.
                    passes("dt_zero", "date", "'0000-00-00'", "'2024-02-29'"),
                    cached("tm", "time(6)", "'10:11:12.123456'", "'00:00:00'", "'-838:59:59'", "'838:59:59'",
                            "'23:59:59.999999'", "'12:00:00.5'"),
                    cached("dtm", "datetime(6)", "'1960-01-02 03:04:05.123456'", "'1969-12-31 23:59:59.999999'",
                            "'2024-02-29 12:00:00'", "'1000-01-01 00:00:00'", "'9999-12-31 23:59:59.999999'",
                            "'2024-03-10 02:30:00'", "'1582-10-10 12:00:00'", "'1800-06-15 12:00:00'"),
                    cached("tsp", "timestamp(6) null", "'2024-02-29 12:00:00.5'", "'1970-01-01 00:00:01'",
                            "'2038-01-19 03:14:07.999999'"),
                    cached("yr", "year", "2024", "1901", "2155"),
                    cached("bn", "binary(4)", "X'00010203'", "X'ff'", "X''"),
                    cached("vb", "varbinary(20)", "X'00010203ff'", "X''", "X'00'", "X'30'", "X'31'"),
                    passes("bl", "blob", "X'00010203ff'", "X''", "X'30'"),
                    cached("j", "json", "'{\"a\": 1, \"s\": \"☃\"}'", "'[]'", "'\"x\"'", "'42'", "'true'"),
                    cached("e", "enum('a', 'b', '☃', '1')", "'a'", "'☃'", "'1'"),
                    cached("st", "set('x', 'y', 'z')", "'x,z'", "''", "'y'"),
                    cached("u", "uuid", "'6a2f41a3-c54c-4ce8-82d2-0324e1c32e22'",
                            "'00000000-0000-0000-0000-000000000000'", "'ffffffff-ffff-ffff-ffff-ffffffffffff'"));
        };
    }

    private static void createTable(TestDatabase db, Connection c, List<Column> columns) throws SQLException {
        exec(c, "drop table if exists " + TABLE);
        if (db == TestDatabase.POSTGRES) {
            exec(c, "drop type if exists " + PG_ENUM, "create type " + PG_ENUM + " as enum ('sad', 'ok', '☃', '1')");
        }
        String ddl = "create table " + TABLE + " (id integer primary key, "
                + columns.stream().map(k -> k.name() + " " + k.type()).collect(Collectors.joining(", ")) + ")"
                + (db == TestDatabase.MARIADB ? " default charset=utf8mb4" : "");
        exec(c, ddl);
        int rows = 1 + columns.stream().mapToInt(k -> k.values().size()).max().orElse(0);
        String names = columns.stream().map(Column::name).collect(Collectors.joining(", "));
        for (int row = 1; row <= rows; row++) {
            List<String> values = new ArrayList<>();
            for (Column k : columns) {
                // Row 1 is all NULL, so every column starts with a NULL before its first value.
                int at = row - 2;
                values.add(at >= 0 && at < k.values().size() ? k.values().get(at) : "null");
            }
            exec(c, "insert into " + TABLE + " (id, " + names + ") values (" + row + ", "
                    + String.join(", ", values) + ")");
        }
    }

    // ---- the test

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void everyGetterOfEveryTypeMatchesTheRealDriver(TestDatabase db) throws Exception {
        run(db, "", List.of(Via.STATEMENT, Via.PREPARED));
    }

    /**
     * An application runs its prepared statements many times, and a driver may change how it reads results once a
     * statement has run often (pgjdbc with binaryTransfer on switches to binary results at prepareThreshold, 5;
     * sqlcache runs it with binaryTransfer=false, see {@link #direct}). An entry captured on a statement's first
     * execution is compared with what the driver answers on its sixth, and an entry captured on a sixth execution
     * with what it answers on a first.
     */
    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void aHitMatchesTheDriverHoweverOftenTheStatementRan(TestDatabase db) throws Exception {
        run(db, "warm-", List.of(Via.PREPARED_WARM_READER, Via.PREPARED_WARM_CAPTURE));
    }

    private void run(TestDatabase db, String name, List<Via> vias) throws Exception {
        List<Column> columns = columns(db);
        List<Difference> differences = new ArrayList<>();
        List<String> contract = new ArrayList<>();
        Map<String, String> table = new LinkedHashMap<>();
        int compared = 0;
        try (Connection direct = direct(db); Connection cached = db.cached(settings())) {
            Connection behindCache = cached.unwrap(SqlCacheConnection.class).realConnection();
            createTable(db, direct, columns);
            for (Column column : columns) {
                for (Via via : vias) {
                    String sql = via.sql(column.name());
                    Snapshot cold = read(direct, via, sql, 1);
                    Snapshot warm = via == Via.PREPARED_WARM_READER || via == Via.PREPARED_WARM_CAPTURE
                            ? read(direct, via, sql, WARM) : cold;
                    if (via == Via.PREPARED_WARM_CAPTURE) {
                        // The real statement behind the cache has run WARM - 1 times: the miss is its WARMth run.
                        read(behindCache, via, sql, WARM - 1);
                    }
                    CacheStatistics start = stats(cached);
                    Snapshot miss = read(cached, via, sql, 1);
                    CacheStatistics afterMiss = stats(cached);
                    Snapshot hit = read(cached, via, sql, 1);
                    CacheStatistics third = stats(cached).since(afterMiss);
                    CacheStatistics second = afterMiss.since(start);

                    Served served = third.hits() == 1 ? Served.CACHED : Served.PASSED_THROUGH;
                    String why = served == Served.CACHED ? "" : " " + third.rejected();
                    // The miss's store lands off the application's thread: counted now or a little later.
                    if (served == Served.CACHED && second.misses() != 1) {
                        contract.add(db + " " + column.name() + " via " + via + ": a hit without a miss before it: "
                                + second);
                    }
                    if (served == Served.PASSED_THROUGH && (third.rejected(BypassReason.UNSUPPORTED_TYPE) != 1
                            || third.misses() != 1 || third.totalBypasses() != 0)) {
                        contract.add(db + " " + column.name() + " via " + via
                                + ": neither a hit nor a miss rejected as UNSUPPORTED_TYPE on the third read: " + third);
                    }
                    if (served != column.expected()) {
                        contract.add(db + " " + column.name() + " (" + column.type() + ") via " + via + ": expected "
                                + column.expected() + " but was " + served + why);
                    }
                    String typeName = cold.typeName(2);
                    table.merge(column.name() + " | " + column.type() + " | " + typeName + " | "
                            + cold.className(2), served.toString().toLowerCase().replace('_', ' ') + why,
                            (a, b) -> a.equals(b) ? a : a + " / " + b);
                    String where = column.name() + " (" + column.type() + " → " + typeName + ")";
                    // What the driver answers where the cached connection's real statement ran as often as here.
                    Snapshot driverAtMiss = via == Via.PREPARED_WARM_CAPTURE ? warm : cold;
                    compared += compare(db, where, via + " miss", driverAtMiss, miss, differences);
                    if (served == Served.CACHED) {
                        // A hit is served to every reader: the warm one when the entry was captured cold, and the
                        // other way round.
                        Snapshot reader = via == Via.PREPARED_WARM_READER ? warm : cold;
                        compared += compare(db, where, via + " hit", reader, hit, differences);
                    } else {
                        compared += compare(db, where, via + " pass-through", driverAtMiss, hit, differences);
                    }
                }
            }
        }
        String report = report(db, vias, compared, table, differences, contract);
        System.out.println(report);
        Path out = Path.of("target", "type-fidelity-" + name + db.name().toLowerCase() + ".txt");
        Files.createDirectories(out.getParent());
        Files.writeString(out, report);
        if (!differences.isEmpty() || !contract.isEmpty()) {
            fail(db + ": " + contract.size() + " cacheability contract violations, " + differences.size()
                    + " differences from the real driver (" + summary(differences) + "); full list in " + out
                    .toAbsolutePath() + "\n" + String.join("\n", contract));
        }
    }

    /**
     * The real driver, configured as sqlcache runs it: the answers a cached result must reproduce are the ones the
     * driver gives behind sqlcache. For PostgreSQL that is text results, {@code binaryTransfer=false}
     * (RealDriverSettings sets it and refuses binaryTransfer=true): with binary results pgjdbc answers several
     * getters differently from a statement's prepareThreshold-th execution on, which no cached entry could follow.
     */
    private static Connection direct(TestDatabase db) throws SQLException {
        Connection reachable = db.direct();
        if (db != TestDatabase.POSTGRES) {
            return reachable;
        }
        reachable.close();
        java.util.Properties text = db.credentials();
        text.setProperty("binaryTransfer", "false");
        return java.sql.DriverManager.getConnection(db.url(), text);
    }

    /** Executions of one prepared statement up to the one compared, for the warm vias. */
    private static final int WARM = 6;

    /**
     * How a query is run: a plain statement; a prepared statement on its first execution; a prepared statement whose
     * entry is captured on a first execution and read where the driver would be on its sixth; the other way round.
     * Each has text of its own, so its entry is its own.
     */
    enum Via {
        STATEMENT, PREPARED, PREPARED_WARM_READER, PREPARED_WARM_CAPTURE;

        String sql(String column) {
            String select = "select id, " + column + " from " + TABLE;
            return switch (this) {
                case STATEMENT -> select + " order by id";
                case PREPARED -> select + " where id > ? order by id";
                case PREPARED_WARM_READER -> select + " where id >= ? order by id";
                case PREPARED_WARM_CAPTURE -> select + " where ? < id order by id";
            };
        }

        int parameter() {
            return this == PREPARED_WARM_READER ? 1 : 0;
        }
    }

    private static Snapshot read(Connection c, Via via, String sql, int executions) throws SQLException {
        if (via == Via.STATEMENT) {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
                return Snapshot.of(rs);
            }
        }
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setInt(1, via.parameter());
            for (int i = 1; i < executions; i++) {
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rs.getString(COLUMN);
                    }
                }
            }
            try (ResultSet rs = ps.executeQuery()) {
                return Snapshot.of(rs);
            }
        }
    }

    // ---- what one read saw

    /** Every metadata answer and every getter's outcome on every row of the value column (column 2). */
    record Snapshot(Map<String, Outcome> metadata, List<Map<String, Outcome>> rows) {

        static Snapshot of(ResultSet rs) throws SQLException {
            ResultSetMetaData md = rs.getMetaData();
            Map<String, Outcome> metadata = new LinkedHashMap<>();
            metadata.put("getColumnCount", Outcome.of(null, () -> md.getColumnCount()));
            for (int i = 1; i <= md.getColumnCount(); i++) {
                int col = i;
                for (Map.Entry<String, MetaGetter> m : META.entrySet()) {
                    metadata.put("column " + i + " " + m.getKey(), Outcome.of(null, () -> m.getValue().get(md, col)));
                }
            }
            List<Map<String, Outcome>> rows = new ArrayList<>();
            String label = md.getColumnLabel(2);
            while (rs.next()) {
                Map<String, Outcome> row = new LinkedHashMap<>();
                for (Map.Entry<String, Getter> g : getters(label).entrySet()) {
                    row.put(g.getKey(), Outcome.of(rs, () -> g.getValue().get(rs)));
                }
                rows.add(row);
            }
            return new Snapshot(metadata, rows);
        }

        String typeName(int column) {
            Outcome o = metadata.get("column " + column + " getColumnTypeName");
            return o == null ? "?" : String.valueOf(o.value());
        }

        String className(int column) {
            Outcome o = metadata.get("column " + column + " getColumnClassName");
            return o == null ? "?" : String.valueOf(o.value());
        }
    }

    interface Getter {
        Object get(ResultSet rs) throws Exception;
    }

    interface MetaGetter {
        Object get(ResultSetMetaData md, int column) throws SQLException;
    }

    interface Call {
        Object call() throws Exception;
    }

    private static final int COLUMN = 2;

    private static Map<String, Getter> getters(String label) {
        Map<String, Getter> g = new LinkedHashMap<>();
        g.put("getObject", rs -> rs.getObject(COLUMN));
        g.put("getObject(label)", rs -> rs.getObject(label));
        g.put("getString", rs -> rs.getString(COLUMN));
        g.put("getString(label)", rs -> rs.getString(label));
        g.put("getNString", rs -> rs.getNString(COLUMN));
        g.put("getBoolean", rs -> rs.getBoolean(COLUMN));
        g.put("getByte", rs -> rs.getByte(COLUMN));
        g.put("getShort", rs -> rs.getShort(COLUMN));
        g.put("getInt", rs -> rs.getInt(COLUMN));
        g.put("getLong", rs -> rs.getLong(COLUMN));
        g.put("getFloat", rs -> rs.getFloat(COLUMN));
        g.put("getDouble", rs -> rs.getDouble(COLUMN));
        g.put("getBigDecimal", rs -> rs.getBigDecimal(COLUMN));
        g.put("getBigDecimal(scale 2)", rs -> deprecatedGetBigDecimal(rs));
        g.put("getBytes", rs -> rs.getBytes(COLUMN));
        g.put("getDate", rs -> rs.getDate(COLUMN));
        g.put("getTime", rs -> rs.getTime(COLUMN));
        g.put("getTimestamp", rs -> rs.getTimestamp(COLUMN));
        g.put("getDate(cal)", rs -> rs.getDate(COLUMN, (Calendar) CALENDAR.clone()));
        g.put("getTime(cal)", rs -> rs.getTime(COLUMN, (Calendar) CALENDAR.clone()));
        g.put("getTimestamp(cal)", rs -> rs.getTimestamp(COLUMN, (Calendar) CALENDAR.clone()));
        g.put("getCharacterStream", rs -> rs.getCharacterStream(COLUMN));
        g.put("getNCharacterStream", rs -> rs.getNCharacterStream(COLUMN));
        g.put("getAsciiStream", rs -> rs.getAsciiStream(COLUMN));
        g.put("getBinaryStream", rs -> rs.getBinaryStream(COLUMN));
        g.put("getClob", rs -> rs.getClob(COLUMN));
        g.put("getNClob", rs -> rs.getNClob(COLUMN));
        g.put("getBlob", rs -> rs.getBlob(COLUMN));
        g.put("getArray", rs -> rs.getArray(COLUMN));
        g.put("getSQLXML", rs -> rs.getSQLXML(COLUMN));
        g.put("getURL", rs -> rs.getURL(COLUMN));
        g.put("getRowId", rs -> rs.getRowId(COLUMN));
        for (Class<?> target : TARGETS) {
            g.put("getObject(" + target.getSimpleName() + ")", rs -> rs.getObject(COLUMN, target));
        }
        return g;
    }

    @SuppressWarnings("deprecation")
    private static Object deprecatedGetBigDecimal(ResultSet rs) throws SQLException {
        return rs.getBigDecimal(COLUMN, 2);
    }

    private static final Map<String, MetaGetter> META = new LinkedHashMap<>();

    static {
        META.put("getCatalogName", ResultSetMetaData::getCatalogName);
        META.put("getSchemaName", ResultSetMetaData::getSchemaName);
        META.put("getTableName", ResultSetMetaData::getTableName);
        META.put("getColumnName", ResultSetMetaData::getColumnName);
        META.put("getColumnLabel", ResultSetMetaData::getColumnLabel);
        META.put("getColumnType", ResultSetMetaData::getColumnType);
        META.put("getColumnTypeName", ResultSetMetaData::getColumnTypeName);
        META.put("getColumnClassName", ResultSetMetaData::getColumnClassName);
        META.put("getPrecision", ResultSetMetaData::getPrecision);
        META.put("getScale", ResultSetMetaData::getScale);
        META.put("getColumnDisplaySize", ResultSetMetaData::getColumnDisplaySize);
        META.put("isNullable", ResultSetMetaData::isNullable);
        META.put("isAutoIncrement", ResultSetMetaData::isAutoIncrement);
        META.put("isCaseSensitive", ResultSetMetaData::isCaseSensitive);
        META.put("isSearchable", ResultSetMetaData::isSearchable);
        META.put("isCurrency", ResultSetMetaData::isCurrency);
        META.put("isSigned", ResultSetMetaData::isSigned);
        META.put("isReadOnly", ResultSetMetaData::isReadOnly);
        META.put("isWritable", ResultSetMetaData::isWritable);
        META.put("isDefinitelyWritable", ResultSetMetaData::isDefinitelyWritable);
    }

    /**
     * One getter's answer: the value (streams, LOBs and arrays read into {@link Content} while the row is current),
     * wasNull right after it, or the exception.
     */
    record Outcome(Object value, Boolean wasNull, Throwable error) {

        static Outcome of(ResultSet rs, Call call) {
            Object v;
            try {
                v = normalize(call.call());
            } catch (Exception e) {
                return new Outcome(null, null, e);
            }
            Boolean wasNull = null;
            if (rs != null) {
                try {
                    wasNull = rs.wasNull();
                } catch (SQLException e) {
                    return new Outcome(v, null, e);
                }
            }
            return new Outcome(v, wasNull, null);
        }

        String sqlState() {
            return error instanceof SQLException e ? e.getSQLState() : null;
        }

        /** A refusal by the cache: a conversion it would not guess (22018) or a getter it does not support. */
        boolean refusal() {
            return error instanceof SQLFeatureNotSupportedException || "22018".equals(sqlState())
                    || "0A000".equals(sqlState());
        }

        @Override
        public String toString() {
            if (error != null) {
                return error.getClass().getSimpleName() + "[" + sqlState() + ": " + firstLine(error.getMessage())
                        + "]";
            }
            return show(value) + (wasNull == null ? "" : " wasNull=" + wasNull);
        }
    }

    /** The content of a stream, LOB, SQLXML or array, with the JDBC interfaces of the object that held it. */
    record Content(String kind, String content) {
        @Override
        public String toString() {
            return kind + "{" + content + "}";
        }
    }

    private static Object normalize(Object v) throws Exception {
        if (v == null) {
            return null;
        }
        if (v instanceof Clob c) {
            return new Content(interfaces(v), c.getSubString(1, (int) c.length()));
        }
        if (v instanceof Blob b) {
            return new Content(interfaces(v), HexFormat.of().formatHex(b.getBytes(1, (int) b.length())));
        }
        if (v instanceof SQLXML x) {
            return new Content(interfaces(v), x.getString());
        }
        if (v instanceof java.sql.Array a) {
            return new Content(interfaces(v) + " " + a.getBaseTypeName() + "/" + a.getBaseType(),
                    show(normalize(a.getArray())));
        }
        if (v instanceof Reader r) {
            StringWriter w = new StringWriter();
            r.transferTo(w);
            return new Content("Reader", w.toString());
        }
        if (v instanceof InputStream in) {
            return new Content("InputStream", HexFormat.of().formatHex(in.readAllBytes()));
        }
        if (v.getClass().isArray() && !(v instanceof byte[])) {
            int n = java.lang.reflect.Array.getLength(v);
            List<String> elements = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                elements.add(show(normalize(java.lang.reflect.Array.get(v, i))));
            }
            return new Content(v.getClass().getComponentType().getName() + "[]", String.join(", ", elements));
        }
        return v;
    }

    private static String interfaces(Object v) {
        List<String> names = new ArrayList<>();
        for (Class<?> i : new Class<?>[] {NClob.class, Clob.class, Blob.class, SQLXML.class, java.sql.Array.class}) {
            if (i.isInstance(v)) {
                names.add(i.getSimpleName());
            }
        }
        return String.join("+", names);
    }

    // ---- comparing

    enum Category {
        /** The cache refused (22018, 0A000) where the driver answered. */
        REFUSAL,
        /** The cache refused (22018, 0A000) where the driver failed too, with another exception or SQLState. */
        REFUSAL_OTHER_STATE,
        /** Anything else: a wrong value, class or wasNull, a metadata difference, an answer where the driver throws. */
        WRONG
    }

    record Difference(String database, String column, String read, String row, String getter, Outcome real,
                      Outcome cached, Category category) {
        @Override
        public String toString() {
            return read + " " + row + ": driver " + real + " | sqlcache " + cached;
        }
    }

    /** Compares every answer of two reads, adds the differences to out and returns how many answers it compared. */
    private static int compare(TestDatabase db, String column, String read, Snapshot real, Snapshot cached,
                               List<Difference> out) {
        int compared = real.metadata().size();
        for (Map.Entry<String, Outcome> m : real.metadata().entrySet()) {
            Outcome c = cached.metadata().get(m.getKey());
            check(db, column, read, "metadata", m.getKey(), m.getValue(), c, out);
        }
        if (real.rows().size() != cached.rows().size()) {
            out.add(new Difference(db.name(), column, read, "rows", "row count",
                    new Outcome(real.rows().size(), null, null), new Outcome(cached.rows().size(), null, null),
                    Category.WRONG));
        }
        for (int r = 0; r < Math.min(real.rows().size(), cached.rows().size()); r++) {
            for (Map.Entry<String, Outcome> g : real.rows().get(r).entrySet()) {
                check(db, column, read, "row " + (r + 1), g.getKey(), g.getValue(), cached.rows().get(r).get(g.getKey()),
                        out);
                compared++;
            }
        }
        return compared;
    }

    private static void check(TestDatabase db, String column, String read, String row, String getter, Outcome real,
                              Outcome cached, List<Difference> out) {
        if (db == TestDatabase.DERBY && real.error() instanceof SQLException e && "XCL18".equals(e.getSQLState())) {
            // Derby lets a cell be read as a stream or LOB once; this test reads every cell with every getter, so
            // the driver's own second read fails where an application's first would not: nothing to compare.
            return;
        }
        Category category = classify(real, cached);
        if (category != null) {
            out.add(new Difference(db.name(), column, read, row, getter, real, cached, category));
        }
    }

    /** Null when the cached outcome is the driver's; otherwise what kind of difference it is. */
    static Category classify(Outcome real, Outcome cached) {
        if (cached == null) {
            return Category.WRONG;
        }
        if (cached.error() != null && !(cached.error() instanceof SQLException)) {
            // An unchecked exception from the cache is never right, even where the driver leaks one too.
            return real.error() != null && real.error().getClass() == cached.error().getClass() ? null
                    : Category.WRONG;
        }
        if (real.error() != null) {
            if (cached.error() == null) {
                return Category.WRONG;
            }
            // The driver's exception class and SQLState (none where it has none); messages may name connections.
            if (real.error().getClass() == cached.error().getClass()
                    && java.util.Objects.equals(real.sqlState(), cached.sqlState())) {
                return null;
            }
            return cached.refusal() ? Category.REFUSAL_OTHER_STATE : Category.WRONG;
        }
        if (cached.error() != null) {
            return cached.refusal() ? Category.REFUSAL : Category.WRONG;
        }
        if (!same(real.value(), cached.value())) {
            return Category.WRONG;
        }
        return java.util.Objects.equals(real.wasNull(), cached.wasNull()) ? null : Category.WRONG;
    }

    static boolean same(Object a, Object b) {
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
            // Same instant and the same text: java.sql.Date/Time equality alone is by millis only.
            return x.getTime() == ((java.util.Date) b).getTime() && a.toString().equals(b.toString()) && a.equals(b);
        }
        if (overridesEquals(a.getClass())) {
            return a.equals(b);
        }
        return a.toString().equals(b.toString());
    }

    private static boolean overridesEquals(Class<?> type) {
        try {
            return type.getMethod("equals", Object.class).getDeclaringClass() != Object.class;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    static String show(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof byte[] b) {
            return "byte[" + HexFormat.of().formatHex(b) + "]";
        }
        if (v instanceof java.util.Date d) {
            return v.getClass().getSimpleName() + "[" + v + " / " + d.getTime() + "]";
        }
        if (v instanceof Content) {
            return v.toString();
        }
        return v.getClass().getSimpleName() + "[" + v + "]";
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int nl = message.indexOf('\n');
        String line = nl < 0 ? message : message.substring(0, nl);
        return line.length() > 160 ? line.substring(0, 160) + "…" : line;
    }

    // ---- reporting

    private static String summary(List<Difference> differences) {
        Map<Category, Long> counts = differences.stream()
                .collect(Collectors.groupingBy(Difference::category, () -> new java.util.EnumMap<>(Category.class),
                        Collectors.counting()));
        return counts.entrySet().stream().map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining(", "));
    }

    private static String report(TestDatabase db, List<Via> vias, int compared, Map<String, String> table,
                                 List<Difference> differences, List<String> contract) {
        StringBuilder b = new StringBuilder();
        b.append("==== ").append(db).append(" ").append(vias).append(": ").append(compared)
                .append(" answers compared, ").append(differences.size()).append(" differences (")
                .append(summary(differences)).append(")\n");
        for (Category category : Category.values()) {
            Map<String, Map<String, List<Difference>>> grouped = new TreeMap<>();
            for (Difference d : differences) {
                if (d.category() == category) {
                    grouped.computeIfAbsent(d.column(), k -> new TreeMap<>())
                            .computeIfAbsent(d.getter(), k -> new ArrayList<>()).add(d);
                }
            }
            if (grouped.isEmpty()) {
                continue;
            }
            b.append("---- ").append(db).append(" ").append(category).append('\n');
            grouped.forEach((column, byGetter) -> {
                b.append("  ").append(column).append('\n');
                byGetter.forEach((getter, list) -> {
                    b.append("    ").append(getter).append(" (").append(list.size()).append(")\n");
                    list.forEach(d -> b.append("      ").append(d).append('\n'));
                });
            });
        }
        b.append("==== ").append(db).append(": cacheability contract ")
                .append(contract.isEmpty() ? "kept" : "broken " + contract.size() + " times").append('\n');
        contract.forEach(c -> b.append("  ").append(c).append('\n'));
        b.append("==== ").append(db).append(": what each type's result is\n");
        b.append("| column | declared type | getColumnTypeName | getColumnClassName | served |\n");
        b.append("|---|---|---|---|---|\n");
        table.forEach((k, v) -> b.append("| ").append(k).append(" | ").append(v).append(" |\n"));
        return b.toString();
    }
}
