package dev.sqlcache.internal.codec;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ResultCapture#begin(ResultSetMetaData, CaptureShape, int, long)}: a statement's next miss reuses the
 * columns of its last one only when the driver reports the very same metadata; a difference in any one of the
 * twenty fields gives the capture the driver's fields, never the remembered ones.
 */
class CaptureShapeTest {
    private static final String SELECT = "select id, name, amount from shapes order by id";
    private static Connection connection;

    @BeforeAll
    static void open() throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", "sa");
        connection = new org.h2.Driver().connect("jdbc:h2:mem:captureshape;DB_CLOSE_DELAY=-1", p);
        try (Statement s = connection.createStatement()) {
            s.execute("create table shapes (id int primary key, name varchar(20) not null, amount numeric(10,2))");
            s.execute("insert into shapes values (1, 'a', 1.50), (2, 'b', null)");
        }
    }

    @AfterAll
    static void close() throws SQLException {
        connection.close();
    }

    /** Captures the query, with {@code alter} standing between the driver's metadata and the capture. */
    private static CachedResult capture(CaptureShape shape, Alter alter) throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(SELECT)) {
            ResultSetMetaData md = alter == null ? rs.getMetaData() : alter.around(rs.getMetaData());
            ResultCapture c = ResultCapture.begin(md, shape, 100, 1 << 20);
            if (ResultCapture.begin(md, 100, 1 << 20) == null) {
                // A type the codec refuses (an altered type or class name) is refused whatever was remembered.
                assertNull(c);
                return null;
            }
            assertNotNull(c);
            while (rs.next()) {
                assertTrue(c.captureRow(rs));
            }
            CachedResult result = c.finish();
            for (int i = 0; i < result.columnCount(); i++) {
                // Whatever was remembered, the capture holds what the driver reports now.
                assertEquals(CaptureShape.read(md, i + 1), result.column(i), "column " + (i + 1));
            }
            return result;
        }
    }

    @Test
    void theSameMetadataReusesTheColumns() throws SQLException {
        CaptureShape shape = new CaptureShape();
        CachedResult first = capture(shape, null);
        CachedResult second = capture(shape, null);
        for (int i = 0; i < first.columnCount(); i++) {
            assertSame(first.column(i), second.column(i), "column " + i + " is the remembered one");
        }
    }

    /**
     * For each getter of ResultSetMetaData the capture reads, a driver answering that one getter differently on the
     * second miss (as MariaDB does for a bind-derived column's label or precision) must give that miss the new
     * answer ({@link #capture} checks it): were the remembered columns trusted on fewer fields, the cached result
     * would report the old one.
     */
    @Test
    void anyFieldThatDiffersIsTheDriversAnswer() throws Exception {
        int getters = 0;
        for (Method getter : ResultSetMetaData.class.getMethods()) {
            if (getter.getParameterCount() != 1 || getter.getParameterTypes()[0] != int.class) {
                continue;
            }
            getters++;
            for (int column = 1; column <= 3; column++) {
                CaptureShape shape = new CaptureShape();
                capture(shape, null);
                capture(shape, new Alter(getter.getName(), column));
            }
        }
        assertEquals(20, getters, "every field of ColumnMetadata");
    }

    @Test
    void anotherColumnCountIsNotTheRememberedShape() throws SQLException {
        CaptureShape shape = new CaptureShape();
        capture(shape, null);
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("select id from shapes")) {
            ResultCapture c = ResultCapture.begin(rs.getMetaData(), shape, 100, 1 << 20);
            while (rs.next()) {
                assertTrue(c.captureRow(rs));
            }
            assertEquals(1, c.finish().columnCount());
        }
    }

    /** Answers one getter for one column differently from the driver, every other one as the driver does. */
    private record Alter(String getter, int column) {
        ResultSetMetaData around(ResultSetMetaData md) {
            return (ResultSetMetaData) Proxy.newProxyInstance(ResultSetMetaData.class.getClassLoader(),
                    new Class<?>[] {ResultSetMetaData.class}, (proxy, method, args) -> {
                        Object answer;
                        try {
                            answer = method.invoke(md, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                        if (method.getName().equals(getter) && args != null && args[0].equals(column)) {
                            return changed(answer);
                        }
                        return answer;
                    });
        }

        Object changed(Object answer) {
            if (answer instanceof Boolean b) {
                return !b;
            }
            if (answer instanceof Integer i) {
                return i + 1;
            }
            return answer + "_other";
        }
    }
}
