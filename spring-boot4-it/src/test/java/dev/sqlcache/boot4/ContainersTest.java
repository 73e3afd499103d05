package dev.sqlcache.boot4;

import com.zaxxer.hikari.HikariDataSource;
import dev.sqlcache.boot4.app.Boot4Application;
import dev.sqlcache.driver.SqlCacheConnection;
import dev.sqlcache.stats.CacheStatistics;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.postgresql.PostgreSQLContainer;
import org.testcontainers.utility.DockerImageName;

import javax.sql.DataSource;
import java.sql.Connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How an application is tested with sqlcache and Testcontainers (docs/testing.md shows the same): PostgreSQL and
 * Redis in containers, the application configured with their addresses, nothing else changed. Where no Docker
 * engine is reachable, Testcontainers switches the class off ({@code disabledWithoutDocker}), and it shows as
 * skipped: this build machine has none, so this path runs wherever one is, and is not exercised here.
 */
@Testcontainers(disabledWithoutDocker = true)
class ContainersTest {

    @Container
    static final PostgreSQLContainer POSTGRES = new PostgreSQLContainer(DockerImageName.parse("postgres:17-alpine"));

    @Container
    static final GenericContainer<?> REDIS = new GenericContainer<>(DockerImageName.parse("redis:7-alpine"))
            .withExposedPorts(6379);

    @Test
    void anApplicationOnContainersCachesThroughSqlcache() throws Exception {
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(Boot4Application.class)
                .web(WebApplicationType.NONE)
                .run("--spring.datasource.url=" + POSTGRES.getJdbcUrl(),
                        "--spring.datasource.username=" + POSTGRES.getUsername(),
                        "--spring.datasource.password=" + POSTGRES.getPassword(),
                        "--sqlcache.redis.host=" + REDIS.getHost(),
                        "--sqlcache.redis.port=" + REDIS.getMappedPort(6379))) {
            DataSource dataSource = context.getBean(DataSource.class);
            assertTrue(((HikariDataSource) dataSource).getJdbcUrl().startsWith("jdbc:sqlcache:postgresql:"));
            JdbcTemplate jdbc = new JdbcTemplate(dataSource);
            jdbc.execute("create table if not exists product (id int primary key, name varchar(20))");
            jdbc.update("insert into product values (1, 'tea') on conflict do nothing");
            CacheStatistics before = statistics(dataSource);
            for (int i = 0; i < 3; i++) {
                assertEquals("tea", jdbc.queryForObject("select name from product where id = ?", String.class, 1));
            }
            assertEquals(2, statistics(dataSource).since(before).hits());
        }
    }

    private static CacheStatistics statistics(DataSource dataSource) throws Exception {
        try (Connection connection = dataSource.getConnection()) {
            return connection.unwrap(SqlCacheConnection.class).statistics();
        }
    }
}
