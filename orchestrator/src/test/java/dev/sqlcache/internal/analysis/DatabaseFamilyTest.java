package dev.sqlcache.internal.analysis;

import org.jooq.SQLDialect;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

class DatabaseFamilyTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "jdbc:h2:mem:test;DB_CLOSE_DELAY=-1, H2",
            "JDBC:H2:file:/tmp/x, H2",
            "jdbc:postgresql://localhost:5432/app, POSTGRES",
            "jdbc:mysql://localhost:3306/app, MYSQL",
            "jdbc:mysql:replication://a;b/app, MYSQL",
            "jdbc:mysql+srv://cluster/app, MYSQL",
            "jdbc:mariadb://localhost:3306/app, MARIADB",
            "jdbc:oracle:thin:@localhost:1521:xe, OTHER",
            "jdbc:sqlserver://localhost, OTHER",
            "jdbc:h2, OTHER",
            "'', OTHER",
    })
    void fromJdbcUrl(String url, DatabaseFamily expected) {
        assertEquals(expected, DatabaseFamily.fromJdbcUrl(url));
    }

    @Test
    void nullUrlIsOther() {
        assertEquals(DatabaseFamily.OTHER, DatabaseFamily.fromJdbcUrl(null));
    }

    @Test
    void dialects() {
        assertEquals(SQLDialect.H2, DatabaseFamily.H2.dialect());
        assertEquals(SQLDialect.POSTGRES, DatabaseFamily.POSTGRES.dialect());
        assertEquals(SQLDialect.MYSQL, DatabaseFamily.MYSQL.dialect());
        assertEquals(SQLDialect.MARIADB, DatabaseFamily.MARIADB.dialect());
        assertEquals(SQLDialect.DEFAULT, DatabaseFamily.OTHER.dialect());
    }
}
