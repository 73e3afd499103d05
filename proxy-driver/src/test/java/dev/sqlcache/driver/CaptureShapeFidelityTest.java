package dev.sqlcache.driver;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * One prepared statement whose result metadata follows its bind values: MariaDB sends binds as literals, so the
 * label's column length follows the string's length; PostgreSQL and H2 type the column by the bind's class (and H2
 * its precision by the value). A miss
 * remembers its statement's columns for the next miss; each hit must still report exactly the metadata the real
 * driver gives for its own binds, never those of an earlier execution of the same statement.
 */
class CaptureShapeFidelityTest extends RedisBackedTest {

    private static final String SQL = "select ? as x, id from capture_shape where id = 1";

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"POSTGRES", "MARIADB", "H2"})
    void eachHitReportsTheMetadataOfItsOwnBinds(TestDatabase db) throws Exception {
        flushCaches();
        try (Connection direct = db.direct(); Connection cached = db.cached(settings())) {
            exec(direct, "drop table if exists capture_shape", "create table capture_shape (id integer primary key)",
                    "insert into capture_shape values (1)");
            List<Object> binds = new ArrayList<>(List.of("ab", "abcdefghijkl", "x"));
            if (db != TestDatabase.MARIADB) {
                binds.add(7);
                binds.add(new java.math.BigDecimal("1.50"));
                binds.add("zz");
            }
            List<String> wrong = new ArrayList<>();
            try (PreparedStatement real = direct.prepareStatement(SQL);
                 PreparedStatement viaCache = cached.prepareStatement(SQL)) {
                for (Object bind : binds) {
                    String expected = metadata(real, bind);
                    long hitsBefore = stats(cached).hits();
                    metadata(viaCache, bind); // the miss
                    String hit = metadata(viaCache, bind);
                    assertEquals(hitsBefore + 1, stats(cached).hits(), "the second read of " + bind + " is a hit");
                    if (!expected.equals(hit)) {
                        wrong.add(bind + ": " + hit + " instead of " + expected);
                    }
                }
            }
            assertEquals(List.of(), wrong);
        }
    }

    /** Every ResultSetMetaData answer for both columns, as text. */
    private static String metadata(PreparedStatement ps, Object bind) throws Exception {
        ps.setObject(1, bind);
        StringBuilder sb = new StringBuilder();
        try (ResultSet rs = ps.executeQuery()) {
            ResultSetMetaData md = rs.getMetaData();
            for (int c = 1; c <= md.getColumnCount(); c++) {
                for (Method getter : ResultSetMetaData.class.getMethods()) {
                    if (getter.getParameterCount() == 1 && getter.getParameterTypes()[0] == int.class) {
                        sb.append(getter.getName()).append('(').append(c).append(")=")
                                .append(getter.invoke(md, c)).append(' ');
                    }
                }
            }
            while (rs.next()) {
                sb.append("| ").append(rs.getString(1));
            }
        } catch (SQLException e) {
            sb.append(e.getSQLState());
        }
        return sb.toString();
    }
}
