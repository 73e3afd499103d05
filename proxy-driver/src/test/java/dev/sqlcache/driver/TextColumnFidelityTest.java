package dev.sqlcache.driver;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A capture no longer asks pgjdbc for getString of a character column, trusting that its getObject of such a
 * column is the same text. This reads, through the real driver and then through sqlcache (a miss, then a hit), the
 * PostgreSQL columns that pgjdbc reports as CHAR or VARCHAR with a String class although their type is not plain
 * text — a domain over text, {@code name}, {@code "char"}, a padded {@code bpchar}, a truncating varchar cast, an
 * enum, an untyped literal, a function's text, a bind under {@code stringtype=unspecified} — with pgjdbc's
 * statements prepared on the server from the first, second or fifth execution (sqlcache refuses binary transfer).
 * Every getter that reads the text, wasNull and every metadata answer must be the driver's, and each must be
 * served from the cache (so that the test cannot pass by caching nothing).
 */
class TextColumnFidelityTest extends RedisBackedTest {

    private static final String[] EXPRESSIONS = {
        "'x y '::r3_text_dom", "'pg_class'::name", "'a'::\"char\"", "'ab'::char(5)", "'abcdef'::varchar(3)",
        "'sad'::r3_text_mood", "'abc'", "repeat('ab', 3)", "upper('pg_class'::name)", "''::text", "null::text",
        "'Zürich ☃ 𝄞'::text", "'  '::bpchar", "?"};

    @ParameterizedTest
    @ValueSource(strings = {"", "prepareThreshold=-1", "stringtype=unspecified",
        "prepareThreshold=1"})
    void textLikeColumnsAnswerAsTheDriver(String options) throws Exception {
        flushCaches();
        TestDatabase db = TestDatabase.POSTGRES;
        // binaryTransfer=false: the setting sqlcache runs pgjdbc with (RealDriverSettings).
        String url = db.url() + (db.url().contains("?") ? "&" : "?") + "binaryTransfer=false"
                + (options.isEmpty() ? "" : "&" + options);
        Properties credentials = db.credentials();
        try (Connection direct = DriverManager.getConnection(url, credentials)) {
            exec(direct, "drop table if exists r3_text", "drop domain if exists r3_text_dom",
                    "drop type if exists r3_text_mood", "create domain r3_text_dom as text",
                    "create type r3_text_mood as enum ('ok', 'sad')",
                    "create table r3_text (id integer primary key)", "insert into r3_text values (1), (2)");
        }
        assertEquals(List.of(), compare(url, credentials, EXPRESSIONS, "r3_text"));
    }

    /**
     * H2, whose getObject of a CHAR, VARCHAR or VARCHAR_IGNORECASE value is also trusted to be its getString: padded
     * and trimmed CHAR, case-insensitive text, in the compatibility modes that change how CHAR is read.
     */
    @ParameterizedTest
    @ValueSource(strings = {"REGULAR", "MySQL", "PostgreSQL", "Oracle", "MSSQLServer", "REGULAR;IGNORECASE=TRUE"})
    void h2TextColumnsAnswerAsTheDriver(String mode) throws Exception {
        flushCaches();
        String url = "jdbc:h2:mem:r3text_" + mode.replaceAll("[^A-Za-z]", "_") + ";DB_CLOSE_DELAY=-1;MODE=" + mode;
        Properties credentials = TestDatabase.H2.credentials();
        try (Connection direct = DriverManager.getConnection(url, credentials)) {
            exec(direct, "drop table if exists r3_text",
                    "create table r3_text (id integer primary key, c char(5), v varchar(10), vi "
                            + (mode.startsWith("PostgreSQL") ? "varchar(10)" : "varchar_ignorecase(10)") + ")",
                    "insert into r3_text values (1, 'ab', 'x  ', 'MiXeD'), (2, '', '', ' '), (3, null, null, null)");
        }
        String[] expressions = {"c", "v", "vi", "cast('x' as char(3))", "'lit'", "trim(c)", "c || '|'",
            "cast(v as char(4))", "?"};
        assertEquals(List.of(), compare(url, credentials, expressions, "r3_text"));
    }

    /** Each expression read alone through the real driver and through sqlcache; the differences, described. */
    static List<String> compare(String url, Properties credentials, String[] expressions, String table)
            throws Exception {
        Properties cachedProperties = new Properties();
        cachedProperties.putAll(credentials);
        cachedProperties.putAll(settings());
        List<String> wrong = new ArrayList<>();
        try (Connection direct = DriverManager.getConnection(url, credentials);
             Connection cached = DriverManager.getConnection("jdbc:sqlcache:" + url.substring("jdbc:".length()),
                     cachedProperties)) {
            for (String expression : expressions) {
                String sql = "select " + expression + " as v, id from " + table + " order by id";
                // The same statement read several times, so that pgjdbc switches to a server-side statement after
                // its threshold, as an application's would.
                try (PreparedStatement real = direct.prepareStatement(sql);
                     PreparedStatement viaCache = cached.prepareStatement(sql)) {
                    String expected = read(real);
                    long hitsBefore = stats(cached).hits();
                    String miss = read(viaCache);
                    if (!expected.equals(miss)) {
                        wrong.add(expression + " miss: " + miss + "\n   instead of " + expected);
                    }
                    String hit = null;
                    for (int i = 0; i < 50 && stats(cached).hits() == hitsBefore; i++) {
                        hit = read(viaCache);
                        Thread.sleep(i < 5 ? 0 : 20);
                    }
                    if (stats(cached).hits() == hitsBefore) {
                        wrong.add(expression + ": never served from the cache");
                    } else if (!expected.equals(hit)) {
                        wrong.add(expression + " hit: " + hit + "\n   instead of " + expected);
                    }
                    for (int i = 0; i < 6; i++) {
                        String again = read(real);
                        String viaAgain = read(viaCache);
                        if (!again.equals(viaAgain)) {
                            wrong.add(expression + " read " + i + ": " + viaAgain + "\n   instead of " + again);
                        }
                    }
                }
            }
        }
        return wrong;
    }

    interface Getter {
        Object get() throws SQLException;
    }

    /** A getter's answer and wasNull after it, or the exception's class and SQLState. */
    private static String answer(ResultSet rs, Getter getter) {
        try {
            return "[" + getter.get() + "] " + rs.wasNull();
        } catch (SQLException e) {
            return e.getClass().getName() + "/" + e.getSQLState();
        }
    }

    /** The text getters, getObject (class and value), wasNull after each, and the metadata of column 1. */
    private static String read(PreparedStatement ps) throws SQLException {
        if (ps.getParameterMetaData().getParameterCount() == 1) {
            ps.setString(1, "bind ☃ ");
        }
        StringBuilder sb = new StringBuilder();
        try (ResultSet rs = ps.executeQuery()) {
            ResultSetMetaData md = rs.getMetaData();
            sb.append(md.getColumnType(1)).append('/').append(md.getColumnTypeName(1)).append('/')
                    .append(md.getColumnClassName(1)).append('/').append(md.getPrecision(1)).append('/')
                    .append(md.getScale(1)).append('/').append(md.getColumnDisplaySize(1)).append('/')
                    .append(md.isCaseSensitive(1)).append('/').append(md.isSigned(1));
            while (rs.next()) {
                sb.append(" | object=").append(answer(rs, () -> {
                    Object o = rs.getObject(1);
                    return o == null ? null : o.getClass().getName() + ":" + o;
                }));
                sb.append(" string=").append(answer(rs, () -> rs.getString(1)));
                sb.append(" nstring=").append(answer(rs, () -> rs.getNString(1)));
                sb.append(" asString=").append(answer(rs, () -> rs.getObject(1, String.class)));
                sb.append(" byLabel=").append(answer(rs, () -> rs.getString("v")));
                sb.append(" decimal=").append(answer(rs, () -> rs.getBigDecimal(1)));
                sb.append(" long=").append(answer(rs, () -> rs.getLong(1)));
            }
        }
        return sb.toString();
    }
}
