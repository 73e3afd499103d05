package dev.sqlcache.frameworks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlcache.driver.SqlCacheDataSource;
import dev.sqlcache.frameworks.Support.Db;
import dev.sqlcache.stats.CacheStatistics;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.output.MigrateResult;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Flyway migrating through sqlcache while the application reads through sqlcache: DDL and data migrations pass
 * through, and a read cached before a migration is fresh after it (new column, new, changed and deleted rows).
 */
@Timeout(60)
class FlywayTest {

    private static final String HISTORY = "fw_flyway_history";

    /** Flyway given a DataSource: a physical one wrapped in SqlCacheDataSource. */
    @ParameterizedTest
    @EnumSource(value = Db.class, names = {"H2", "POSTGRES"})
    void migrationsThroughWrappedDataSource(Db db) throws Exception {
        db.require();
        List<String> real = scenario(db, db.realUrl("fw_flyway_real"), false, false);
        List<String> cached = scenario(db, db.realUrl("fw_flyway_cached"), true, false);
        assertEquals(String.join("\n", real), String.join("\n", cached));
    }

    /** Flyway given a HikariCP pool on the sqlcache URL (what Spring Boot hands Flyway). */
    @ParameterizedTest
    @EnumSource(value = Db.class, names = {"H2", "POSTGRES"})
    void migrationsThroughPoolOnSqlcacheUrl(Db db) throws Exception {
        db.require();
        List<String> real = scenario(db, db.realUrl("fw_flyway_url_real"), false, true);
        List<String> cached = scenario(db, db.realUrl("fw_flyway_url_cached"), true, true);
        assertEquals(String.join("\n", real), String.join("\n", cached));
    }

    /**
     * Flyway picks its database plugin from the URL's prefix before it connects, and none handles jdbc:sqlcache:,
     * even with flyway.driver set. Give Flyway a DataSource instead (documented in docs/frameworks.md).
     */
    @Test
    void flywayCannotBeGivenTheSqlcacheUrlItself() {
        FlywayException e = assertThrows(FlywayException.class, () -> Flyway.configure()
                .dataSource(Support.sqlcacheUrl(Db.H2.realUrl("fw_flyway_by_url")), "sa", "")
                .driver(Support.SQLCACHE_DRIVER)
                .locations("classpath:fw/flyway")
                .table(HISTORY)
                .load()
                .migrate());
        assertTrue(e.getMessage().contains("No Flyway database plugin found to handle jdbc:sqlcache:"), e.getMessage());
    }

    private static Flyway flyway(Db db, String realUrl, boolean viaSqlcache, boolean pooled, String target,
            List<AutoCloseable> resources) throws SQLException {
        var config = Flyway.configure()
                .locations("classpath:fw/flyway")
                .table(HISTORY)
                .baselineOnMigrate(true) // the shared PostgreSQL schema holds other modules' tables
                .baselineVersion("0")
                .target(target);
        if (pooled) {
            HikariConfig hikari = new HikariConfig();
            hikari.setJdbcUrl(viaSqlcache ? Support.sqlcacheUrl(realUrl) : realUrl);
            hikari.setUsername(db.user());
            hikari.setPassword(db.password());
            hikari.setMaximumPoolSize(2);
            if (viaSqlcache) {
                hikari.setDriverClassName(Support.SQLCACHE_DRIVER);
            }
            HikariDataSource pool = new HikariDataSource(hikari);
            resources.add(pool);
            config.dataSource(pool);
        } else {
            DataSource physical = physical(db, realUrl);
            config.dataSource(viaSqlcache ? new SqlCacheDataSource(physical, Support.settings()) : physical);
        }
        return config.load();
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
        ds.setPassword(db.password());
        return ds;
    }

    private static List<String> scenario(Db db, String realUrl, boolean viaSqlcache, boolean pooled) throws Exception {
        Support.drop(db, realUrl, List.of("fw_flyway_city", HISTORY), List.of());
        List<String> seen = new ArrayList<>();
        List<AutoCloseable> resources = new ArrayList<>();
        // the application: its own connection, reading through the cache while Flyway migrates
        try (Connection app = DriverManager.getConnection(viaSqlcache ? Support.sqlcacheUrl(realUrl) : realUrl,
                db.user(), db.password())) {
            CacheStatistics before = viaSqlcache ? Support.statistics(app) : null;
            for (String target : List.of("1", "2", "latest")) {
                MigrateResult result = flyway(db, realUrl, viaSqlcache, pooled, target, resources).migrate();
                seen.add("migrated to " + result.targetSchemaVersion + ": " + result.migrationsExecuted
                        + " migration(s), success " + result.success);
                for (int round = 0; round < 3; round++) {
                    seen.addAll(read(app));
                }
            }
            Flyway check = flyway(db, realUrl, viaSqlcache, pooled, "latest", resources);
            check.validate();
            seen.add("pending " + check.info().pending().length + ", applied " + check.info().applied().length);
            if (viaSqlcache) {
                CacheStatistics delta = Support.statistics(app).since(before);
                assertTrue(delta.hits() >= 6, "the application's reads were served from the cache: " + delta);
            }
        } finally {
            for (AutoCloseable resource : resources) {
                resource.close();
            }
        }
        return seen;
    }

    private static List<String> read(Connection app) throws SQLException {
        List<String> seen = new ArrayList<>();
        try (Statement s = app.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT * FROM fw_flyway_city ORDER BY id")) {
                seen.add(Support.rows(rs).toString());
            }
            try (ResultSet rs = s.executeQuery("SELECT count(*) AS n FROM fw_flyway_city")) {
                seen.add(Support.rows(rs).toString());
            }
        }
        return seen;
    }
}
