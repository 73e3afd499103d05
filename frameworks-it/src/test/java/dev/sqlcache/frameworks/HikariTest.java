package dev.sqlcache.frameworks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.sqlcache.driver.SqlCacheDataSource;
import dev.sqlcache.frameworks.Support.Db;
import dev.sqlcache.stats.CacheStatistics;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * HikariCP, the pool almost every application uses, in the two ways sqlcache can be plugged in: the sqlcache URL
 * with its driver class, and a wrapped physical DataSource. The pool's own JDBC traffic (isValid, network timeout,
 * auto-commit and read-only resets, rollback on return) goes through the proxy too.
 */
@Timeout(60)
class HikariTest {

    private static final String TABLE = "fw_hikari_item";

    @ParameterizedTest
    @EnumSource(value = Db.class, names = {"H2", "POSTGRES"})
    void jdbcUrlAndDriverClassName(Db db) throws Exception {
        db.require();
        List<String> real = run(db, "fw_hikari_real", url -> pool(db, url, null));
        List<String> cached = run(db, "fw_hikari_cached", url -> {
            // The URL carries no setting here: they come as driver properties, like a password would.
            HikariConfig config = config(db, Support.sqlcacheUrlWithoutSettings(url));
            config.setDriverClassName(Support.SQLCACHE_DRIVER);
            Support.settings().forEach(config::addDataSourceProperty);
            return new HikariDataSource(config);
        });
        assertEquals(real, cached);
    }

    @ParameterizedTest
    @EnumSource(value = Db.class, names = {"H2", "POSTGRES"})
    void wrappedDataSource(Db db) throws Exception {
        db.require();
        List<String> real = run(db, "fw_hikari_ds_real", url -> pool(db, url, null));
        List<String> cached = run(db, "fw_hikari_ds_cached", url -> {
            HikariConfig config = new HikariConfig();
            config.setMaximumPoolSize(3);
            config.setPoolName("fw-wrapped");
            try {
                config.setDataSource(new SqlCacheDataSource(physical(db, url), Support.settings()));
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
            return new HikariDataSource(config);
        });
        assertEquals(real, cached);
    }

    private static HikariDataSource pool(Db db, String url, String driverClassName) {
        HikariConfig config = config(db, url);
        if (driverClassName != null) {
            config.setDriverClassName(driverClassName);
        }
        return new HikariDataSource(config);
    }

    private static HikariConfig config(Db db, String url) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername(db.user());
        config.setPassword(db.password());
        config.setMaximumPoolSize(3);
        config.setAutoCommit(true);
        config.setPoolName("fw-hikari");
        return config;
    }

    private static DataSource physical(Db db, String url) {
        if (db == Db.POSTGRES) {
            PGSimpleDataSource ds = new PGSimpleDataSource();
            ds.setUrl(url);
            // sqlcache caches pgjdbc's text results only (docs/frameworks.md); the driver URL path sets this itself.
            ds.setBinaryTransfer(false);
            ds.setUser(db.user());
            ds.setPassword(db.password());
            return ds;
        }
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL(url);
        ds.setUser(db.user());
        ds.setPassword(db.password());
        return ds;
    }

    /**
     * A read-heavy workload with a write in the middle. Returns what the application saw; when the pool goes through
     * sqlcache, also checks that the reads were served from the cache and that the write was seen at once.
     */
    private static List<String> run(Db db, String name, Function<String, HikariDataSource> poolFor) throws Exception {
        String url = db.realUrl(name);
        Support.drop(db, url, List.of(TABLE), List.of());
        List<String> seen = new ArrayList<>();
        try (HikariDataSource pool = poolFor.apply(url)) {
            boolean viaSqlcache = isSqlcache(pool);
            CacheStatistics before = viaSqlcache ? Support.statistics(pool) : null;
            try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE " + TABLE + " (id INT PRIMARY KEY, name VARCHAR(40), price DECIMAL(10,2))");
                try (PreparedStatement insert = c.prepareStatement("INSERT INTO " + TABLE + " VALUES (?, ?, ?)")) {
                    for (int i = 1; i <= 20; i++) {
                        insert.setInt(1, i);
                        insert.setString(2, "item " + i);
                        insert.setBigDecimal(3, new BigDecimal(i * 3 + ".50"));
                        insert.addBatch();
                    }
                    seen.add("batch " + java.util.Arrays.toString(insert.executeBatch()));
                }
            }
            for (int round = 0; round < 3; round++) {
                seen.addAll(readAll(pool, 30));
            }
            try (Connection c = pool.getConnection();
                 PreparedStatement update = c.prepareStatement("UPDATE " + TABLE + " SET price = price * 2 WHERE id <= ?")) {
                update.setInt(1, 12);
                seen.add("updated " + update.executeUpdate());
            }
            for (int round = 0; round < 2; round++) {
                seen.addAll(readAll(pool, 30));
            }
            // a transaction on a pooled connection, rolled back: the pool resets auto-commit on return
            try (Connection c = pool.getConnection()) {
                c.setAutoCommit(false);
                try (Statement s = c.createStatement()) {
                    seen.add("deleted in tx " + s.executeUpdate("DELETE FROM " + TABLE + " WHERE id > 15"));
                    seen.addAll(Support.rows(s.executeQuery("SELECT count(*) AS n FROM " + TABLE)));
                }
                c.rollback();
            }
            seen.addAll(readAll(pool, 0));
            if (viaSqlcache) {
                CacheStatistics delta = Support.statistics(pool).since(before);
                assertTrue(delta.hits() >= 4, "reads were served from the cache: " + delta);
                try (Connection c = pool.getConnection()) {
                    assertTrue(c.isValid(2));
                    assertTrue(c.isWrapperFor(dev.sqlcache.driver.SqlCacheConnection.class));
                }
            }
        }
        return seen;
    }

    private static List<String> readAll(DataSource pool, int minPrice) throws SQLException {
        List<String> lines = new ArrayList<>();
        try (Connection c = pool.getConnection();
             PreparedStatement query = c.prepareStatement(
                     "SELECT id, name, price FROM " + TABLE + " WHERE price > ? ORDER BY id")) {
            query.setInt(1, minPrice);
            try (ResultSet rs = query.executeQuery()) {
                lines.addAll(Support.rows(rs));
            }
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT count(*) AS n, sum(price) AS total FROM " + TABLE)) {
                lines.addAll(Support.rows(rs));
            }
        }
        return lines;
    }

    private static boolean isSqlcache(DataSource pool) throws SQLException {
        try (Connection c = pool.getConnection()) {
            return c.isWrapperFor(dev.sqlcache.driver.SqlCacheConnection.class);
        }
    }

    @Test
    void statisticsThroughHikariProxyConnection() throws Exception {
        String url = Db.H2.realUrl("fw_hikari_stats");
        HikariConfig config = config(Db.H2, Support.sqlcacheUrl(url));
        config.setDriverClassName(Support.SQLCACHE_DRIVER);
        try (HikariDataSource pool = new HikariDataSource(config); Connection c = pool.getConnection()) {
            assertTrue(c.getClass().getName().startsWith("com.zaxxer.hikari"), c.getClass().getName());
            assertTrue(Support.statistics(c).hits() >= 0);
        }
    }
}
