package dev.sqlcache.driver;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The typed getters ORMs use (jOOQ and Hibernate read java.time values through {@code getObject(i, Class)}) give
 * on a hit exactly what the real driver gives.
 */
class OrmGetterTest extends RedisBackedTest {

    private record Column(String sql, Class<?> type) {
    }

    private static List<Column> columns(TestDatabase db) {
        List<Column> columns = new ArrayList<>(List.of(
                new Column("i integer", Integer.class),
                new Column("b bigint", Long.class),
                new Column("s varchar(20)", String.class),
                new Column("d decimal(12,3)", BigDecimal.class),
                new Column("f boolean", Boolean.class),
                new Column("dt date", LocalDate.class),
                new Column("tm time", LocalTime.class),
                new Column("ts timestamp", LocalDateTime.class)));
        if (db != TestDatabase.MARIADB) {
            columns.add(new Column("tz timestamp with time zone", OffsetDateTime.class));
        }
        return columns;
    }

    private static String literalRow(TestDatabase db) {
        String row = "42, 9000000000, 'héllo', 12345.678, true, DATE '2024-02-29', TIME '13:14:15',"
                + " TIMESTAMP '2024-02-29 13:14:15.123456'";
        return db == TestDatabase.MARIADB ? row : row + ", TIMESTAMP WITH TIME ZONE '2024-02-29 13:14:15.5+02:00'";
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"H2", "POSTGRES", "MARIADB"})
    void typedGettersOnAHitMatchTheRealDriver(TestDatabase db) throws Exception {
        List<Column> columns = columns(db);
        try (Connection direct = db.direct(); Connection cached = db.cached(settings())) {
            exec(direct, "drop table if exists typed",
                    "create table typed (" + String.join(", ", columns.stream().map(Column::sql).toList()) + ")",
                    "insert into typed values (" + literalRow(db) + ")",
                    "insert into typed values (" + "null, ".repeat(columns.size() - 1) + "null)");
            String sql = "select * from typed order by i";
            List<String> real = read(direct, sql, columns);
            List<String> miss = read(cached, sql, columns);
            var before = stats(cached);
            List<String> hit = read(cached, sql, columns);
            assertEquals(1, stats(cached).since(before).hits(), "second read is a hit");
            assertEquals(real, miss);
            assertEquals(real, hit);
        }
    }

    /** Every typed getter's answer (or the SQLState it failed with) as text, row by row. */
    private static List<String> read(Connection c, String sql, List<Column> columns) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                for (int i = 1; i <= columns.size(); i++) {
                    Class<?> type = columns.get(i - 1).type();
                    out.add(describe(rs, i, type));
                }
            }
        }
        assertTrue(out.size() >= columns.size());
        return out;
    }

    private static String describe(ResultSet rs, int i, Class<?> type) {
        try {
            Object typed = rs.getObject(i, type);
            boolean wasNull = rs.wasNull();
            Object plain = rs.getObject(i);
            String text = rs.getString(i);
            return i + ":" + Objects.toString(typed) + (typed == null ? "" : "/" + typed.getClass().getSimpleName())
                    + " null=" + wasNull + " plain=" + plain + " text=" + text;
        } catch (SQLException e) {
            return i + ":error " + e.getSQLState();
        }
    }
}
