package dev.sqlcache.frameworks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sqlcache.driver.SqlCacheDataSource;
import dev.sqlcache.frameworks.Support.Db;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * One application, two ways into sqlcache for the same database, as happens when Flyway or a batch job gets a
 * wrapped DataSource while the pool uses the URL: a write through one must invalidate reads cached through the
 * other, exactly as with the real driver where both simply see the database.
 */
@Timeout(30)
class MixedAccessPathsTest {

    @ParameterizedTest
    @EnumSource(value = Db.class, names = {"H2", "POSTGRES"})
    void writeThroughWrappedDataSourceInvalidatesReadsThroughUrl(Db db) throws Exception {
        db.require();
        String realUrl = db.realUrl("fw_mixed");
        Support.drop(db, realUrl, List.of("fw_mixed"), List.of());
        DataSource wrapped = new SqlCacheDataSource(physical(db, realUrl), Support.settings());
        try (Connection viaUrl = DriverManager.getConnection(Support.sqlcacheUrl(realUrl), db.user(), db.password());
             Connection viaDataSource = wrapped.getConnection();
             Statement reader = viaUrl.createStatement();
             Statement writer = viaDataSource.createStatement()) {
            writer.execute("CREATE TABLE fw_mixed (id INT PRIMARY KEY)");
            writer.execute("INSERT INTO fw_mixed VALUES (1)");
            assertEquals(1, count(reader));
            assertEquals(1, count(reader)); // now cached through the URL
            writer.executeUpdate("INSERT INTO fw_mixed VALUES (2)");
            assertEquals(2, count(reader), "a write through SqlCacheDataSource did not invalidate the read cached "
                    + "through the URL; the real connections report URL " + viaUrl.getMetaData().getURL()
                    + " and " + viaDataSource.getMetaData().getURL() + ", sqlcache was given "
                    + Support.sqlcacheUrl(realUrl));
        }
    }

    private static int count(Statement s) throws Exception {
        try (ResultSet rs = s.executeQuery("SELECT count(*) FROM fw_mixed")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static DataSource physical(Db db, String url) {
        if (db == Db.POSTGRES) {
            PGSimpleDataSource ds = new PGSimpleDataSource();
            ds.setUrl(url);
            // sqlcache caches pgjdbc's text results only (docs/frameworks.md); the driver URL path sets this itself.
            ds.setBinaryTransfer(false);
            ds.setUser(db.user());
            return ds;
        }
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL(url);
        ds.setUser(db.user());
        return ds;
    }
}
