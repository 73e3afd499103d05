package dev.sqlcache.frameworks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.sqlcache.frameworks.Support.Db;
import dev.sqlcache.stats.CacheStatistics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.Banner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Spring Boot's auto-configured DataSource (HikariCP), JdbcTemplate, transaction manager and SQL initialization,
 * switched to sqlcache through application properties only.
 */
@Timeout(90)
class SpringBootTest {

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class Application {
    }

    private static final String TABLE = "fw_boot_note";

    /** spring.datasource.url plus spring.datasource.driver-class-name: the documented way. */
    @Test
    void urlAndDriverClassName() throws Exception {
        Db.POSTGRES.require();
        String realUrl = Db.POSTGRES.realUrl("x");
        List<String> real = scenario(properties(realUrl, null), false);
        List<String> cached = scenario(properties(Support.sqlcacheUrl(realUrl), Support.SQLCACHE_DRIVER), true);
        assertEquals(String.join("\n", real), String.join("\n", cached));
    }

    /**
     * Only spring.datasource.url changed: Boot's DatabaseDriver does not know the jdbc:sqlcache: prefix, so
     * DataSourceProperties falls back to the embedded database's driver when one is on the class path (H2 here) and
     * HikariCP refuses the URL for it; without an embedded database Boot fails with "Failed to determine a suitable
     * driver class". Either way spring.datasource.driver-class-name is needed (docs/frameworks.md).
     */
    @Test
    void urlAloneIsNotEnough() {
        Db.POSTGRES.require();
        Exception e = assertThrows(Exception.class,
                () -> scenario(properties(Support.sqlcacheUrl(Db.POSTGRES.realUrl("x")), null), true));
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        assertTrue(root.getMessage().contains("Driver org.h2.Driver claims to not accept jdbcUrl, jdbc:sqlcache:"),
                root.getMessage());
    }

    private static Map<String, Object> properties(String url, String driverClassName) {
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("spring.datasource.url", url);
        properties.put("spring.datasource.username", Db.POSTGRES.user());
        properties.put("spring.datasource.password", "");
        if (driverClassName != null) {
            properties.put("spring.datasource.driver-class-name", driverClassName);
        }
        properties.put("spring.datasource.hikari.maximum-pool-size", "3");
        properties.put("spring.sql.init.mode", "always");
        properties.put("spring.sql.init.schema-locations", "classpath:fw/boot/schema.sql");
        properties.put("spring.sql.init.data-locations", "classpath:fw/boot/data.sql");
        properties.put("spring.main.banner-mode", "off");
        return properties;
    }

    private static List<String> scenario(Map<String, Object> properties, boolean viaSqlcache) throws Exception {
        List<String> seen = new ArrayList<>();
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(Application.class)
                .web(WebApplicationType.NONE)
                .bannerMode(Banner.Mode.OFF)
                .logStartupInfo(false)
                .properties(properties)
                .run()) {
            DataSource dataSource = context.getBean(DataSource.class);
            seen.add("pool " + dataSource.getClass().getSimpleName());
            assertTrue(dataSource instanceof HikariDataSource, dataSource.getClass().getName());
            CacheStatistics before = viaSqlcache ? Support.statistics(dataSource) : null;
            JdbcTemplate jdbc = context.getBean(JdbcTemplate.class);
            TransactionTemplate tx = new TransactionTemplate(context.getBean(PlatformTransactionManager.class));
            for (int round = 0; round < 3; round++) {
                seen.add("notes " + jdbc.queryForList("SELECT id, body FROM " + TABLE + " ORDER BY id"));
            }
            tx.executeWithoutResult(status -> {
                jdbc.update("INSERT INTO " + TABLE + " (id, body) VALUES (?, ?)", 10, "written in a transaction");
                jdbc.update("UPDATE " + TABLE + " SET body = upper(body) WHERE id = ?", 1);
            });
            for (int round = 0; round < 2; round++) {
                seen.add("notes " + jdbc.queryForList("SELECT id, body FROM " + TABLE + " ORDER BY id"));
            }
            if (viaSqlcache) {
                CacheStatistics delta = Support.statistics(dataSource).since(before);
                assertTrue(delta.hits() >= 3, "Boot's reads were served from the cache: " + delta);
            }
        }
        return seen;
    }
}
