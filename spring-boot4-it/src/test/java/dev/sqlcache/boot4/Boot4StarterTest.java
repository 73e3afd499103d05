package dev.sqlcache.boot4;

import com.zaxxer.hikari.HikariDataSource;
import dev.sqlcache.boot4.app.Boot4Application;
import dev.sqlcache.driver.SqlCacheConnection;
import dev.sqlcache.stats.CacheStatistics;
import dev.sqlcache.testing.RedisServerFixture;
import dev.sqlcache.testing.TestServices;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootVersion;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

import javax.sql.DataSource;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The same starter in a Spring Boot 4 application: DataSource, meters, health and endpoint with no code. */
class Boot4StarterTest {

    private static RedisServerFixture redis;

    @BeforeAll
    static void startRedis() {
        redis = RedisServerFixture.start();
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    private static ConfigurableApplicationContext start(String url, String... more) {
        List<String> arguments = new ArrayList<>(List.of("--spring.datasource.url=" + url,
                "--sqlcache.redis.host=" + redis.host(), "--sqlcache.redis.port=" + redis.port()));
        arguments.addAll(List.of(more));
        return new SpringApplicationBuilder(Boot4Application.class)
                .web(WebApplicationType.NONE)
                .run(arguments.toArray(String[]::new));
    }

    @Test
    void thePlainUrlCachesThroughTheHikariPoolWithMetricsHealthAndEndpoint() throws Exception {
        assertTrue(SpringBootVersion.getVersion().startsWith("4."), SpringBootVersion.getVersion());
        try (ConfigurableApplicationContext context = start("jdbc:h2:mem:boot4plain;DB_CLOSE_DELAY=-1")) {
            DataSource dataSource = context.getBean(DataSource.class);
            HikariDataSource hikari = assertInstanceOf(HikariDataSource.class, dataSource);
            assertEquals("jdbc:sqlcache:h2:mem:boot4plain;DB_CLOSE_DELAY=-1", hikari.getJdbcUrl());
            assertEquals("120", hikari.getDataSourceProperties().getProperty("sqlcache.ttl"));

            CacheStatistics before = statistics(dataSource);
            workload(new JdbcTemplate(dataSource));
            CacheStatistics done = statistics(dataSource).since(before);
            assertEquals(3, done.hits(), done.toString());
            assertEquals(2, done.misses(), done.toString());

            MeterRegistry registry = context.getBean(MeterRegistry.class);
            assertTrue(registry.get("sqlcache.hits").functionCounter().count() >= 3);
            Health health = context.getBean("sqlcacheHealthIndicator", HealthIndicator.class).health();
            assertEquals(Status.UP, health.getStatus());
            assertEquals("available", health.getDetails().get("cache"), health.toString());
            assertEquals(true, health.getDetails().get("member"), health.toString());
            assertEquals("allowed", health.getDetails().get("caching"), health.toString());
            assertEquals(0, health.getDetails().get("owedInvalidations"), health.toString());
            Map<String, Object> endpoint = context.getBean(dev.sqlcache.spring.boot.SqlCacheEndpoint.class).statistics();
            assertTrue(((Long) endpoint.get("hits")) >= 3, endpoint.toString());
        }
    }

    @Test
    void aSqlCacheUrlNeedsNoDriverClassName() throws Exception {
        try (ConfigurableApplicationContext context = start("jdbc:sqlcache:h2:mem:boot4prefixed;DB_CLOSE_DELAY=-1")) {
            DataSource dataSource = context.getBean(DataSource.class);
            assertEquals("dev.sqlcache.driver.SqlCacheDriver", ((HikariDataSource) dataSource).getDriverClassName());
            CacheStatistics before = statistics(dataSource);
            workload(new JdbcTemplate(dataSource));
            assertEquals(3, statistics(dataSource).since(before).hits());
        }
    }

    @Test
    void postgresThroughTheStarter() throws Exception {
        String database = TestServices.databaseName();
        String address = TestServices.postgres().address(); // a container where a Docker engine answers
        String url = "jdbc:postgresql://" + address + "/" + database;
        try (ConfigurableApplicationContext context = start(url, "--spring.datasource.username=postgres")) {
            DataSource dataSource = context.getBean(DataSource.class);
            assertEquals("jdbc:sqlcache:postgresql://" + address + "/" + database,
                    ((HikariDataSource) dataSource).getJdbcUrl());
            CacheStatistics before = statistics(dataSource);
            // Its own table: the Boot 3 starter's tests use "product" in the same database.
            workload(new JdbcTemplate(dataSource), "boot4_product");
            CacheStatistics done = statistics(dataSource).since(before);
            assertEquals(3, done.hits(), done.toString());
            assertEquals(2, done.misses(), done.toString());
            assertTrue(done.table("boot4_product").invalidations() > 0, done.toString());
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            assertEquals(1.0, registry.get("sqlcache.cache.healthy").gauge().value());
            // Reading the (other) series, as a scrape does, gives the tables written since their own series.
            registry.get("sqlcache.table.invalidations").tag("table", "(other)").functionCounter().count();
            assertTrue(registry.get("sqlcache.table.invalidations").tag("table", "boot4_product").functionCounter()
                    .count() > 0, "invalidations by table in the application's registry");
        }
    }

    private static void workload(JdbcTemplate jdbc) {
        workload(jdbc, "product");
    }

    /** Three hits of one row, a write to it, then two reads that must see the write (a miss, then a hit). */
    private static void workload(JdbcTemplate jdbc, String table) {
        jdbc.execute("drop table if exists " + table);
        jdbc.execute("create table " + table + " (id int primary key, name varchar(20))");
        jdbc.update("insert into " + table + " values (1, 'tea'), (2, 'coffee')");
        String read = "select name from " + table + " where id = ?";
        for (int i = 0; i < 3; i++) {
            assertEquals("coffee", jdbc.queryForObject(read, String.class, 2));
        }
        jdbc.update("update " + table + " set name = ? where id = ?", "mocha", 2);
        for (int i = 0; i < 2; i++) {
            assertEquals("mocha", jdbc.queryForObject(read, String.class, 2));
        }
    }

    private static CacheStatistics statistics(DataSource dataSource) throws Exception {
        try (Connection connection = dataSource.getConnection()) {
            return connection.unwrap(SqlCacheConnection.class).statistics();
        }
    }
}
