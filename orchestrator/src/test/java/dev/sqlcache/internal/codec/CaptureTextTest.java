package dev.sqlcache.internal.codec;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A capture asks getString of a text column only where the driver's getObject is not known to be its getString:
 * a result set of another class (another driver, a wrapper) whose text differs from its object keeps its own text.
 */
class CaptureTextTest {
    private static Connection connection;

    @BeforeAll
    static void open() throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", "sa");
        connection = new org.h2.Driver().connect("jdbc:h2:mem:capturetext;DB_CLOSE_DELAY=-1", p);
        try (Statement s = connection.createStatement()) {
            s.execute("create table texts (id int primary key, name varchar(20), amount numeric(10,2))");
            s.execute("insert into texts values (1, 'a', 1.50), (2, null, 2.00), (3, 'c', null)");
        }
    }

    @AfterAll
    static void close() throws SQLException {
        connection.close();
    }

    private static CachedResult capture(boolean ownText) throws SQLException {
        try (Statement s = connection.createStatement();
             ResultSet real = s.executeQuery("select id, name, amount from texts order by id")) {
            ResultSet rs = ownText ? ownText(real) : real;
            ResultCapture c = ResultCapture.begin(rs.getMetaData(), new CaptureShape(), 100, 1 << 20);
            assertNotNull(c);
            while (rs.next()) {
                assertTrue(c.captureRow(rs));
            }
            return c.finish();
        }
    }

    @Test
    void theDriversTextIsKept() throws SQLException {
        CachedResult h2 = capture(false);
        assertEquals("a", h2.string(0, 1));
        assertEquals(null, h2.string(1, 1));
        assertEquals("1.50", h2.string(0, 2));
        CachedResult other = capture(true);
        assertEquals("text of a", other.string(0, 1), "a driver not known to answer getString as getObject");
        assertEquals(null, other.string(1, 1));
        assertEquals("text of c", other.string(2, 1));
        assertEquals("a", other.value(0, 1));
    }

    /** H2's result set behind a proxy whose getString of a text column is not its getObject. */
    private static ResultSet ownText(ResultSet real) {
        return (ResultSet) Proxy.newProxyInstance(ResultSet.class.getClassLoader(), new Class<?>[] {ResultSet.class},
                (proxy, method, args) -> {
                    Object answer;
                    try {
                        answer = method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                    if (method.getName().equals("getString") && args[0].equals(2) && answer != null) {
                        return "text of " + answer;
                    }
                    return answer;
                });
    }
}
