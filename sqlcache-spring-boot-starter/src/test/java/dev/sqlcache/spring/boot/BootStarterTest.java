package dev.sqlcache.spring.boot;

import com.zaxxer.hikari.HikariDataSource;
import dev.sqlcache.driver.SqlCacheConnection;
import dev.sqlcache.spring.boot.app.ShopApplication;
import dev.sqlcache.stats.CacheStatistics;
import dev.sqlcache.testing.RedisServerFixture;
import dev.sqlcache.testing.TestServices;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

import javax.sql.DataSource;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Boot 3.5 application with this starter on its class path: its DataSource, configured as usual, caches through
 * sqlcache; the meters, the health contributor and the endpoint appear with no code.
 */
class BootStarterTest {

    private static RedisServerFixture redis;

    @BeforeAll
    static void startRedis() {
        redis = RedisServerFixture.start();
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    private static ConfigurableApplicationContext start(String... properties) {
        List<String> all = new ArrayList<>(List.of("sqlcache.redis.host=" + redis.host(),
                "sqlcache.redis.port=" + redis.port()));
        all.addAll(List.of(properties));
        // As command-line arguments: above application.properties, as a deployment's own settings would be.
        return new SpringApplicationBuilder(ShopApplication.class)
                .web(WebApplicationType.NONE)
                .run(all.stream().map(p -> "--" + p).toArray(String[]::new));
    }

    @Test
    void thePlainUrlOfApplicationPropertiesCachesThroughTheHikariPool() throws Exception {
        try (ConfigurableApplicationContext context = start("spring.datasource.url=jdbc:h2:mem:plain;DB_CLOSE_DELAY=-1")) {
            DataSource dataSource = context.getBean(DataSource.class);
            HikariDataSource hikari = assertInstanceOf(HikariDataSource.class, dataSource, "the pool stays the bean");
            assertEquals("jdbc:sqlcache:h2:mem:plain;DB_CLOSE_DELAY=-1", hikari.getJdbcUrl());
            assertEquals("120", hikari.getDataSourceProperties().getProperty("sqlcache.ttl"), "application.properties");

            JdbcTemplate jdbc = new JdbcTemplate(dataSource);
            CacheStatistics before = statistics(dataSource);
            workload(jdbc);
            CacheStatistics done = statistics(dataSource).since(before);
            assertEquals(3, done.hits(), done.toString());
            assertEquals(2, done.misses(), done.toString());

            MeterRegistry registry = context.getBean(MeterRegistry.class);
            assertTrue(registry.get("sqlcache.hits").functionCounter().count() >= 3, "meters bound to the registry");

            Health health = context.getBean("sqlcacheHealthIndicator", HealthIndicator.class).health();
            assertEquals(Status.UP, health.getStatus());
            assertEquals("available", health.getDetails().get("cache"), health.toString());
            assertEquals(true, health.getDetails().get("member"), health.toString());
            assertEquals("allowed", health.getDetails().get("caching"), health.toString());
            assertEquals(0, health.getDetails().get("owedInvalidations"), health.toString());
            assertTrue(health.getDetails().get("store").toString().contains(Integer.toString(redis.port())));

            Map<String, Object> endpoint = context.getBean(SqlCacheEndpoint.class).statistics();
            assertTrue(((Long) endpoint.get("hits")) >= 3, endpoint.toString());
            assertNotNull(endpoint.get("bypasses"));
            @SuppressWarnings("unchecked")
            Map<String, dev.sqlcache.stats.TableStatistics> tables =
                    (Map<String, dev.sqlcache.stats.TableStatistics>) endpoint.get("tables");
            assertEquals(3, tables.get("product").hits(), tables.toString());
            assertEquals(1.0, registry.get("sqlcache.cache.healthy").gauge().value());
            // Near hits are timed one in 16 (docs/metrics.md), a shape's first near hit always: the timer counts
            // reads timed, at least one of the hits and never more than the hit counter says.
            double hitsTimed = registry.get("sqlcache.query").tag("outcome", "hit").functionTimer().count();
            assertTrue(hitsTimed >= 1 && hitsTimed <= registry.get("sqlcache.hits").functionCounter().count(),
                    "hits timed: " + hitsTimed);
        }
    }

    @Test
    void aSqlCacheUrlNeedsNoDriverClassName() throws Exception {
        try (ConfigurableApplicationContext context = start(
                "spring.datasource.url=jdbc:sqlcache:h2:mem:prefixed;DB_CLOSE_DELAY=-1")) {
            DataSource dataSource = context.getBean(DataSource.class);
            assertEquals("dev.sqlcache.driver.SqlCacheDriver",
                    ((HikariDataSource) dataSource).getDriverClassName());
            JdbcTemplate jdbc = new JdbcTemplate(dataSource);
            CacheStatistics before = statistics(dataSource);
            workload(jdbc);
            assertEquals(3, statistics(dataSource).since(before).hits());
        }
    }

    @Test
    void enabledFalseReadsFromTheDatabaseAndStillInvalidates() throws Exception {
        try (ConfigurableApplicationContext context = start("spring.datasource.url=jdbc:h2:mem:off;DB_CLOSE_DELAY=-1",
                "sqlcache.enabled=false")) {
            DataSource dataSource = context.getBean(DataSource.class);
            JdbcTemplate jdbc = new JdbcTemplate(dataSource);
            CacheStatistics before = statistics(dataSource);
            workload(jdbc);
            CacheStatistics done = statistics(dataSource).since(before);
            assertEquals(0, done.hits(), done.toString());
            assertTrue(done.bypasses(dev.sqlcache.stats.BypassReason.DISABLED) >= 5, done.toString());
            assertTrue(done.invalidations() > 0, "writes still invalidate: " + done);
        }
    }

    @Test
    void postgresThroughTheStarter() throws Exception {
        String database = TestServices.databaseName();
        String address = TestServices.postgres().address(); // a container where a Docker engine answers
        try (ConfigurableApplicationContext context = start(
                "spring.datasource.url=jdbc:postgresql://" + address + "/" + database,
                "spring.datasource.username=postgres")) {
            DataSource dataSource = context.getBean(DataSource.class);
            assertEquals("jdbc:sqlcache:postgresql://" + address + "/" + database,
                    ((HikariDataSource) dataSource).getJdbcUrl());
            JdbcTemplate jdbc = new JdbcTemplate(dataSource);
            CacheStatistics before = statistics(dataSource);
            workload(jdbc);
            CacheStatistics done = statistics(dataSource).since(before);
            assertEquals(3, done.hits(), done.toString());
        }
    }

    @Test
    void aDataSourceOtherThanHikariIsWrapped() throws Exception {
        try (ConfigurableApplicationContext context = start("spring.datasource.url=jdbc:h2:mem:simple;DB_CLOSE_DELAY=-1",
                "spring.datasource.type=org.springframework.jdbc.datasource.SimpleDriverDataSource")) {
            DataSource dataSource = context.getBean(DataSource.class);
            assertInstanceOf(SqlCacheBackedDataSource.class, dataSource);
            JdbcTemplate jdbc = new JdbcTemplate(dataSource);
            CacheStatistics before = statistics(dataSource);
            workload(jdbc);
            assertEquals(3, statistics(dataSource).since(before).hits());
        }
    }

    /** Create, fill, read three times (1 miss, 2 hits), write, read twice (1 miss, 1 hit). */
    private static void workload(JdbcTemplate jdbc) {
        jdbc.execute("drop table if exists product");
        jdbc.execute("create table product (id int primary key, name varchar(20))");
        jdbc.update("insert into product values (1, 'tea'), (2, 'coffee')");
        for (int i = 0; i < 3; i++) {
            assertEquals("coffee", jdbc.queryForObject("select name from product where id = ?", String.class, 2));
        }
        jdbc.update("update product set name = ? where id = ?", "mocha", 2);
        for (int i = 0; i < 2; i++) {
            assertEquals("mocha", jdbc.queryForObject("select name from product where id = ?", String.class, 2));
        }
    }

    private static CacheStatistics statistics(DataSource dataSource) throws Exception {
        try (Connection connection = dataSource.getConnection()) {
            return connection.unwrap(SqlCacheConnection.class).statistics();
        }
    }
}
